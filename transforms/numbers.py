"""Numbers and units as written in Chinese policy text."""

from __future__ import annotations

import re

from govtargets.transforms.vocabulary import magnitudes, qualifiers, units

MAGNITUDES = magnitudes()
PERCENT_UNITS = units("percent")
# Classifiers count the noun that follows them ("100家企业"); measures give a size ("5000万元").
CLASSIFIERS = units("classifier")
MEASURES = units("measure")
TIME_UNITS = units("time")
BASE_UNITS = tuple(sorted(set(CLASSIFIERS + MEASURES), key=len, reverse=True))

ARABIC = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
CHINESE = rf"[{CHINESE_NUMERALS}]+"
_MAG = "|".join(re.escape(m) for m in sorted(MAGNITUDES, key=len, reverse=True))
_PCT = "|".join(re.escape(u) for u in PERCENT_UNITS)
_BASE = "|".join(re.escape(u) for u in BASE_UNITS)
# Words a unit's character starts: "跨上万亿台阶" is no count of 台, "2023成就" no tenths.
_NOT_A_UNIT = "|".join(re.escape(w) for w in units("word"))
_APPROX = "|".join(re.escape(q) for q in qualifiers(position="inside"))

MENTION = re.compile(
    # the lookahead repeats what a number starts with: it lets the scan skip other characters fast
    rf"(?=[\d{CHINESE_NUMERALS}])"
    rf"(?P<num>{ARABIC}|{CHINESE})"
    rf"(?:(?P<sep>[-—–~至到])(?P<num2>{ARABIC})(?=(?:{_PCT}|{_APPROX}|{_MAG}|{_BASE})))?"
    rf"(?:(?!{_NOT_A_UNIT})(?P<pct>{_PCT})"
    rf"|(?P<approx1>{_APPROX})?(?P<mag>{_MAG})?(?P<approx2>{_APPROX})?(?:(?!{_NOT_A_UNIT})(?P<base>{_BASE}))?)"
)

# Fractions of a whole: "1/3", "三分之一". Stored with unit FRACTION_UNIT, value as the ratio and
# value_base in percent, so "压减1/3" and "压减33%" compare.
FRACTION_UNIT = "分数"
FRACTION = re.compile(
    rf"(?<![\d/])(?P<num>\d+)/(?P<den>\d+)(?![\d/])|(?P<cden>{CHINESE})分之(?P<cnum>{CHINESE})"
)

CN_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 1e4, "亿": 1e8}


def parse_chinese_numeral(text: str) -> float | None:
    """'五十六' -> 56, '一百二十' -> 120, '两万' -> 20000, '三千五百' -> 3500; None if malformed."""
    total, section, digit = 0.0, 0.0, None
    for char in text:
        if char in CN_VALUES:
            if digit is not None:
                return None  # two digits in a row: "二三" is not a number
            digit = CN_VALUES[char]
        elif char in CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * CN_SMALL_UNITS[char]
            digit = None
        elif char in CN_BIG_UNITS:
            section += digit or 0
            total = (total + (section or 1)) * CN_BIG_UNITS[char]
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def parse_number(text: str) -> float | None:
    if text[0].isdigit():
        return float(text.replace(",", ""))
    return parse_chinese_numeral(text)


def is_counting_chinese_numeral(text: str) -> bool:
    """Chinese numerals are taken as values only when they are real counts ("五十六", "两万"),
    not one-character ordinals of names ("三年行动", "八场战役", "七大产业")."""
    return len(text) >= 2 and any(c in "十百千万亿" for c in text) and parse_chinese_numeral(text) is not None


def unit_parts(mag: str | None, base: str | None, pct: str | None) -> tuple[str, float, str]:
    """(unit as written, factor to the base unit, base unit): 万人 -> ('万人', 1e4, '人')."""
    if pct:
        return pct, 1.0, pct
    factor = MAGNITUDES.get(mag or "", 1.0)
    return (mag or "") + (base or ""), factor, base or ""


def format_value(value: float) -> str:
    """6.0 -> '6', 6.5 -> '6.5': how a value is written in running text."""
    return f"{value:.10g}"


def parse_fraction(match: re.Match) -> float | None:
    """The ratio of a FRACTION match, or None for what is not a proper fraction (dates, scores)."""
    if match.group("num"):
        numerator, denominator = float(match.group("num")), float(match.group("den"))
    else:
        numerator = parse_chinese_numeral(match.group("cnum"))
        denominator = parse_chinese_numeral(match.group("cden"))
    if not numerator or not denominator or numerator >= denominator or denominator > 1000:
        return None
    return numerator / denominator

"""Sentences -> target and achievement records.

A sentence's figures are found first (`find_mentions`: number, unit, bound words written with
them). Then the named rules of RULES run over them in order; each reads some fields of the
figures and sets others (its `reads` and `sets`), and tests/test_extract.py has a table of cases
for each. A figure a rule finds to be no record (a size threshold, a stretch value, a count of
effort, a gap to another area …) is `dropped` with that rule's reason. Last, each remaining
figure's time (kind, year, period) is the time resolver's (`timing.resolve`).

The rules are general ones about how Chinese policy text states figures, never about particular
reports, and their words are vocabularies (transforms/vocab/, read through transforms.vocabulary).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from govtargets.transforms.lexicon import dictionary_tag, pos_tags, tag_words, words
from govtargets.transforms.numbers import (
    BASE_UNITS,
    CHINESE_NUMERALS,
    CLASSIFIERS,
    FRACTION,
    FRACTION_UNIT,
    MAGNITUDES,
    MEASURES,
    MENTION,
    PERCENT_UNITS,
    TIME_UNITS,
    is_counting_chinese_numeral,
    parse_fraction,
    parse_number,
    unit_parts,
)
from govtargets.transforms.timing import BASE_COMPARISON, TimeContext, in_brackets, resolve
from govtargets.transforms.vocabulary import (
    RANGE_QUALIFIER,
    alternation,
    qualifier_pattern,
    qualifier_patterns,
    qualifiers,
    word_pattern,
)
from govtargets.transforms.vocabulary import (
    words as vocabulary_words,
)

# Documents loaded by another version are extracted again: bump when records or keywords change.
EXTRACTOR_VERSION = "0.4.32"

# "丨" and "|" separate the parts of a web page's headline ("成都市政府工作报告丨2023年…").
CLAUSE_DELIMITERS = ",;:。!?丨|"
LIST_DELIMITERS = "、"
LIST_JOINERS = ("、", "和", "及", "与")  # between the items of a list of figures
COORDINATOR = re.compile(f"[{''.join(LIST_JOINERS)}]")  # ... and of a coordinated subject
HAN = r"\u4e00-\u9fff"

# ---------------------------------------------------------------- vocabularies as patterns

TRAILING_QUALIFIERS = tuple(sorted(qualifiers(position="after"), key=len, reverse=True))
FLOOR_OR_CEILING_AFTER = qualifiers(position="after", bound="floor") + qualifiers(
    position="after", bound="ceiling"
)
INSIDE_QUALIFIERS = qualifiers(position="inside")
STRETCH_WORD = "力争"  # a clause opening with it marks its figure (qualifiers.csv, bound stretch)
# Leading bound words, longest first; a short verb may stand between them and the number.
LEADING_QUALIFIER = re.compile(
    rf"({alternation(qualifier_patterns('before'))})(?:{word_pattern('lead_verb')})?$"
)
STRETCH_BRIDGE = re.compile(rf"^[,]?{word_pattern('stretch_bridge')}(?:{word_pattern('stretch_verb')})?$")
RANGE_TAIL = re.compile(r"^[-—–~至到](\d+(?:\.\d+)?)")
# After a measure (money, power, area), a floor or ceiling word + a noun, or 的, makes the figure a
# size threshold of what follows ("投资5000万元以上的项目", "30万千瓦以下燃煤机组"), not a record.
# So does a floor or ceiling word + the count of what passes it ("3亿元以上17个").
THRESHOLD_TAIL = re.compile(
    rf"^(?:{alternation(FLOOR_OR_CEILING_AFTER, escape=True)}?的|{alternation(FLOOR_OR_CEILING_AFTER, escape=True)}[{HAN}\d])"
)
HAN_NEXT = re.compile(rf"^[“{HAN}]")
# 过 as a bound word before a figure that ends its clause; before 的 or a noun, a threshold
OVER = "过"
OVER_BEFORE = re.compile(rf"{qualifier_pattern(OVER)}$")
PROJECT_SIZE = re.compile(rf"{word_pattern('project_size')}$")
NOT_VALUE_BEFORE = re.compile(r"(?:第|[A-Za-z]|[×x*+·.])$")
NOT_VALUE_AFTER = re.compile(r"^[A-Za-z×·+]")
DATE_START = re.compile(r"^(?:19|20)\d{2}[年\-/.]")
NEXT_FIGURE = re.compile(rf"^{word_pattern('trailing_verb')}[^\d,;:。]{{0,3}}\d")
YI_BEFORE = re.compile(r"(?<![\d.])(\d+)亿$")  # "108亿3038万元": the larger magnitude before
# A figure glued to the one before: "搬迁1646户6680人", "35532户153083名贫困人口".
# ("2个30万吨级泊位": a rating is part of the name)
GLUED_FIGURE = re.compile(r"^(?!\d[\d.]*[万亿]?[\u4e00-\u9fff]级)\d[\d.]*[万亿]?[\u4e00-\u9fff]?")
THRESHOLD_AFTER_COUNT = re.compile(rf"^{alternation(qualifier_patterns('before'))}\d")
NEGATIVE_AFTER_GROWTH = re.compile(rf"{word_pattern('growth_word')}[-−]$")
# "6.5万台(套)": an alternative classifier in brackets is part of the unit.
BRACKETED_UNIT = re.compile(rf"^\(({'|'.join(re.escape(u) for u in CLASSIFIERS)})\)")
# A bare 万/亿 counts people before a noun phrase that names them ("288万农村贫困人口").
PEOPLE_AFTER = re.compile(rf"^[{HAN}]{{0,8}}?{word_pattern('people_noun')}")
# ... or after them where it ends its clause ("贫困人口减少25万,")
PEOPLE_BEFORE = re.compile(rf"{word_pattern('people_noun')}[{HAN}\s]{{0,3}}$")
# The currency written after an amount's unit ("5500亿元人民币") is part of the amount.
CURRENCY_AFTER = re.compile(rf"^{word_pattern('currency_after')}")
# A figure written without a unit, of an indicator that is a ratio ("收入倍差缩小至1.7以内").
UNITLESS_RATIO = re.compile(
    rf"{word_pattern('ratio_noun')}[{HAN}]{{0,4}}?(?P<num>\d+(?:\.\d+)?)(?={alternation(TRAILING_QUALIFIERS, escape=True)}|[,;。]|$)"
)

GROWTH_WORDS = re.compile(word_pattern("growth_word") + "(?!率)")  # 人口自然增长率 names a rate
UP_WORDS = re.compile(word_pattern("up_word"))
DOWN_WORDS = re.compile(word_pattern("down_word"))
HARD_WORDS = re.compile(word_pattern("hard_word"))
SOFT_WORDS = re.compile(word_pattern("soft_word"))
REACHED_VERB = re.compile(rf"{word_pattern('reached_verb')}$")
# "达4270亿元、500.36亿元…和1573亿元": the figures listed after a verb share it
FIGURES_LISTED_BEFORE = re.compile(r"(?:\d[\d.]*[^\d,;:。、和及]{0,6}[、和及])+$")
COMPARED_WITH_A_BASE = re.compile(BASE_COMPARISON)
HOLDING = re.compile(rf"{word_pattern('holding_verb')}[^,;:。]*$")
GROWN_TO = re.compile(rf"(?:{word_pattern('growth_word')}|增)[到至]$")

# Words that open a clause but are not part of what is measured.
# ("广东成为第2个…": an area's place in a row of areas opens no indicator)
LEADING_NOISE = re.compile(
    rf"^(?:{word_pattern('leading_noise')}|[^,;:。]{{0,6}}?{word_pattern('first_of_its_kind')})+"
)
TRAILING_VERBS = re.compile(
    rf"(?:{word_pattern('trailing_adverb')})*(?:{word_pattern('trailing_verb')})+(?:{word_pattern('trailing_adverb')})*$"
    rf"|(?:{word_pattern('trailing_adverb')})+$"
)
# Verbs that define the measure itself and so stay in the indicator ("新增学位", "新开工棚户区").
MEASURE_VERBS = re.compile(rf"^{word_pattern('measure_verb')}")
# Words never part of an indicator: comparisons with the year before, asides, footnote markers.
COMPARISON = re.compile(word_pattern("comparison"))
ASIDE = re.compile(rf"\([^()]*{word_pattern('aside')}[^()]*\)?")
FOOTNOTE = re.compile(r"\[\d{1,2}\]")
EMPTY_BRACKETS = re.compile(r"\(\s*\)")
TRAILING_NUMBER = re.compile(r"(?<=[\u4e00-\u9fff])[\d.,]+$")  # "生产总值6835." of a number copying broke
# A bare magnitude is an amount when it is a milestone: a milestone noun follows ("突破百亿大关",
# "3千亿两个大台阶") or a milestone word precedes it ("跨上2万亿、逼近3万亿").
MILESTONE_AFTER = re.compile(
    rf"(?:[两二三四五六七八九]个)?{word_pattern('milestone_noun')}"
)  # .match at a position
AMOUNT_END = re.compile(r"[,;:。、)]|$")  # .match after a bare 亿: nothing names what it counts
MILESTONE_OPENING = re.compile(rf"^(?:{word_pattern('milestone_noun')})\(")
MILESTONE_BEFORE = re.compile(rf"{alternation(qualifier_patterns('before', ('milestone', 'approx')))}$")
META_NOUN = re.compile(rf"^(?:{word_pattern('list_word')}|一揽子)*{word_pattern('meta_noun')}")
# "低于预期1.5个百分点" is a gap; "低于预期的8%" names what was expected (PLANNED_FIGURE)
GAP_BEFORE = re.compile(rf"{word_pattern('gap_comparison')}[{HAN}]{{0,2}}(?<!的)$")
# .match after the figure; "超额完成国家下达的110万人年度任务" names the year's task
PLANNED_FIGURE = re.compile(r"的(?:预期目标|预期|目标|计划)(?!完成|实现)|的?(?:年度|全年)(?:目标)?任务")
# "…主要预期目标是地区生产总值增长6%左右", "2018全市经济社会发展稳中有进预计地区生产总值迈上…"
STATEMENT = re.compile(r"目标(?:是|为)|预计")
# "低于预期的8%", "控制在预期4.2%以内" (but "完成省定目标的100%" is a rate of completion)
PLANNED_BEFORE = re.compile(
    r"(?:(?:低于|高于|好于|快于|慢于|超过|超出)(?:年初)?(?:预期目标|预期|目标)的|控制在(?:年初)?(?:预期目标|预期|目标)的?)$"
)
RANK_WORDS = re.compile(word_pattern("rank_word"))
ATTENDANCE_WORDS = re.compile(word_pattern("attendance_word"))
AUDIENCE_WORDS = re.compile(word_pattern("audience_word"))
PEOPLE_CLASSIFIERS = ("名", "人", "位")
GENERIC_HEADS = frozenset(vocabulary_words("generic_head"))
PER_UNIT_WORDS = frozenset(vocabulary_words("per_unit_word"))
PER_CAPITA = "人均"  # of PER_UNIT_WORDS, the one a report writes alone for GDP per head
(PER_CAPITA_HEAD,) = vocabulary_words("per_capita_head")
NOT_INDICATORS = frozenset(vocabulary_words("not_indicator"))
TIME_WORDS = re.compile(word_pattern("time_word"))
STREAK = re.compile(word_pattern("streak"))  # .match: at the start
MIN_WORDS = 2  # characters: less is a particle or a separator, no name
NOMINAL_FLAGS = (
    "n",
    "vn",
    "j",
    "l",
    "nz",
    "nr",
    "ns",
    "nt",
    "an",
    "b",
    "i",
    "x",
    "eng",
    "s",
    "f",
    "g",
    "m",
    "q",
    "a",
)
# Words a subject that opens a clause is made of: nouns, names and the 、 between them (an adjective
# such as 连续 or 平稳 already says what the subject does).
SUBJECT_FLAGS = ("n", "vn", "j", "l", "eng", "x")
STOP_FLAGS = ("v", "d", "ad", "p", "c", "u", "ud", "uj", "ul", "uz", "y", "r", "vd")
# "由1390家", "从2005年的28.02亿元", "从去年的5%", "从人均8.7万元": the starting level of a change,
# with its time or per-unit word between the word and the figure.
START_LEVEL = re.compile(
    rf"{word_pattern('start_level')}(?:{word_pattern('time_word')}的?)?{alternation(vocabulary_words('per_unit_word'))}?$"
)

# Units that may stand where copying lost their number, and those that can close a noun whose
# count was lost ("幼儿园所", "床位张").
MISSING_UNITS = frozenset(vocabulary_words("lost_number_unit"))
NOUN_HEAD_UNITS = frozenset(vocabulary_words("noun_head_unit"))
# 亿元以上项目: a money threshold written in words (one 亿元), not a count whose number was lost.
MONEY_IN_WORDS = frozenset(unit for unit in MISSING_UNITS if unit[0] in MAGNITUDES and unit.endswith("元"))

COUNT_WORDS = "首每各该这那哪某单整几"  # they count on their own: "首个", "每项"
# A unit word not right after a digit or numeral: the only place a lost number can be. (The
# lookahead for a unit's first character only lets the scan skip other characters fast.)
BARE_UNIT = re.compile(
    rf"(?=[{''.join(sorted({unit[0] for unit in MISSING_UNITS}))}])"
    rf"(?<![\d{CHINESE_NUMERALS}])(?:{'|'.join(sorted(MISSING_UNITS, key=len, reverse=True))})"
)

# Why a figure is not a record (Mention.dropped).
THRESHOLD, STRETCH, META_COUNT, GAP, RANK_MOVE, SET_SIZE, ATTENDANCE, SIZE_CLASS, ORDINAL, QUOTE = (
    "threshold", "stretch value", "count of effort", "gap to another area", "move in a ranking",
    "size of the set its clause is about", "attendance of the meeting", "size class of a thing",
    "ordinal of a meeting", "figure of a bracket of figures",
)  # fmt: skip
STREAK_LENGTH = "length of a streak"  # "连续327天无新增本土病例": how long, no record of the area
DURATION = "time an effort takes"  # "用3个月左右时间取得…成果": how long, no record of the area
SPECIFICATION = "specification of a listed name"  # "恒大集团100万吨矿泉水、统一集团30万吨矿泉水"
NAME_AFTER = re.compile(rf"^(?![{''.join(LIST_JOINERS)}等])[{HAN}]")
ENDS_WITH_A_VERB = re.compile(
    rf"(?:{word_pattern('measure_verb')}|{word_pattern('lead_verb')}|{word_pattern('trailing_verb')})$"
)
ANNUAL_OUTPUT = "年产"
DURATION_AFTER = re.compile(r"(?:左右)?的?时间")
HYPOTHETICAL = "figure of a supposition"  # "如果2020年GDP总额达到90万亿元,那么…": no target, no result
# .search before a figure; one that sets a factor aside ("如果扣除价格因素,增长5%") adjusts the figure
SUPPOSITION = re.compile(rf"(?:^|[{CLAUSE_DELIMITERS}])(?:{word_pattern('supposition')})(?![^,;:。]*因素)")
STREAK_WORD = "连续"
# "市委十三届十二次全会": the ordinal of a session, not a count of anything
MEETING_AFTER_ORDINAL = re.compile(r"(?:全体)?(?:全会|会议|常委会|党代会|代表大会)")
# "新华联(7.900, 0.06, 0.77%)": a stock quote a news page puts after a company's name
BRACKET_OF_FIGURES = re.compile(r"\([^()\u4e00-\u9fff]*,[^()\u4e00-\u9fff]*\)")  # several, no words


@dataclass(slots=True)  # slots: cheaper to make and read; there is one per figure
class Mention:
    start: int
    end: int  # after the unit and any trailing qualifier
    number_end: int
    value: float | None
    unit: str
    factor: float
    base_unit: str
    qualifier: str = ""
    stretch_value: float | None = None
    missing: bool = False
    dropped: str | None = None  # why it is not a record
    start_level: bool = False
    indicator: str | None = None
    text: str = ""  # the number as written

    @property
    def threshold(self) -> bool:
        return self.dropped == THRESHOLD

    @property
    def live(self) -> bool:
        return self.dropped is None


# ---------------------------------------------------------------- spans


QUOTES = (("“", "”"), ("《", "》"), ('"', '"'))
QUOTE_OPENER = re.compile("|".join(opener for opener, _ in QUOTES))
# Inside quotation marks, clause punctuation means speech ("“2017年,全县实现生产总值255亿元,…”",
# a story quoting the report), whose figures are figures; a name or a slogan is one phrase.
SPEECH = re.compile(f"[{re.escape(CLAUSE_DELIMITERS)}]")


def quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans inside “…” and 《…》 that name something: numbers there are names ("黄金30条",
    "《2023年政府工作报告》"), not figures. Quoted speech is not a name."""
    spans = []
    if not QUOTE_OPENER.search(sentence):
        return spans  # most sentences quote nothing
    for opener, closer in QUOTES:
        start = sentence.find(opener)
        while start != -1:
            end = sentence.find(closer, start + 1)
            if end == -1:
                break
            if opener == "《" or not SPEECH.search(sentence, start, end):
                spans.append((start, end))
            start = sentence.find(opener, end + 1)
    return spans


@lru_cache(maxsize=8)
def _delimiter_patterns(delimiters: str) -> tuple[re.Pattern, re.Pattern]:
    """(up to and including the last delimiter, any delimiter): one regex call each way instead
    of a find per delimiter."""
    one = f"[{re.escape(delimiters)}]"
    return re.compile(rf"(?s).*{one}"), re.compile(one)


def clause_bounds(sentence: str, position: int, delimiters: str = CLAUSE_DELIMITERS) -> tuple[int, int]:
    """The clause around `position`: after the last delimiter before it, up to the next one."""
    up_to_last, any_delimiter = _delimiter_patterns(delimiters)
    before = up_to_last.match(sentence, 0, position)
    after = any_delimiter.search(sentence, position)
    return (before.end() if before else 0), (after.start() if after else len(sentence))


def _skip_aside(sentence: str, position: int) -> int:
    """Past a parenthesised aside that stands at `position` ("2652亿元(人民币,下同)以上")."""
    aside = ASIDE.match(sentence, position)
    return aside.end() if aside and sentence[position] == "(" else position


# ---------------------------------------------------------------- mentions


def _mention_from_match(sentence: str, match: re.Match) -> Mention | None:
    number, pct, base, mag = match.group("num"), match.group("pct"), match.group("base"), match.group("mag")
    start, end = match.start(), match.end()
    milestone = not (pct or base) and _bare_milestone(sentence, start, end)
    if not number[0].isdigit():
        if start and sentence[start - 1].isdigit():
            return None  # "3千亿两个": the numerals go on from a figure, they start none
        passed = MILESTONE_AFTER.match(sentence, end) and MILESTONE_BEFORE.search(sentence, 0, start)
        if number in MAGNITUDES and base and passed:
            # "财政总收入突破亿元大关": one 亿元 passed ("过亿元项目", "14个市县…过亿元" are thresholds)
            number = "一" + number
        number, mag = _numeral_and_magnitude(number, mag, base or milestone)
        if number is None:
            return None
    # without a unit, only a bare 万/亿 that counts people ("288万农村贫困人口"), that is a
    # milestone ("突破百亿大关") or an amount that ends its clause ("地区生产总值947亿,") is a figure
    bare = bool(mag and number[0].isdigit())
    ends_clause = bool(AMOUNT_END.match(sentence, end))
    counts_people = bare and bool(
        PEOPLE_AFTER.match(sentence[end:]) or (ends_clause and PEOPLE_BEFORE.search(sentence, 0, start))
    )
    bare_amount = bare and ends_clause and mag.endswith("亿") and not counts_people
    if not (pct or base or counts_people or bare_amount or (milestone and mag)):
        return None
    if NOT_VALUE_BEFORE.search(sentence[:start]) or NOT_VALUE_AFTER.match(sentence[end:]):
        return None
    unit, factor, base_unit = unit_parts(mag, base, pct)
    if counts_people and not base:
        base_unit = "人"
    bracketed = BRACKETED_UNIT.match(sentence[end:])
    if bracketed and base:
        unit, end = unit + bracketed.group(0), end + bracketed.end()
    value = parse_number(number)
    larger = mag == "万" and number[0].isdigit() and YI_BEFORE.search(sentence, 0, start)
    if larger and value is not None:
        # "108亿3038万元" is 108.3038 亿元: an amount written in two magnitudes, as older reports do
        value = round(float(larger.group(1)) + value * MAGNITUDES["万"] / MAGNITUDES["亿"], 10)
        unit, factor, start = "亿" + unit[len(mag) :], MAGNITUDES["亿"], larger.start()
    if value is not None and NEGATIVE_AFTER_GROWTH.search(sentence[:start]):
        value, start = -value, start - 1  # "增长-18.9%"
    mention = Mention(start=start, end=end, number_end=match.start() + len(number), value=value,
                      unit=unit, factor=factor, base_unit=base_unit)  # fmt: skip
    if match.group("approx1") or match.group("approx2"):
        mention.qualifier = match.group("approx1") or match.group("approx2")
    if match.group("num2"):
        mention.stretch_value, mention.qualifier = float(match.group("num2")), RANGE_QUALIFIER
    return mention


def _bare_milestone(sentence: str, start: int, end: int) -> bool:
    """A number ending in a magnitude of 亿 or more with no unit, at a milestone ("突破百亿大关",
    "跨上2万亿、逼近3万亿")."""
    if not sentence[start:end].endswith("亿"):
        return False
    return bool(MILESTONE_AFTER.match(sentence, end) or MILESTONE_BEFORE.search(sentence, 0, start))


ROUND_NUMERALS = ("十", "百", "千", "两", "一")  # "突破千亿元", "两万人": one character before a magnitude
DIGIT_NUMERALS = "一二两三四五六七八九"


def _numeral_and_magnitude(number: str, mag: str | None, base: object) -> tuple[str | None, str | None]:
    """A number in Chinese numerals, and the magnitude that belongs to its unit: "千亿元" is 1000
    亿元 (as "1000亿元" would be written), "两万人" 2 万人, "万亿元" 1 万亿元 (a unit of its own).
    Only real counts ("五十六", not the "三" of "三年行动") are values; a single 十/百/千 is one
    before a magnitude and a unit. `base`: whether a unit follows."""
    if base and not mag:
        for magnitude in sorted(MAGNITUDES, key=len, reverse=True):
            head = number[: -len(magnitude)]
            if (
                number.endswith(magnitude)
                and head
                and parse_number(head) is not None
                and (
                    is_counting_chinese_numeral(head)
                    or head in ROUND_NUMERALS
                    or (head in DIGIT_NUMERALS and magnitude[0] in "万亿")  # "七万人" is 7 万人
                )
                and not (magnitude[0] in "十百千" and head in DIGIT_NUMERALS)  # "两百亿元" is 200 亿元
            ):
                return head, magnitude
        if number in MAGNITUDES and len(number) > 1:
            return "一", number  # "万亿元": one of a unit that is a magnitude of its own ("亿元以上" is none)
    return (number, mag) if is_counting_chinese_numeral(number) else (None, mag)


def _attach_range_tail(sentence: str, mention: Mention) -> None:
    """ "4.5%-5%": the upper bound written with its own unit."""
    tail = RANGE_TAIL.match(sentence[mention.end :])
    if tail and sentence[mention.end + tail.end() :].startswith(mention.unit):
        mention.stretch_value, mention.qualifier = float(tail.group(1)), RANGE_QUALIFIER
        mention.end += tail.end() + len(mention.unit)


def _attach_trailing_qualifier(sentence: str, mention: Mention) -> None:
    """A bound word after the figure, also past an aside ("1700亿元(人民币,下同)以上"), and a
    word cut at the end of a truncated text ("增长4%左" is 左右)."""
    position = _skip_aside(sentence, mention.end)
    rest = sentence[position:]
    for word in TRAILING_QUALIFIERS:
        if rest.startswith(word) or (rest and len(rest) < len(word) and word.startswith(rest.rstrip())):
            if mention.qualifier in ("", *INSIDE_QUALIFIERS):
                mention.qualifier = word
            mention.end = position + min(len(word), len(rest))
            return


# "成为第2个…突破1万亿元的省会城市", "是全国首个突破13万亿元的省份": an area that passed a milestone
FIRST_OF_ITS_KIND = re.compile(rf"{word_pattern('first_of_its_kind')}[^,;:。]*$")
AREA_AFTER = re.compile(rf"的[{HAN}]{{0,4}}?(?:城市|省份|省会城市|地级市|县|县市|区|地区)")  # .match


def _passed_by_an_area(sentence: str, mention: Mention) -> bool:
    """Whether the figure is a milestone an area is first or Nth to pass ("是全国首个突破13万亿元的
    省份"), not a size that defines a set ("89%的县通高速公路")."""
    return bool(
        FIRST_OF_ITS_KIND.search(sentence, 0, mention.start) and AREA_AFTER.match(sentence, mention.end)
    )


def _is_threshold(sentence: str, mention: Mention) -> bool:
    if mention.unit in PERCENT_UNITS or mention.base_unit in CLASSIFIERS:
        return False
    if (
        not sentence[mention.start].isdigit()
        and sentence[mention.start] not in "-−"
        and HAN_NEXT.match(sentence[mention.end :])
        and not MILESTONE_AFTER.match(sentence, mention.end)
        and not CURRENCY_AFTER.match(sentence[mention.end :])  # "突破一万亿元人民币"
    ):
        return True  # "百万亩“吨半粮”示范区", "超万亿城市行列": a size in words qualifying a name
    if not mention.base_unit:
        return False  # else a bare 亿 is a milestone ("突破百亿大关") or an amount ending its clause
    trailing = mention.qualifier if mention.qualifier in TRAILING_QUALIFIERS else ""
    after = sentence[mention.end - len(trailing) :]
    if not THRESHOLD_TAIL.match(after):
        return False
    if _passed_by_an_area(sentence, mention):
        return False  # "成为第2个社会消费品零售总额突破1万亿元的省会城市": the area passed it
    # "总投资630亿元的…项目": the size of one project, unless a bound word makes it a class
    return not (after.startswith("的") and PROJECT_SIZE.search(sentence[: mention.start]))


def _timing_commitment(sentence: str, match: re.Match) -> Mention | None:
    """ "提前2年完成": years ahead of schedule are a figure; any other "N年" is a date or span."""
    number = match.group("num")
    if not (number[0].isdigit() and sentence[: match.start()].endswith("提前")):
        return None
    end = match.start() + len(number)
    if not sentence.startswith("年", end):
        return None
    return Mention(match.start(), end + 1, end, parse_number(number), "年", 1.0, "年")


def find_mentions(sentence: str) -> list[Mention]:
    quoted = quoted_spans(sentence)
    mentions = []
    for match in MENTION.finditer(sentence):
        if quoted and any(a < match.start() < b for a, b in quoted):
            continue
        if mentions and match.start() < mentions[-1].end:
            continue  # the upper bound of "4.5%-5%", already part of the range
        mention = _mention_from_match(sentence, match) or _timing_commitment(sentence, match)
        if mention is None:
            continue
        mention.text = sentence[mention.start : mention.number_end]  # with its sign: "-18.9"
        _attach_range_tail(sentence, mention)
        if _is_threshold(sentence, mention):
            mention.dropped = THRESHOLD
        _attach_trailing_qualifier(sentence, mention)
        mentions.append(mention)
    extra = _fractions(sentence, mentions, quoted) + _unitless_ratios(sentence, mentions)
    extra += _numbers_sharing_the_next_unit(sentence, mentions)
    # finditer gives the figures in order already; only fractions and ratios need merging in
    return sorted(mentions + extra, key=lambda m: m.start) if extra else mentions


# "比上年提高0.9和0.1个百分点": a number listed before a figure in % or points shares its unit
NUMBER_LISTED_BEFORE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)[和、]$")
NUMBER_LISTED_AFTER = re.compile(r"[和、](\d+(?:\.\d+)?)(?=[,;。]|$)")
SHARED_UNITS = (*PERCENT_UNITS, "个百分点")


def _numbers_sharing_the_next_unit(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """Numbers without a unit listed next to a figure in % or points: "提高0.9和0.1个百分点", and
    one that closes a clause ("分别增长13.5%和11.1", the sign lost in copying)."""
    shared = []
    for mention in (m for m in mentions if m.unit in SHARED_UNITS):
        for listed in (
            NUMBER_LISTED_BEFORE.search(sentence, 0, mention.start),
            NUMBER_LISTED_AFTER.match(sentence, mention.end),
        ):
            if listed and not _overlaps(*listed.span(1), mentions):
                number = listed.group(1)
                shared.append(
                    replace(mention, start=listed.start(1), end=listed.end(1), number_end=listed.end(1),
                            value=float(number), text=number, qualifier="", stretch_value=None)
                )  # fmt: skip
    return shared


def _overlaps(start: int, end: int, mentions: list[Mention]) -> bool:
    return any(m.start <= start < m.end or start <= m.start < end for m in mentions)


def _fractions(sentence: str, mentions: list[Mention], quoted: list[tuple[int, int]]) -> list[Mention]:
    if "/" not in sentence and "分之" not in sentence:
        return []  # neither way of writing a fraction is there: skip the regex scan
    found = []
    for match in FRACTION.finditer(sentence):
        value = parse_fraction(match)
        if (
            value is None
            or _overlaps(*match.span(), mentions)
            or any(a < match.start() < b for a, b in quoted)
        ):
            continue
        mention = Mention(match.start(), match.end(), match.end(), value, FRACTION_UNIT, 100.0, "%")
        mention.text = match.group(0)
        _attach_trailing_qualifier(sentence, mention)
        found.append(mention)
    return found


def _unitless_ratios(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """ "城乡居民收入倍差缩小至1.7以内": a ratio's figure has no unit."""
    found = []
    for match in UNITLESS_RATIO.finditer(sentence):
        start, end = match.span("num")
        if _overlaps(start, end, mentions):
            continue
        mention = Mention(start, end, end, float(match.group("num")), "", 1.0, "")
        mention.text = match.group("num")
        _attach_trailing_qualifier(sentence, mention)
        found.append(mention)
    return found


def _between(sentence: str, left: Mention, right: Mention) -> str:
    return sentence[left.end : right.start]


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One step of the extraction: what it reads of the figures, what it sets, and how."""

    name: str
    reads: tuple[str, ...]
    sets: tuple[str, ...]
    apply: Callable[[str, list[Mention]], None]


def mark_thresholds_in_lists(sentence: str, mentions: list[Mention]) -> None:
    """ "过300亿元、100亿元…的企业": a threshold at the list's end, or 过 at its head before a noun
    or 的, marks every item; "县县财政收入过10亿元" (过 closing its clause) is a bound word."""
    for i, mention in enumerate(mentions):
        if OVER_BEFORE.search(sentence[: mention.start]) and mention.unit not in PERCENT_UNITS:
            after = sentence[_skip_aside(sentence, mention.end) :]
            counted = (
                i
                and mentions[i - 1].end == mention.start - len(OVER)
                and mentions[i - 1].base_unit in CLASSIFIERS
            )
            if counted or (after and not re.match(r"[,;:。]", after)):
                # "营收过100亿元的企业"; "新增4个过20亿元": the size of what the count counts
                mention.dropped = THRESHOLD
        previous = mentions[i - 1] if i else None
        if (
            previous
            and previous.threshold
            and previous.unit == mention.unit
            and _between(sentence, previous, mention) == "、"
        ):
            mention.dropped = mention.dropped or THRESHOLD
    for i in range(len(mentions) - 2, -1, -1):
        left, right = mentions[i], mentions[i + 1]
        if right.threshold and _between(sentence, left, right) == "、" and left.unit == right.unit:
            left.dropped = left.dropped or THRESHOLD


def merge_stretch_targets(sentence: str, mentions: list[Mention]) -> None:
    """ "增长6%,力争6.5%": 6.5 is the stretch value of the 6% record, not a record of its own."""
    for left, right in itertools.pairwise(mentions):
        if not left.live or left.stretch_value is not None or left.unit != right.unit:
            continue
        if STRETCH_BRIDGE.match(_between(sentence, left, right)):
            left.stretch_value = right.value
            right.dropped = STRETCH


def apply_leading_qualifiers(sentence: str, mentions: list[Mention]) -> None:
    """A bound word before the figure ("超过2.4万亿元"), or a clause opening with 力争."""
    for mention in mentions:
        if mention.qualifier:
            continue
        lead = LEADING_QUALIFIER.search(sentence[: mention.start])
        if lead:
            mention.qualifier = lead.group(1)
            continue
        clause_start, _ = clause_bounds(sentence, mention.start)
        opening = sentence[clause_start : mention.start]
        if opening.startswith(STRETCH_WORD) and not in_brackets(opening, len(opening)):
            mention.qualifier = STRETCH_WORD  # ("力争…200亿元(去年为156.5亿元)": not the aside's)


def propagate_list_qualifiers(sentence: str, mentions: list[Mention]) -> None:
    """One bound word closing a list ("85%、80%、98%以上", "分别增长6.5%和8%左右") applies to every
    item, and so does one opening it ("分别突破6万亿元和4万亿元", "先后迈过2千亿、3千亿")."""
    for i in range(len(mentions) - 2, -1, -1):
        left, right = mentions[i], mentions[i + 1]
        if (
            not left.qualifier
            and right.qualifier in TRAILING_QUALIFIERS
            and _between(sentence, left, right) in LIST_JOINERS
            and _same_kind_of_unit(left, right)
        ):
            left.qualifier = right.qualifier
    for left, right in itertools.pairwise(mentions):
        if (
            left.qualifier
            and not right.qualifier
            and _between(sentence, left, right) in LIST_JOINERS
            and left.unit == right.unit
            and (opening := LEADING_QUALIFIER.search(sentence, 0, left.start))
            and opening.group(1) == left.qualifier
        ):
            right.qualifier = left.qualifier


def _same_kind_of_unit(left: Mention, right: Mention) -> bool:
    """ "分别控制在4.2%、3%、2.5‰以内": % and ‰ are listed under one bound word."""
    return left.unit == right.unit or {left.unit, right.unit} <= set(PERCENT_UNITS)


def _noun_after(sentence: str, mention: Mention) -> str:
    return sentence[mention.end : clause_bounds(sentence, mention.end)[1]]


def drop_figures_that_are_not_records(sentence: str, mentions: list[Mention]) -> None:
    """Figures the text gives but that are no target or achievement of the area:
    a count of effort ("10件民生实事", "38项重点工作", "稳增长26条等一揽子措施"), a gap to another
    area ("比全省高1.18万元", "高于全市平均水平8.7个百分点"), a move in a ranking ("排名提升5位"),
    the size of the set a clause's other figure is about ("137个市重点项目完成投资236.8亿元"), and
    the people at the meeting where the report was given ("326名人大代表汇聚一堂", "实到代表275人"),
    and the size class of a thing ("30万吨级泊位": a berth for ships of that size, not a tonnage), and
    the time an effort takes ("用3个月左右时间")."""
    for mention in (m for m in mentions if m.live):
        clause_start, clause_end = clause_bounds(sentence, mention.start)
        before = sentence[clause_start : mention.start]
        counts = mention.base_unit in CLASSIFIERS
        counts_people = mention.base_unit in PEOPLE_CLASSIFIERS
        if counts and META_NOUN.match(GLUED_FIGURE.sub("", _noun_after(sentence, mention), count=1)):
            mention.dropped = META_COUNT  # ("10大类52项民生实事": both count the effort)
        elif mention.unit == "次" and MEETING_AFTER_ORDINAL.match(sentence, mention.end):
            mention.dropped = ORDINAL
        elif before.endswith(STREAK_WORD):
            mention.dropped = STREAK_LENGTH
        elif _takes_time(sentence, mention):
            mention.dropped = DURATION
        elif _specifies_a_listed_name(sentence, mention, clause_start, clause_end):
            mention.dropped = SPECIFICATION
        elif SUPPOSITION.search(sentence, 0, mention.start):
            mention.dropped = HYPOTHETICAL  # the rest of a sentence that supposes
        elif _inside_a_bracket_of_figures(sentence, mention):
            mention.dropped = QUOTE
        elif mention.unit and sentence.startswith("级", mention.end):
            mention.dropped = SIZE_CLASS
        elif GAP_BEFORE.search(before):
            mention.dropped = GAP
        elif mention.base_unit == "位" and RANK_WORDS.search(sentence[clause_start:clause_end]):
            mention.dropped = RANK_MOVE
        elif counts and (
            _sizes_the_set_of_a_later_figure(sentence, mention, mentions, clause_end)
            or _counts_the_set_of_an_amount_before(sentence, mention, mentions)
        ):
            mention.dropped = SET_SIZE
        elif (counts_people and ATTENDANCE_WORDS.search(sentence, clause_start, clause_end)) or (
            counts and AUDIENCE_WORDS.search(sentence, clause_start, clause_end)
        ):
            mention.dropped = ATTENDANCE  # ("6个周边国家驻昆总领事受邀旁听": guests, counted by country)
    _drop_items_of_a_counted_effort(sentence, mentions)


def _specifies_a_listed_name(sentence: str, mention: Mention, clause_start: int, clause_end: int) -> bool:
    """Whether the figure is inside the name of one item of a list of names, as its capacity:
    "敖东工业园二期、恒大集团100万吨矿泉水、统一集团30万吨矿泉水" (projects by company and product),
    "白鹭化纤1.5万吨粘胶长丝、金龙铜业外翅片强化传热铜管": a name before it, a noun right after it,
    and an item of the list without any figure."""
    start = max(sentence.rfind(LIST_DELIMITERS, clause_start, mention.start) + 1, clause_start)
    end = sentence.find(LIST_DELIMITERS, mention.end, clause_end)
    end = clause_end if end == -1 else end
    before, after = sentence[start : mention.start], sentence[mention.end : end]
    if (
        mention.base_unit not in MEASURES
        or mention.base_unit in PEOPLE_CLASSIFIERS
        or not NAME_AFTER.match(after)
    ):
        return False  # a count ("潘庄、李家岸2处大型灌区") or people
    if not before or re.search(r"[\d等]", before):
        return False  # what a list closes ("…等53个重点项目", "…等龙头企业带动2460户5585人")
    word, flag = pos_tags(before)[-1]
    if (flag.startswith("v") and word != ANNUAL_OUTPUT) or ENDS_WITH_A_VERB.search(before):
        return False  # "新建100万吨…": a verb's object, what was built
    items = [item.split("等")[0] for item in sentence[clause_start:clause_end].split(LIST_DELIMITERS)]
    return len(items) > 1 and any(item and not re.search(r"\d", item) for item in items)


def _takes_time(sentence: str, mention: Mention) -> bool:
    """Whether the figure is the time an effort takes: "用3个月左右时间" (read as 3 个 of 月), "用2年时间"."""
    after = sentence[mention.end :]
    if mention.unit == "个" and after.startswith("月"):
        after = after[1:]
    elif mention.base_unit not in TIME_UNITS:
        return False
    return bool(DURATION_AFTER.match(after))


def _inside_a_bracket_of_figures(sentence: str, mention: Mention) -> bool:
    opening = sentence.rfind("(", 0, mention.start)
    bracket = BRACKET_OF_FIGURES.match(sentence, opening) if opening != -1 else None
    return bracket is not None and bracket.end() >= mention.end


def _drop_items_of_a_counted_effort(sentence: str, mentions: list[Mention]) -> None:
    """ "新型工业化18条、奶产业10条、房地产12条等政策": the items of a list whose last item counts
    effort count effort too."""
    for i in range(len(mentions) - 2, -1, -1):  # from the end: the mark passes leftwards
        left, right = mentions[i], mentions[i + 1]
        between = _between(sentence, left, right)
        if (
            right.dropped == META_COUNT
            and left.live
            and left.unit == right.unit
            and between.startswith("、")
            and not re.search(r"[,;:。]", between)
        ):
            left.dropped = META_COUNT


def _counts_the_set_of_an_amount_before(sentence: str, mention: Mention, mentions: list[Mention]) -> bool:
    """ "总投资35亿元的80项城建重点工程": a count right after an amount and 的 counts what the amount is of."""
    before = [m for m in mentions if m.end <= mention.start]
    if not before:
        return False
    amount = before[-1]
    return (
        amount.live
        and amount.base_unit not in CLASSIFIERS
        and amount.unit not in PERCENT_UNITS
        and _between(sentence, amount, mention) == "的"
    )


def _sizes_the_set_of_a_later_figure(
    sentence: str, mention: Mention, mentions: list[Mention], clause_end: int
) -> bool:
    """A count right before its noun, and another figure of a measure later in its clause (not a
    bare 亿: "22家企业主营业务收入超百亿" counts the firms over that size)."""
    if not HAN_NEXT.match(sentence[mention.end :]):
        return False
    return any(
        other.live and mention.end < other.start < clause_end and other.base_unit not in CLASSIFIERS
        and other.unit not in PERCENT_UNITS and other.base_unit not in PEOPLE_CLASSIFIERS
        and other.base_unit
        for other in mentions
    )  # fmt: skip


# ---------------------------------------------------------------- indicators


def _after_time(text: str) -> str:
    """What stands after the last time word that is followed by words ("内地今年GDP" -> GDP: what
    came before was a headline's or an area's words); a time that ends the text goes ("CPI涨幅从
    去年的" -> "CPI涨幅从")."""
    worded = [part for part in TIME_WORDS.split(text) if len(part.strip("的、, ")) >= MIN_WORDS]
    return worded[-1].lstrip("的") if worded else ""  # "今年的经济增长": 的 linked the time


def _after_statement(text: str) -> str:
    """What a statement of the year's goals, or an estimate, names after saying so: "经济社会发展
    主要预期目标是地区生产总值" -> 地区生产总值, "经济社会发展稳中有进预计地区生产总值" -> 地区生产总值.
    Unchanged where nothing is named after it ("全年GDP目标为增长", "地区生产总值预计": the
    subject stands before)."""
    *before, after = STATEMENT.split(text)
    return after if before and _has_noun(after) else text


def _strip_pre(text: str) -> str:
    text = EMPTY_BRACKETS.sub("", COMPARISON.sub("", text))  # "下降(同口径)19.59%"
    text = MILESTONE_OPENING.sub("", text)  # "…超过万元大关(去年为9641元)": what the milestone was of
    text = _after_time(FOOTNOTE.sub("", ASIDE.sub("", text))).strip(" 、,和及与")
    text = _after_statement(text)
    previous = None
    while previous != text:
        previous = text
        text = LEADING_NOISE.sub("", text)
        text = TRAILING_VERBS.sub("", START_LEVEL.sub("", text))  # "全员劳动生产率从人均"
        text = LEADING_QUALIFIER.sub("", text)
        text = text.rstrip("的 ")
    return text


def _drop_leading_verbs(text: str) -> str:
    """Drop the verbs that open a clause ("实施", "抓紧抓实") unless they define the measure."""
    if MEASURE_VERBS.match(text):
        return text
    tags = pos_tags(text)
    # keep a verb that is all that qualifies a short head noun: "挂牌企业", "到位资金"
    while len(tags) > 1 and tags[0][1] in STOP_FLAGS and len("".join(w for w, _ in tags[1:])) > 2:
        tags = tags[1:]
        rest = "".join(w for w, _ in tags)
        if MEASURE_VERBS.match(rest):
            break
    return "".join(w for w, _ in tags)


def _has_noun(text: str) -> bool:
    return any(flag.startswith(NOMINAL_FLAGS) and flag not in STOP_FLAGS for _, flag in pos_tags(text))


def without_area_name(indicator: str, names: tuple[str, ...]) -> str:
    """An indicator that opens with its document's own area, without the area: "上海市生产总值" of
    上海市 -> 生产总值 (a name is taken away only where a word ends: "上海市民…" keeps 市民). The
    extractor took the area for the start of the subject, so what followed it is cleaned as a
    clause's opening is: "郑州的GDP", "东莞全年GDP", "河北预计实现全省生产总值" -> GDP, GDP,
    全省生产总值. `names`: the area's names, longest first (上海市, 上海)."""
    word_ends = set(itertools.accumulate(len(word) for word, _ in pos_tags(indicator)))
    for name in names:
        if indicator.startswith(name) and len(name) in word_ends:
            rest = _drop_leading_verbs(_strip_pre(indicator[len(name) :].lstrip("的")))
            return rest if len(rest) >= MIN_WORDS else indicator
    return indicator


QUOTED = re.compile(r"(“[^”]*”)")
COUNT_OF_THE_SET = re.compile(rf"^的\d+(?:{'|'.join(re.escape(u) for u in CLASSIFIERS)})")
THRESHOLD_PREFIX = re.compile(r"^[^,;:。]*\d[^,;:。]*?的")


def tags_keeping_quotes(text: str) -> list[tuple[str, str]]:
    """POS tags with each quoted name (“智改数转”) kept whole as one proper noun."""
    tags: list[tuple[str, str]] = []
    for part in QUOTED.split(text):
        if part.startswith("“") and part.endswith("”"):
            tags.append((part, "nz"))
        elif part:
            tags += pos_tags(part)
    return tags


def _split_outside_parentheses(text: str, separator: str) -> list[str]:
    """ "县(市、区)": a separator inside parentheses does not split."""
    if "(" not in text:
        return text.split(separator)  # nothing is inside parentheses
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == separator and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


CLAUSE_END = re.compile(r"[,;:。]")
COORDINATION = re.compile(r"(?<=[^、和及与])[和及与](?=[\u4e00-\u9fff]{2})")


def _first_list_item(text: str) -> str:
    """Cut at the list separator, but not inside coordinated one-character modifiers ("省、市级…")."""
    pieces = CLAUSE_END.split(text, maxsplit=1)[0]
    first = COORDINATION.split(pieces, maxsplit=1)[0]
    items = _split_outside_parentheses(first, "、")
    head = items[0]
    for item in items[1:]:
        if len(head) != 1:  # empty: the next list item is another figure, not this one's noun
            break
        head += "、" + item
    return head


def _noun_phrase_after(text: str) -> str:
    """The noun phrase a count qualifies: "市级重点项目" in "110个市级重点项目、100个…". An aside
    in brackets ("(人民币,下同)"), a milestone noun ("大关", "两个大台阶"), a streak ("连续14年"),
    the end of a quotation ("……”一串串") or a date glued to a headline's figure
    ("增长6%2024年02月01日") after a figure names nothing."""
    text = CURRENCY_AFTER.sub("", text)  # "5500亿元人民币": the amount's currency, no name
    if (
        not text
        or text[0] in "(…”"
        or MILESTONE_AFTER.match(text)
        or DATE_START.match(text)
        or STREAK.match(text)
    ):
        return ""
    if THRESHOLD_AFTER_COUNT.match(text):
        return ""  # "新增4个过20亿元": the size of what was counted, not its name
    if GLUED_FIGURE.match(text):
        # "35532户153083名贫困人口": two counts of one noun phrase
        return _noun_phrase_after(GLUED_FIGURE.sub("", text, count=1))
    if NEXT_FIGURE.match(text):
        return ""  # "…超2.2万亿元增长6%": the next figure's verb, not a name
    text = THRESHOLD_PREFIX.sub("", _first_list_item(text))  # "投资5000万元以上的X" -> "X"
    text = COUNT_OF_THE_SET.sub("", text)  # "35亿元的80项城建重点工程": what the amount is of
    kept: list[str] = []
    has_noun = False
    tags = tags_keeping_quotes(text)
    for index, (word, flag) in enumerate(tags):
        if not kept and flag in ("u", "uj", "ul", "ud"):
            continue  # "50%以上的规模以上企业": skip the linking 的
        if not kept and flag in ("p", "c"):
            break
        if kept and has_noun and flag in STOP_FLAGS:
            # "325个产业项目竣工投产", "288万农村贫困人口实现脱贫": what the counted things did,
            # when it closes the clause, is part of what is counted
            kept += _closing_verb_phrase(tags[index:])
            break
        if word == "、" and len("".join(kept)) <= 1:
            kept.append(word)
            continue
        kept.append(word)
        has_noun = has_noun or (
            flag.startswith(NOMINAL_FLAGS) and flag not in STOP_FLAGS and flag not in ("b", "a", "m", "q")
        )
    return "".join(kept).strip("的")


VERB_PHRASE_FLAGS = ("v", "vd", "vn", "d", "ad")
LIGHT_VERB = re.compile(rf"^{word_pattern('light_verb')}")
MAX_VERB_PHRASE = 6


def _closing_verb_phrase(tags: list[tuple[str, str]]) -> list[str]:
    """The words of a short verb phrase (verbs and adverbs only) that ends the text, else none."""
    phrase = [word for word, _ in tags]
    if not phrase or len("".join(phrase)) > MAX_VERB_PHRASE:
        return []
    if tags[0][1] not in VERB_PHRASE_FLAGS or any(flag not in VERB_PHRASE_FLAGS for _, flag in tags):
        return []
    return phrase


def _before_open_aside(sentence: str, clause_start: int, delimiters: str) -> int:
    """Where a clause starts that begins inside an aside ("地区生产总值(预计,下同)7100亿元": its
    subject stands before the bracket), else `clause_start`."""
    opening = sentence.rfind("(", 0, clause_start)
    aside = ASIDE.match(sentence, opening) if opening != -1 else None
    # only an aside of the vocabulary: "(剔除减税降费因素,可比口径实际增长13%)" is a clause of its own
    if aside is None or aside.end() <= clause_start:
        return clause_start
    return clause_bounds(sentence, opening, delimiters)[0]


# "地方一般预算收入178.2亿元,…,占生产总值比重由上年的9.6%提高到10.8%": a share without its
# numerator, which is the subject before
SHARE_OF = re.compile(r"占(?=[^,;:。]{1,20}(?:比重|比例)$)")


def choose_indicator(sentence: str, mention: Mention, previous_end: int) -> str | None:
    delimiters = CLAUSE_DELIMITERS + LIST_DELIMITERS
    clause_start = _before_open_aside(
        sentence, clause_bounds(sentence, mention.start, delimiters)[0], delimiters
    )
    _, clause_end = clause_bounds(sentence, mention.start)  # _first_list_item splits lists itself
    if mention.unit == "年" and sentence[: mention.start].endswith("提前"):
        return "提前" + sentence[mention.end : clause_end]
    if mention.unit == "年" and mention.missing:
        # "到年实现市域全覆盖": what is to be done by the year that copying lost
        return LIGHT_VERB.sub("", sentence[mention.end : clause_end]) or None
    pre_raw = sentence[max(clause_start, previous_end) : mention.start]
    stripped = _strip_pre(pre_raw)
    pre = _drop_leading_verbs(stripped) if stripped else ""
    if SHARE_OF.match(stripped):
        pre = stripped  # "占生产总值比重": a share of the subject before (assign_indicators)
    pre_names = bool(pre) and _has_noun(pre)
    states_metric = bool(GROWTH_WORDS.search(pre_raw[-6:])) or re.search(r"(达到|控制在|稳定在|为)$", pre_raw)
    if pre_names and states_metric:
        return pre  # "X增长6%": what follows the figure cannot outrank X, so it is not looked at
    if _passed_by_an_area(sentence, mention):
        # "…总额突破1万亿元的省会城市": the area that passed the milestone is none of its names
        return pre if pre_names else None
    post = _noun_phrase_after(sentence[mention.end : clause_end])
    post_names = len(post) >= 2 and _has_noun(post)
    if pre_names and not post_names:
        return pre
    if post_names:
        return post
    return pre if len(pre) >= 2 and pre_names else None


def distribute_respectively(sentence: str, mentions: list[Mention]) -> None:
    """One subject per figure of a list: "城镇和农村居民人均可支配收入分别增长7%和7.5%",
    "城乡居民人均可支配收入26096元和10736元" (a coordinated subject before a list of figures in
    one unit), and a 分别 with no subject of its own ("接待游客1.7亿人次,旅游总花费突破3000亿元,
    分别增长15.6%、24.4%"; "…增长13%和16%"): the subjects of the figures before, in order."""
    for group, subject_span in _figure_lists(sentence, mentions):
        start, end = subject_span
        subject = _strip_pre(sentence[start:end])
        subjects = split_coordinated_subject(sentence, subject, subject_span, mentions, len(group))
        if subjects is None and not subject:
            subjects = _subjects_of_the_figures_before(mentions, group) or _listed_subjects(group)
        if subjects:
            for mention, name in zip(group, subjects, strict=False):
                mention.indicator = name


def _figure_lists(sentence: str, mentions: list[Mention]) -> list[tuple[list[Mention], tuple[int, int]]]:
    """Runs of two or more figures joined by 、/和 in one clause, with the span of their subject
    (from the clause start to 分别 or to the first figure)."""
    live = [m for m in mentions if m.live]
    lists: list[tuple[list[Mention], tuple[int, int]]] = []
    run: list[Mention] = []
    for mention in [*live, None]:
        joined = run and mention is not None and _between(sentence, run[-1], mention) in LIST_JOINERS
        if joined and (mention.unit == run[-1].unit or {mention.unit, run[-1].unit} <= set(PERCENT_UNITS)):
            run.append(mention)
            continue
        if len(run) >= 2:
            # "我市生产总值(预计,下同)、财政总收入…年均分别增长": the subject starts before the aside
            clause_start = _before_open_aside(
                sentence, clause_bounds(sentence, run[0].start)[0], CLAUSE_DELIMITERS
            )
            respectively = sentence.rfind("分别", clause_start, run[0].start)
            if respectively != -1 or not _own_noun_between(sentence, run):
                lists.append((run, (clause_start, respectively if respectively != -1 else run[0].start)))
        run = [mention] if mention is not None else []
    return lists


def _own_noun_between(sentence: str, run: list[Mention]) -> bool:
    """ "110个市级重点项目、100个…": counts each with a noun of its own are no shared list."""
    return any(_noun_phrase_after(sentence[m.end : m.end + 12]) for m in run[:-1])


def _listed_subjects(group: list[Mention]) -> list[str] | None:
    """ "工业用电量、规模以上工业增加值、固定资产投资均由负转正,当月分别增长5.1%、4.2%和3.5%":
    the subjects a list's first figure took from the clause before, one per figure."""
    names = COORDINATOR.split(group[0].indicator or "")
    return names if len(names) == len(group) and all(len(name) >= MIN_WORDS for name in names) else None


def _subjects_of_the_figures_before(mentions: list[Mention], group: list[Mention]) -> list[str] | None:
    """The distinct indicators of the figures before the list, the last len(group) of them."""
    before = []
    for mention in mentions:
        if mention is group[0]:
            break
        if mention.live and mention.indicator and mention.indicator not in before:
            before.append(mention.indicator)
    if len(before) < len(group):
        return None
    return before[-len(group) :]


def split_coordinated_subject(
    sentence: str, subject: str, span: tuple[int, int], mentions: list[Mention], count: int
) -> list[str] | None:
    start, end = span
    thresholds = [m for m in mentions if m.threshold and start <= m.start < end]
    if len(thresholds) == count:
        # "营业收入过300亿元、100亿元的企业": one subject per threshold, its bound word kept
        raw = sentence[start : thresholds[0].start]
        head = _strip_pre(raw) + (OVER if OVER_BEFORE.search(raw) else "")
        tail = sentence[thresholds[-1].end : end]
        return [head + sentence[m.start : m.end] + tail for m in thresholds]
    urban_rural = URBAN_AND_RURAL.match(subject)
    if urban_rural and count == 2:
        # "城乡居民…", "城、乡居民…": the urban and the rural figure, named as the reports name them
        rest = subject[urban_rural.end() :]
        return ["城镇" + rest, "农村" + rest]
    parts = [p for p in COORDINATOR.split(subject) if p]
    if len(parts) != count:
        # "现代家居、有色金属和新材料、电子信息…": the items are split by 、, one of them holds a 和
        parts = [p for p in subject.split("、") if p]
    if len(parts) != count:
        return None
    last_words = [w for w, _ in pos_tags(parts[-1])]
    named = [_with_shared_tail(part, last_words) for part in parts[:-1]]
    if named == parts[:-1] and not any(OWN_HEAD.search(part) for part in named):
        # "现代家居、有色金属和新材料、电子信息、纺织服装产业集群营收": names of things, the head
        # after the last one
        tail = _head_after_the_last_name(parts, last_words)
        named = [part + tail for part in named]
    return [*named, parts[-1]]


URBAN_AND_RURAL = re.compile(r"城、?乡(?![镇村])")
# How an item that is an indicator of its own ends ("城镇调查失业率、居民消费价格涨幅").
OWN_HEAD = re.compile(rf"(?:{word_pattern('indicator_head')})$")
COUNT_OF_THE_LIST = re.compile(r"[一二三四五六七八九十两\d]+[大个项类](?=[\u4e00-\u9fff])")  # "三大产业产值"


def _head_after_the_last_name(parts: list[str], last_words: list[str]) -> str:
    """What the last item adds after a name as long as the others (the median), if it is two
    characters at least: "纺织服装|产业集群营收" after 现代家居, 电子信息; "新材料三大|产业产值";
    "电子信息等|行业产值". A last item no longer than the others adds nothing ("鲜食玉米、冬马铃薯")."""
    typical = sorted(len(part) for part in parts[:-1])[(len(parts) - 2) // 2]
    last = COUNT_OF_THE_LIST.sub("", "".join(last_words))
    if len(last) < typical + 2:
        return ""
    words = [word for word, _ in pos_tags(last)]
    ends = list(itertools.accumulate(len(word) for word in words))[:-1]
    if not ends:
        return ""  # one word ("居民人均可支配收入"): nothing to share
    end = min(ends, key=lambda e: abs(e - typical))
    tail = last[end:].lstrip("等")
    return tail if len(tail) >= 2 else ""


def _with_shared_tail(part: str, last_words: list[str]) -> str:
    """An item of a coordinated subject completed by what the last item adds after it:
    "城镇和农村居民人均可支配收入" (a short modifier: the last item's head), "城镇居民和农村居民人均
    可支配收入" (the item's ending, 居民, recurs in the last item: what follows it there).
    "城镇调查失业率、居民消费价格涨幅": items with heads of their own keep them."""
    if len(part) <= 3:
        return part + ("".join(last_words[1:]) if len(last_words) > 1 else "")
    last = "".join(last_words)
    boundaries = set(itertools.accumulate(len(word) for word in last_words))
    for length in range(len(part) - 1, 1, -1):  # the longest ending first
        found = last.find(part[-length:], 1)
        end = found + length
        if found in boundaries and end < len(last):  # the ending starts a word there: 农村|居民…
            return part + last[end:]
    return part


def share_heads(sentence: str, mentions: list[Mention]) -> None:
    """ "3个市级和15个县级重点医疗卫生项目": a bare modifier borrows the next item's head noun."""
    live = [m for m in mentions if m.live]
    for left, right in itertools.pairwise(live):
        between = _between(sentence, left, right)
        if not (left.indicator and right.indicator) or not between or between[-1] not in "和、及与":
            continue
        tags = pos_tags(left.indicator)
        if len(tags) == 1 and (tags[0][1] in ("b", "a", "f") or left.indicator.endswith("级")):
            right_words = [w for w, _ in pos_tags(right.indicator)]
            if len(right_words) > 1:
                left.indicator += "".join(right_words[1:])


def _own_verb(sentence: str, mention: Mention, previous_end: int) -> str:
    clause_start, _ = clause_bounds(sentence, mention.start, CLAUSE_DELIMITERS + LIST_DELIMITERS)
    return _drop_leading_verbs(_strip_pre(sentence[max(clause_start, previous_end) : mention.start]))


# "人均达到5.62万元,折合8606美元": the figure before in another unit, no verb of its own
CONVERSION = re.compile(r"(?:折合|约合)约?")
# "…占全省比重提高到26%;增速达16%": a clause naming only a change goes on with the last subject
ONLY_A_CHANGE = re.compile(rf"^(?:{word_pattern('growth_word')})(?:达到?|为)?$")


def _continued_subject(verb: str, previous: Mention, mention: Mention) -> str:
    """The previous subject, or its head noun under this figure's own verb ("挂牌" + "企业"); a
    verb counting something else than the head measures is the indicator alone ("投入扶贫资金3380
    万元,全年脱贫324户": 脱贫, no 脱贫资金)."""
    if not verb or CONVERSION.fullmatch(verb):
        return previous.indicator
    if ONLY_A_CHANGE.match(verb):
        # "生产总值…占全省比重提高到26%;增速达16%": the growth of the share's subject
        return previous.indicator.split("占")[0] or previous.indicator
    if (
        not MEASURE_VERBS.match(verb)
        and mention.unit not in PERCENT_UNITS
        and mention.base_unit != previous.base_unit
    ):
        return verb  # ("新增4个过20亿元" after 财政收入 is still a count of what the subject names)
    return verb + pos_tags(previous.indicator)[-1][0]


def _names_only_a_change(sentence: str, mention: Mention) -> bool:
    clause_start, _ = clause_bounds(sentence, mention.start)
    return bool(ONLY_A_CHANGE.match(sentence[clause_start : mention.start]))


def assign_indicators(sentence: str, mentions: list[Mention]) -> None:
    """Each figure's indicator: the noun phrase before it or after it in its clause, or, where
    its clause names none ("增长1.4%", "同比增长3%", "比上年增加0.17万元"), the last subject."""
    previous_end = 0
    previous: Mention | None = None
    for mention in mentions:
        if mention.dropped == STRETCH:
            continue
        if mention.threshold:
            previous_end = mention.end
            continue
        if not mention.live:
            previous_end = mention.end
            continue
        if mention.indicator is None:
            mention.indicator = choose_indicator(sentence, mention, previous_end)
            if mention.indicator and SHARE_OF.match(mention.indicator):
                numerator = previous.indicator if previous is not None and previous.indicator else ""
                mention.indicator = numerator + mention.indicator if numerator else mention.indicator[1:]
        if (
            mention.indicator is None
            and previous is not None
            and previous.indicator
            and (";" not in _between(sentence, previous, mention) or _names_only_a_change(sentence, mention))
        ):
            # "6台、15.5万千瓦", "由1390家,发展到2000家": the figure continues the last subject;
            # "新增上市企业4家、挂牌50家": a verb of its own applies to the same head noun
            mention.indicator = _continued_subject(
                _own_verb(sentence, mention, previous_end), previous, mention
            )
        elif mention.indicator is None:
            # "…;辖区税收收入总额连续跨越三个台阶,从2006年的19.8亿元增至…": a figure that names
            # nothing and continues no figure is of the subject that opened the clause before
            mention.indicator = _subject_of_the_clause_before(sentence, mention) or None
        if START_LEVEL.search(sentence[: mention.start]):
            mention.start_level = True
        previous_end, previous = mention.end, mention


TOTAL = "总量"


def complete_generic_heads(sentence: str, mentions: list[Mention]) -> None:
    """An indicator that is only a head noun takes the modifier of the subject before it:
    "茶饮产品产量达到8000吨,实现产值9亿元" -> 茶饮产品产值; "新兴产业加速成长,产值增长145%" ->
    新兴产业产值 (the subject of the clause before). One that is only a per-unit word takes that
    subject as its head: "生产总值达到2.62万亿元,人均突破1万美元" -> 人均生产总值. A total
    whose subject has no such head is that subject's: "地区生产总值增长4.5%,总量达到1.9万亿元"."""
    previous: Mention | None = None
    for mention in mentions:
        if not mention.live or not mention.indicator:
            continue
        if mention.indicator in PER_UNIT_WORDS:
            # "生产总值达到2.62万亿元,人均突破1万美元": per head of the subject before
            if previous is not None and previous.indicator and previous.indicator not in PER_UNIT_WORDS:
                subject = LEADING_NOISE.sub("", previous.indicator)
                # "人均达到5.62万元,折合8606美元": the one before is already per head
                mention.indicator = (
                    subject if subject.startswith(mention.indicator) else mention.indicator + subject
                )
            elif previous is None and mention.indicator == PER_CAPITA:
                mention.indicator += PER_CAPITA_HEAD  # a line of its own: "人均突破1万美元"
            previous = mention
            continue
        tags = pos_tags(mention.indicator)
        head = tags[-1][0]
        if head in GENERIC_HEADS and all(flag in ("v", "d", "ad") for _, flag in tags[:-1]):
            modifier = _modifier_before(sentence, mention, previous)
            if modifier:
                mention.indicator = modifier + head
            elif head == TOTAL and previous is not None and previous.indicator:
                # "地区生产总值增长4.5%左右,预计总量达到1.9万亿元": the total of the subject before
                mention.indicator = previous.indicator
        previous = mention


def _modifier_before(sentence: str, mention: Mention, previous: Mention | None) -> str:
    if previous is not None and previous.indicator and previous.indicator != mention.indicator:
        head = next((h for h in GENERIC_HEADS if previous.indicator.endswith(h)), None)
        modifier = previous.indicator[: -len(head)] if head else ""
        return modifier if len(modifier) >= 2 else ""
    return _subject_of_the_clause_before(sentence, mention)


def _subject_of_the_clause_before(sentence: str, mention: Mention) -> str:
    """The nouns that open the clause before the figure's ("新兴产业加速成长,产值增长145%" -> 新兴产业)."""
    clause_start, _ = clause_bounds(sentence, mention.start)
    if clause_start == 0:
        return ""
    before_start, _ = clause_bounds(sentence, clause_start - 1)
    subject = []
    for word, flag in pos_tags(sentence[before_start : clause_start - 1]):
        if not flag.startswith(SUBJECT_FLAGS):
            break
        subject.append(word)
    return "".join(subject) if len("".join(subject)) >= 2 else ""


def clean_indicators(sentence: str, mentions: list[Mention]) -> None:
    """Indicators never keep a comparison (同比), an aside ("(下同)"), a footnote marker ("[1]"),
    stray spaces, or a time and what stands before it ("广西去年GDP", a headline's "…报告今年GDP");
    what is left empty, or only a word of kind or time ("实际"), continues the subject before it."""
    previous = None
    for mention in mentions:
        if not mention.live or mention.indicator is None:
            continue
        cleaned = FOOTNOTE.sub("", ASIDE.sub("", COMPARISON.sub("", mention.indicator))).strip(" 、,")
        cleaned = _after_time(TRAILING_NUMBER.sub("", re.sub(r"\s+", "", cleaned)))
        if cleaned in NOT_INDICATORS:
            cleaned = ""
        if not cleaned and previous is not None:
            cleaned = previous.indicator
        mention.indicator = cleaned or None
        previous = mention if mention.indicator else previous


# "城乡居民人均可支配收入均增长7%左右": one figure said of each of a coordinated subject
BOTH_VERB = re.compile(r"[均都](?:增长|提高|上涨|下降|达到|实现|保持|控制|稳定|突破|超过)")


def split_shared_figures(sentence: str, mentions: list[Mention]) -> None:
    """One figure stated for two indicators or more is a record of each: "城乡居民人均可支配收入
    均增长7%左右" (the urban and the rural income), "地区生产总值和一般公共预算收入均增长6%",
    "城镇调查失业率和登记失业率稳定在4.3%左右" (items that are indicators of their own need no 均).
    "城乡居民人均可支配收入增长7%" without 均 may be the one statistic of all residents: left whole.
    A list of figures was given one subject per figure already (distribute_respectively)."""
    live = [m for m in mentions if m.live and m.indicator]
    listed = {
        id(mention)
        for left, right in itertools.pairwise(live)
        if _between(sentence, left, right) in LIST_JOINERS
        for mention in (left, right)
    }
    for mention in live:
        names = None if id(mention) in listed else _subjects_sharing(sentence, mention, mentions)
        if names:
            mention.indicator = names[0]
            mentions += [replace(mention, indicator=name) for name in names[1:]]
    mentions.sort(key=lambda m: m.start)


def _subjects_sharing(sentence: str, mention: Mention, mentions: list[Mention]) -> list[str] | None:
    indicator = mention.indicator
    clause_start, _ = clause_bounds(sentence, mention.start)
    both = bool(BOTH_VERB.search(sentence, clause_start, mention.start))
    parts = [part for part in COORDINATOR.split(indicator) if part]
    if both and len(parts) == 1:
        # "地区生产总值、全社会固定资产投资、金融机构存贷款余额均突破2万亿元": the figure's subject
        # was cut at the last 、; the items before it share the figure too
        indicator = _listed_before(sentence, clause_start, mention.start, indicator) or indicator
        parts = [part for part in COORDINATOR.split(indicator) if part]
    urban_rural = bool(URBAN_AND_RURAL.match(indicator))
    count = 2 if urban_rural else len(parts)
    # without 均 only items that each name an indicator of their own
    if count < 2 or not (both or (not urban_rural and all(OWN_HEAD.search(part) for part in parts))):
        return None
    names = split_coordinated_subject(sentence, indicator, (mention.start, mention.start), mentions, count)
    return names if names and all(len(name) >= MIN_WORDS for name in names) else None


def _listed_before(sentence: str, clause_start: int, figure_start: int, indicator: str) -> str | None:
    """The list of names that ends with `indicator` before the figure ("A、B、C均…" -> "A、B、C")."""
    before = sentence[clause_start:figure_start]
    at = before.rfind(indicator)
    if at <= 0 or before[at - 1] != "、":
        return None
    items = [_strip_pre(item) for item in before[: at - 1].split("、")]
    if not all(len(item) >= MIN_WORDS and _has_noun(item) for item in items):
        return None
    return "、".join([*items, indicator])


RULES: tuple[Rule, ...] = (
    Rule("thresholds_in_lists", ("unit", "start", "end"), ("dropped",), mark_thresholds_in_lists),
    Rule("stretch_values", ("unit", "value"), ("stretch_value", "dropped"), merge_stretch_targets),
    Rule("leading_qualifiers", ("start",), ("qualifier",), apply_leading_qualifiers),
    Rule("list_qualifiers", ("qualifier", "unit"), ("qualifier",), propagate_list_qualifiers),
    Rule("not_records", ("unit", "base_unit", "value"), ("dropped",), drop_figures_that_are_not_records),
    Rule(
        "indicators",
        ("start", "end", "dropped", "unit", "base_unit"),
        ("indicator", "start_level"),
        assign_indicators,
    ),
    Rule("shared_heads", ("indicator",), ("indicator",), share_heads),
    Rule("respectively", ("unit", "start", "indicator"), ("indicator",), distribute_respectively),
    Rule("generic_heads", ("indicator",), ("indicator",), complete_generic_heads),
    Rule("clean_indicators", ("indicator",), ("indicator",), clean_indicators),
    Rule("shared_figures", ("indicator", "start"), ("indicator",), split_shared_figures),
)


MAX_UNNAMED_OPENING = 6  # characters before the first figure: "分别增长", "同比增长"


def _opens_without_subject(sentence: str, first: Mention) -> bool:
    opening = sentence[: first.start]
    return len(opening) <= MAX_UNNAMED_OPENING and not _has_noun(_strip_pre(opening))


def _named_by_label(sentence: str, context: TimeContext, label: str) -> list[dict]:
    """The records of `sentence` read with the label line before it, offsets and evidence in the
    sentence (the evidence quotes the text; the label's words are in the indicator)."""
    shift = len(label)
    records = [r for r in extract_sentence(label + sentence, context) if r["offset"] >= shift]
    for record in records:
        record["offset"] -= shift
        record["offset_end"] -= shift
        evidence = record["evidence"]
        record["evidence"] = evidence[shift:].strip() if evidence.startswith(label) else evidence
    return records


# ---------------------------------------------------------------- missing numbers


def find_missing_mentions(sentence: str) -> list[Mention]:
    """Figures lost in collection ("保持个以上项目库存量", "到年实现"): a unit standing with no number."""
    if not BARE_UNIT.search(sentence):
        return []  # every unit here follows its number: no need to cut the sentence
    cut = words(sentence)
    if MISSING_UNITS.isdisjoint(cut[1:]):
        return []  # the unit characters are inside words ("今年", "人民"): no need to tag
    ends = list(itertools.accumulate(map(len, cut)))
    found = []
    for i in (i for i in range(1, len(cut)) if cut[i] in MISSING_UNITS):
        word = cut[i]
        start, position = ends[i] - len(word), ends[i]
        if word == "年":
            # "到年实现", "为年全面消除": the year itself was lost
            if cut[i - 1] in ("到", "为", "于", "至"):
                found.append(Mention(start, position, start, None, "年", 1.0, "年", missing=True))
            continue
        # only the neighbours' flags are needed: tagging the whole sentence cost more than cutting it
        [(before, before_flag)] = tag_words([cut[i - 1]])
        after, after_flag = tag_words([cut[i + 1]])[0] if i + 1 < len(cut) else ("", "x")
        if before_flag in ("m", "eng", "r", "q") or re.search(r"\d$", before) or before[-1] in COUNT_WORDS:
            continue  # a number, or a word that counts without one ("为首个", "每个"): nothing was lost
        if dictionary_tag(before + word) or dictionary_tag(before[-2:] + word):
            continue  # "个体经营户" (经营户), "养殖户": the unit's character ends a word, nothing was lost
        if word in MONEY_IN_WORDS and after in FLOOR_OR_CEILING_AFTER:
            continue  # "实施亿元以上重大产业项目": a threshold in words
        closes = after == "" or after in ("以上", "以下", "左右") or re.match(r"^[,;:。、)]", after)
        # a verb of one character before a one-character unit is a word cut in two ("夯基垒台");
        # a conjunction is not ("6个省重点项目和个市重点项目")
        verb = before_flag in ("v", "p", "c", "i", "d") and not (
            before_flag == "v" and len(before + word) == 2
        )
        after_verb_or_bound = verb or before in (
            "于",
            "低于",
            "高于",
            "到",
            "为",
        )
        counts_a_noun = after_flag.startswith("n") or after in ("以上", "以下", "左右") or bool(closes)
        after_noun_head = word in NOUN_HEAD_UNITS and (
            (len(before) >= 2 and before_flag.startswith("n")) or before == ")"
        )
        if not ((after_verb_or_bound and counts_a_noun) or (after_noun_head and closes)):
            continue
        if (word == "所" or word[0] in "万亿") and not closes:
            continue  # "幼儿园所属", "万亩蔬菜功能保护区": part of a name, not a lost count
        unit_base = next((u for u in BASE_UNITS if word.endswith(u)), word)
        magnitude = word[: len(word) - len(unit_base)]
        unit, factor, base = unit_parts(magnitude or None, unit_base, None)
        mention = Mention(start, position, start, None, unit, factor, base, missing=True)
        _attach_trailing_qualifier(sentence, mention)
        found.append(mention)
    return found


# ---------------------------------------------------------------- records


def metric_and_direction(sentence: str, mention: Mention, clause_start: int) -> tuple[str, str | None]:
    lead = sentence[clause_start : mention.start]
    direction = "down" if DOWN_WORDS.search(lead) else "up" if UP_WORDS.search(lead) else None
    if mention.unit in ("个百分点", "百分点"):
        return "change", direction
    if mention.unit in ("%", "‰", FRACTION_UNIT):
        # "森林覆盖率提高到62%" is the share reached, "增长6%" a growth
        grows = GROWTH_WORDS.search(lead) and not GROWN_TO.search(lead)
        return ("growth" if grows else "share"), direction
    if mention.unit == "年" or mention.base_unit == "倍" or mention.unit == "":
        return "other", direction
    if COMPARISON.search(lead) and GROWTH_WORDS.search(lead):
        return "change", direction  # "比上年增加0.17万元": a difference in the figure's unit
    return "level", direction


def _states_a_level_reached(before: str, metric: str) -> bool:
    """Whether the figure is where the indicator stands at the end of a span: a level reached
    ("增加到82.7万亿元", "达4270亿元、500.36亿元"), a stock held ("拥有…企业1470家、上市企业74家"),
    or any figure compared with a base year ("分别是2006年的3倍", "比2006年增加81.5平方公里"), which
    is the current figure's."""
    if COMPARED_WITH_A_BASE.search(before) or HOLDING.search(before):
        return True
    return metric in ("level", "share") and bool(REACHED_VERB.search(FIGURES_LISTED_BEFORE.sub("", before)))


def commitment(clause: str) -> str | None:
    if HARD_WORDS.search(clause):
        return "hard"
    if SOFT_WORDS.search(clause):
        return "soft"
    return None


def extract_sentence(sentence: str, context: TimeContext, label: str | None = None) -> list[dict]:
    """All records of one sentence, as dicts with offsets relative to the sentence. `label`: the
    short line above, which names the figures of a sentence that opens without a subject
    ("全年GDP" above "增长5.3%左右")."""
    mentions = find_mentions(sentence)
    if label and mentions and _opens_without_subject(sentence, mentions[0]):
        return _named_by_label(sentence, context, label)
    if mentions:  # each rule works on the figures found; half the sentences have none
        for rule in RULES:
            rule.apply(sentence, mentions)
    # ("突破亿元大关" is one 亿元 passed, a figure: no number was lost there)
    missing = [m for m in find_missing_mentions(sentence) if not _overlaps(m.start, m.end, mentions)]
    for mention in missing:
        apply_leading_qualifiers(sentence, [mention])
        mention.indicator = choose_indicator(sentence, mention, 0)
    records = []
    # find_mentions gives the figures in order; only lost numbers need merging in
    for mention in sorted(mentions + missing, key=lambda m: m.start) if missing else mentions:
        if not mention.live or not mention.indicator:
            continue
        clause_start, clause_end = clause_bounds(sentence, mention.start)
        metric, direction = metric_and_direction(sentence, mention, clause_start)
        before = sentence[clause_start : mention.start]
        timing = resolve(
            sentence,
            clause_start,
            mention.start,
            clause_end,
            context,
            reached_level=_states_a_level_reached(before, metric),
            start_level=mention.start_level,
            planned_figure=bool(
                PLANNED_FIGURE.match(sentence, mention.end)
                or PLANNED_BEFORE.search(sentence, 0, mention.start)
            ),
            lost_year=mention.missing and mention.unit == "年",
        )
        evidence_end = max(clause_end, mention.end)
        if mention.stretch_value is not None and mention.qualifier != RANGE_QUALIFIER:
            evidence_end = clause_bounds(sentence, min(evidence_end + 1, len(sentence) - 1))[1]
        records.append(
            {
                "kind": timing.kind,
                "year": timing.year,
                "indicator": mention.indicator,
                "metric": metric,
                "value": mention.value,
                "value_text": mention.text or None,
                "unit": mention.unit,
                "qualifier": mention.qualifier,
                "stretch_value": mention.stretch_value,
                "value_base": None if mention.value is None else mention.value * mention.factor,
                # a bare 万/亿 that counts no people ("突破百亿大关", "947亿,") names no base unit
                "base_unit": mention.base_unit or (None if mention.unit else ""),
                "missing_value": mention.missing,
                "direction": direction,
                "commitment": commitment(sentence[clause_start:clause_end]),
                "evidence": sentence[clause_start:evidence_end].strip(),
                "period": timing.period,
                "year_source": timing.year_source,
                "offset": mention.start,
                "offset_end": mention.end,
            }
        )
    return records

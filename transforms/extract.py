"""Sentences -> target and achievement records.

Each sentence is handled on its own (a batched function over the sentences frame); the rules
are general ones about how Chinese policy text states figures, never about particular reports.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from govtargets.transforms.lexicon import pos_tags, tag_words, words
from govtargets.transforms.numbers import (
    BASE_UNITS,
    CHINESE_NUMERALS,
    CLASSIFIERS,
    FRACTION,
    FRACTION_UNIT,
    MENTION,
    PERCENT_UNITS,
    is_counting_chinese_numeral,
    parse_fraction,
    parse_number,
    unit_parts,
)

# Documents loaded by another version are extracted again: bump when records or keywords change.
EXTRACTOR_VERSION = "0.2.0"

CLAUSE_DELIMITERS = ",;:。!?"
LIST_DELIMITERS = "、"
TRAILING_QUALIFIERS = ("以上", "左右", "以内", "以下")
# Leading bound words, longest first; a short verb may stand between them and the number.
LEADING_QUALIFIER = re.compile(
    r"(不少于|不低于|不超过|不高于|超过|突破|至少|超)(?:达到|建成|完成|实现|新增|引进|达)?$"
)
STRETCH_BRIDGE = re.compile(r"^[,]?(?:力争|争取)(?:达到|实现|增长|突破)?$")
RANGE_TAIL = re.compile(r"^[-—–~至到](\d+(?:\.\d+)?)")
# After a measure (money, power, area), 以上/以下 + a noun, or 的, makes the figure a size
# threshold of what follows ("投资5000万元以上的项目", "30万千瓦以下燃煤机组"), not a record.
THRESHOLD_TAIL = re.compile(r"^(?:(?:以上|以下|及以上)?的|(?:以上|以下)[\u4e00-\u9fff])")
HAN_NEXT = re.compile(r"^[“\u4e00-\u9fff]")
OVER_THRESHOLD = re.compile(r"(?<![超通])过$")  # "营收过100亿元的企业"; not 超过 (a bound word)
NOT_VALUE_BEFORE = re.compile(r"(?:第|[A-Za-z]|[×x*+·.])$")
NOT_VALUE_AFTER = re.compile(r"^[A-Za-z×·+]")

GROWTH_WORDS = re.compile(r"(增长|增速|增幅|涨幅|上涨|提高|提升|增加|下降|降低|减少|压减|回落|下降到)")
UP_WORDS = re.compile(r"增长|增速|增幅|涨幅|上涨|提高|提升|增加|扩大|新增")
DOWN_WORDS = re.compile(r"下降|降低|减少|压减|回落|压降|削减")
HARD_WORDS = re.compile(r"确保|必须|坚决|务必|严格控制|严守")
SOFT_WORDS = re.compile(r"力争|争取|努力|力求|尽力|争创")

# Words that open a clause but are not part of what is measured.
LEADING_NOISE = re.compile(
    r"^(?:其中|全市|全省|全县|全区|全国|全年|年内|今年|当年|首次|累计|共|当期|同时|力争|确保|争取|努力|"
    r"[一二三四五两\d]+年内|到\d{4}年(?:底|末)?|\d{4}年|去年|预计)+"
)
TRAILING_VERBS = re.compile(
    r"(?:分别|均|都|将|要|可|已)?(?:增长|下降|提高|降低|增加|减少|压减|压降|削减|上涨|达到|达|控制在|稳定在|保持在|保持|"
    r"突破|超过|超|为|到|至|发展到|提高到|提升到|扩大到|增加到|下降到|实现|完成|不少于|不低于|不超过|至少|"
    r"分别|由|从|约|近|在|是)+$"
)
# Verbs that define the measure itself and so stay in the indicator ("新增学位", "新开工棚户区").
MEASURE_VERBS = re.compile(
    r"^(?:新增|新建|新开工|新改建|新改扩建|新扩建|改扩建|新集聚|新培育|新认定|新开发|新开通|新筹集|新登记|引进|改造|整治改造|关停|治理|新设|新引进|新入选|新获批|新创建)"
)
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
STOP_FLAGS = ("v", "d", "ad", "p", "c", "u", "ud", "uj", "ul", "uz", "y", "r", "vd")

PAST_YEAR_OPENING = re.compile(r"^(?:去年|上年|(\d{4})年(?:,|以来|全市|全省|我市))")
YEARS_WITHIN = re.compile(r"([一二三四五两\d])年内")
BY_YEAR = re.compile(r"到(\d{4})年")
START_LEVEL = re.compile(r"由$|从$")

# Units that can close "幼儿园所", "床位张" (a count whose number was lost after its noun);
# 条/项/名 are left out because they end ordinary words ("产业链条", "事项", "人名").
NOUN_HEAD_UNITS = frozenset({"所", "张", "处", "套", "座", "台", "辆", "家", "个", "户"})
MISSING_UNITS = frozenset(
    {
        "个",
        "家",
        "处",
        "所",
        "张",
        "项",
        "名",
        "套",
        "户",
        "条",
        "座",
        "台",
        "辆",
        "场",
        "年",
        "亿元",
        "万元",
        "万人",
        "人",
        "公里",
        "亩",
        "万亩",
        "吨",
        "万吨",
    }
)


# A unit word not right after a digit or numeral: the only place a lost number can be. (The
# lookahead for a unit's first character only lets the scan skip other characters fast.)
BARE_UNIT = re.compile(
    rf"(?=[{''.join(sorted({unit[0] for unit in MISSING_UNITS}))}])"
    rf"(?<![\d{CHINESE_NUMERALS}])(?:{'|'.join(sorted(MISSING_UNITS, key=len, reverse=True))})"
)


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
    threshold: bool = False
    consumed: bool = False
    start_level: bool = False
    indicator: str | None = None
    text: str = ""  # the number as written


# ---------------------------------------------------------------- spans


QUOTES = (("“", "”"), ("《", "》"), ('"', '"'))
QUOTE_OPENER = re.compile("|".join(opener for opener, _ in QUOTES))


def quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans inside “…” and 《…》: numbers there are names ("黄金30条"), not figures."""
    spans = []
    if not QUOTE_OPENER.search(sentence):
        return spans  # most sentences quote nothing
    for opener, closer in QUOTES:
        start = sentence.find(opener)
        while start != -1:
            end = sentence.find(closer, start + 1)
            if end == -1:
                break
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


# ---------------------------------------------------------------- mentions


def _mention_from_match(sentence: str, match: re.Match) -> Mention | None:
    number, pct, base, mag = match.group("num"), match.group("pct"), match.group("base"), match.group("mag")
    if not (pct or base):
        return None
    if not number[0].isdigit() and not is_counting_chinese_numeral(number):
        return None
    if NOT_VALUE_BEFORE.search(sentence[: match.start()]) or NOT_VALUE_AFTER.match(sentence[match.end() :]):
        return None
    unit, factor, base_unit = unit_parts(mag, base, pct)
    mention = Mention(
        start=match.start(),
        end=match.end(),
        number_end=match.start() + len(number),
        value=parse_number(number),
        unit=unit,
        factor=factor,
        base_unit=base_unit,
    )
    if match.group("approx1") or match.group("approx2"):
        mention.qualifier = match.group("approx1") or match.group("approx2")
    if match.group("num2"):
        mention.stretch_value, mention.qualifier = float(match.group("num2")), "区间"
    return mention


def _attach_range_tail(sentence: str, mention: Mention) -> None:
    """ "4.5%-5%": the upper bound written with its own unit."""
    tail = RANGE_TAIL.match(sentence[mention.end :])
    if tail and sentence[mention.end + tail.end() :].startswith(mention.unit):
        mention.stretch_value, mention.qualifier = float(tail.group(1)), "区间"
        mention.end += tail.end() + len(mention.unit)


def _attach_trailing_qualifier(sentence: str, mention: Mention) -> None:
    rest = sentence[mention.end :]
    for word in TRAILING_QUALIFIERS:
        if rest.startswith(word):
            if mention.qualifier in ("", "余", "多"):
                mention.qualifier = word
            mention.end += len(word)
            return


def _is_threshold(sentence: str, mention: Mention) -> bool:
    if mention.unit in PERCENT_UNITS or mention.base_unit in CLASSIFIERS:
        return False
    if not sentence[mention.start].isdigit() and HAN_NEXT.match(sentence[mention.end :]):
        return True  # "百万亩“吨半粮”示范区": a size in words qualifying a name
    after = sentence[
        mention.end - (len(mention.qualifier) if mention.qualifier in TRAILING_QUALIFIERS else 0) :
    ]
    return bool(THRESHOLD_TAIL.match(after))


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
        mention.text = sentence[mention.start : mention.number_end]
        _attach_range_tail(sentence, mention)
        mention.threshold = _is_threshold(sentence, mention)
        _attach_trailing_qualifier(sentence, mention)
        mentions.append(mention)
    fractions = _fractions(sentence, mentions, quoted)
    # finditer gives the figures in order already; only fractions need merging in
    return sorted(mentions + fractions, key=lambda m: m.start) if fractions else mentions


def _fractions(sentence: str, mentions: list[Mention], quoted: list[tuple[int, int]]) -> list[Mention]:
    if "/" not in sentence and "分之" not in sentence:
        return []  # neither way of writing a fraction is there: skip the regex scan
    found = []
    for match in FRACTION.finditer(sentence):
        inside_other = any(
            m.start <= match.start() < m.end or match.start() <= m.start < match.end() for m in mentions
        )
        value = parse_fraction(match)
        if value is None or inside_other or any(a < match.start() < b for a, b in quoted):
            continue
        mention = Mention(match.start(), match.end(), match.end(), value, FRACTION_UNIT, 100.0, "%")
        mention.text = match.group(0)
        _attach_trailing_qualifier(sentence, mention)
        found.append(mention)
    return found


def _between(sentence: str, left: Mention, right: Mention) -> str:
    return sentence[left.end : right.start]


def mark_thresholds_in_lists(sentence: str, mentions: list[Mention]) -> None:
    """ "过300亿元、100亿元…的企业": a threshold at the list's end or 过 at its head marks every item."""
    for i, mention in enumerate(mentions):
        if OVER_THRESHOLD.search(sentence[: mention.start]):
            mention.threshold = True
        if i and mentions[i - 1].threshold and _between(sentence, mentions[i - 1], mention) == "、":
            mention.threshold = mention.threshold or mentions[i - 1].unit == mention.unit
    for i in range(len(mentions) - 2, -1, -1):
        left, right = mentions[i], mentions[i + 1]
        if right.threshold and _between(sentence, left, right) == "、" and left.unit == right.unit:
            left.threshold = True


def merge_stretch_targets(sentence: str, mentions: list[Mention]) -> None:
    """ "增长6%,力争6.5%": 6.5 is the stretch value of the 6% record, not a record of its own."""
    for left, right in itertools.pairwise(mentions):
        if left.consumed or left.stretch_value is not None or left.unit != right.unit:
            continue
        if STRETCH_BRIDGE.match(_between(sentence, left, right)):
            left.stretch_value = right.value
            right.consumed = True


def apply_leading_qualifiers(sentence: str, mentions: list[Mention]) -> None:
    for mention in mentions:
        if mention.qualifier:
            continue
        lead = LEADING_QUALIFIER.search(sentence[: mention.start])
        if lead:
            mention.qualifier = lead.group(1)
            continue
        clause_start, _ = clause_bounds(sentence, mention.start)
        if sentence[clause_start : mention.start].startswith("力争"):
            mention.qualifier = "力争"


def propagate_list_qualifiers(sentence: str, mentions: list[Mention]) -> None:
    """One bound word closing a list ("85%、80%、98%以上") applies to every item."""
    for i in range(len(mentions) - 2, -1, -1):
        left, right = mentions[i], mentions[i + 1]
        if (
            not left.qualifier
            and right.qualifier in TRAILING_QUALIFIERS
            and _between(sentence, left, right) == "、"
        ):
            left.qualifier = right.qualifier


# ---------------------------------------------------------------- indicators


def _strip_pre(text: str) -> str:
    text = text.strip("、,和及与")
    previous = None
    while previous != text:
        previous = text
        text = LEADING_NOISE.sub("", text)
        text = TRAILING_VERBS.sub("", text)
        text = LEADING_QUALIFIER.sub("", text)
        text = text.rstrip("的")
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


QUOTED = re.compile(r"(“[^”]*”)")
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
    """The noun phrase a count qualifies: "市级重点项目" in "110个市级重点项目、100个…"."""
    if not text:
        return ""  # the figure ends its clause
    text = THRESHOLD_PREFIX.sub("", _first_list_item(text))  # "投资5000万元以上的X" -> "X"
    kept: list[str] = []
    has_noun = False
    for word, flag in tags_keeping_quotes(text):
        if not kept and flag in ("u", "uj", "ul", "ud"):
            continue  # "50%以上的规模以上企业": skip the linking 的
        if not kept and flag in ("p", "c"):
            break
        if kept and has_noun and flag in STOP_FLAGS:
            break
        if word == "、" and len("".join(kept)) <= 1:
            kept.append(word)
            continue
        kept.append(word)
        has_noun = has_noun or (
            flag.startswith(NOMINAL_FLAGS) and flag not in STOP_FLAGS and flag not in ("b", "a", "m", "q")
        )
    return "".join(kept).strip("的")


def choose_indicator(sentence: str, mention: Mention, previous_end: int) -> str | None:
    clause_start, _ = clause_bounds(sentence, mention.start, CLAUSE_DELIMITERS + LIST_DELIMITERS)
    _, clause_end = clause_bounds(sentence, mention.start)  # _first_list_item splits lists itself
    if mention.unit == "年" and sentence[: mention.start].endswith("提前"):
        return "提前" + sentence[mention.end : clause_end]
    pre_raw = sentence[max(clause_start, previous_end) : mention.start]
    stripped = _strip_pre(pre_raw)
    pre = _drop_leading_verbs(stripped) if stripped else ""
    pre_names = bool(pre) and _has_noun(pre)
    states_metric = bool(GROWTH_WORDS.search(pre_raw[-6:])) or re.search(r"(达到|控制在|稳定在|为)$", pre_raw)
    if pre_names and states_metric:
        return pre  # "X增长6%": what follows the figure cannot outrank X, so it is not looked at
    post = _noun_phrase_after(sentence[mention.end : clause_end])
    post_names = len(post) >= 2 and _has_noun(post)
    if pre_names and not post_names:
        return pre
    if post_names:
        return post
    return pre if len(pre) >= 2 and pre_names else None


def distribute_respectively(sentence: str, mentions: list[Mention]) -> None:
    """ "城镇和农村居民人均可支配收入分别增长7%和7.5%": one subject per figure."""
    position = sentence.find("分别")
    if position == -1:
        return
    _, clause_end = clause_bounds(sentence, position)
    group = [m for m in mentions if position < m.start < clause_end and not m.consumed and not m.threshold]
    if len(group) < 2:
        return
    clause_start = max(sentence.rfind(d, 0, position) for d in CLAUSE_DELIMITERS) + 1
    subject = _strip_pre(sentence[clause_start:position])
    subjects = split_coordinated_subject(sentence, subject, (clause_start, position), mentions, len(group))
    if subjects:
        for mention, name in zip(group, subjects):
            mention.indicator = name


def split_coordinated_subject(
    sentence: str, subject: str, span: tuple[int, int], mentions: list[Mention], count: int
) -> list[str] | None:
    start, end = span
    thresholds = [m for m in mentions if m.threshold and start <= m.start < end]
    if len(thresholds) == count:
        # "营业收入过300亿元、100亿元的企业": one subject per threshold
        head = _strip_pre(sentence[start : thresholds[0].start])
        tail = sentence[thresholds[-1].end : end]
        return [head + sentence[m.start : m.end] + tail for m in thresholds]
    if subject.startswith("城乡") and count == 2:
        rest = subject[2:]
        return ["城镇" + rest, "农村" + rest]
    parts = [p for p in re.split(r"[、和及与]", subject) if p]
    if len(parts) != count:
        return None
    last_words = [w for w, _ in pos_tags(parts[-1])]
    head = "".join(last_words[1:]) if len(last_words) > 1 else ""
    return [p + head if i < count - 1 else p for i, p in enumerate(parts)]


def share_heads(sentence: str, mentions: list[Mention]) -> None:
    """ "3个市级和15个县级重点医疗卫生项目": a bare modifier borrows the next item's head noun."""
    live = [m for m in mentions if not m.consumed and not m.threshold]
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
    return _strip_pre(sentence[max(clause_start, previous_end) : mention.start])


def _continued_subject(verb: str, previous_indicator: str) -> str:
    """The previous subject, or its head noun under this figure's own verb ("挂牌" + "企业")."""
    return verb + pos_tags(previous_indicator)[-1][0] if verb else previous_indicator


def assign_indicators(sentence: str, mentions: list[Mention]) -> None:
    previous_end = 0
    previous: Mention | None = None
    for mention in mentions:
        if mention.consumed:
            continue
        if mention.threshold:
            previous_end = mention.end
            continue
        if mention.indicator is None:
            mention.indicator = choose_indicator(sentence, mention, previous_end)
        if (
            mention.indicator is None
            and previous is not None
            and previous.indicator
            and ";" not in _between(sentence, previous, mention)
        ):
            # "6台、15.5万千瓦", "由1390家,发展到2000家": the figure continues the last subject;
            # "新增上市企业4家、挂牌50家": a verb of its own applies to the same head noun
            mention.indicator = _continued_subject(
                _own_verb(sentence, mention, previous_end), previous.indicator
            )
        if START_LEVEL.search(sentence[: mention.start]):
            mention.start_level = True
        previous_end, previous = mention.end, mention


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
        if before_flag in ("m", "eng", "r", "q") or re.search(r"\d$", before):
            continue
        closes = after == "" or after in ("以上", "以下", "左右") or re.match(r"^[,;:。、)]", after)
        after_verb_or_bound = before_flag in ("v", "p", "c", "i", "d") or before in (
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
        return ("growth" if GROWTH_WORDS.search(lead) else "share"), direction
    if mention.unit == "年" or mention.base_unit == "倍":
        return "other", direction
    return "level", direction


def commitment(clause: str) -> str | None:
    if HARD_WORDS.search(clause):
        return "hard"
    if SOFT_WORDS.search(clause):
        return "soft"
    return None


def kind_and_year(
    sentence: str, section_kind: str, section_year: int | None, mention: Mention
) -> tuple[str, int | None]:
    past = PAST_YEAR_OPENING.match(sentence)
    if section_kind == "review":
        return "achievement", section_year
    if mention.start_level:
        return "achievement", section_year - 1 if section_year else None
    if past and section_year:
        year = int(past.group(1)) if past.group(1) else section_year - 1
        if year < section_year:
            return "achievement", year
    by_year = BY_YEAR.search(sentence[: mention.start])
    if by_year:
        return "target", int(by_year.group(1))
    within = YEARS_WITHIN.search(sentence)
    if within and section_year:
        span = parse_number(within.group(1))
        return "target", section_year + int(span) - 1
    return "target", section_year


def extract_sentence(sentence: str, section_kind: str, section_year: int | None) -> list[dict]:
    """All records of one sentence, as dicts with offsets relative to the sentence."""
    mentions = find_mentions(sentence)
    if mentions:  # each step works on the figures found; half the sentences have none
        mark_thresholds_in_lists(sentence, mentions)
        merge_stretch_targets(sentence, mentions)
        apply_leading_qualifiers(sentence, mentions)
        propagate_list_qualifiers(sentence, mentions)
        distribute_respectively(sentence, mentions)
        assign_indicators(sentence, mentions)
        share_heads(sentence, mentions)
    missing = find_missing_mentions(sentence)
    for mention in missing:
        apply_leading_qualifiers(sentence, [mention])
        mention.indicator = choose_indicator(sentence, mention, 0)
    records = []
    # find_mentions gives the figures in order; only lost numbers need merging in
    for mention in sorted(mentions + missing, key=lambda m: m.start) if missing else mentions:
        if mention.consumed or mention.threshold or not mention.indicator:
            continue
        clause_start, clause_end = clause_bounds(sentence, mention.start)
        metric, direction = metric_and_direction(sentence, mention, clause_start)
        kind, year = kind_and_year(sentence, section_kind, section_year, mention)
        if mention.missing and mention.unit == "年":
            year = None
        evidence_end = max(clause_end, mention.end)
        if mention.stretch_value is not None and mention.qualifier != "区间":
            evidence_end = clause_bounds(sentence, min(evidence_end + 1, len(sentence) - 1))[1]
        records.append(
            {
                "kind": kind,
                "year": year,
                "indicator": mention.indicator,
                "metric": metric,
                "value": mention.value,
                "value_text": mention.text or None,
                "unit": mention.unit,
                "qualifier": mention.qualifier,
                "stretch_value": mention.stretch_value,
                "value_base": None if mention.value is None else mention.value * mention.factor,
                "base_unit": mention.base_unit or mention.unit,
                "missing_value": mention.missing,
                "direction": direction,
                "commitment": commitment(sentence[clause_start:clause_end]),
                "evidence": sentence[clause_start:evidence_end].strip(),
                "offset": mention.start,
                "offset_end": mention.end,
            }
        )
    return records

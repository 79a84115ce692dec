"""Document structure and metadata from normalized text: sections, sentences, region, year, type."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from govtargets.transforms.lexicon import dictionary_places, dictionary_tag, pos_tags, words
from govtargets.transforms.normalize import FULL_STOP, HEADING_LEVELS
from govtargets.transforms.numbers import MENTION, parse_chinese_numeral
from govtargets.transforms.timing import (
    ACHIEVEMENT,
    CARRIED,
    CONTEXT,
    HEAD_CHARS,
    MULTI,
    TARGET,
    WORDED,
    YEAR,
    Cue,
    delivery_date,
    detect_plan_year,
    heading_cue,
    last_time_cue,
    provincial_session_year,
)
from govtargets.transforms.vocabulary import area_name_pattern, rows, word_pattern
from govtargets.transforms.vocabulary import words as vocabulary_words


def chinese_small_number(text: str) -> int | None:
    """'十八' -> 18, '三' -> 3: session and term numbers."""
    value = parse_chinese_numeral(text) if text else None
    return int(value) if value is not None else None


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class Line:
    start: int
    text: str


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        lines.append(Line(offset, raw))
        offset += len(raw) + 1
    return lines


def has_figure(line: str) -> bool:
    return any(match.group("pct") or match.group("base") for match in MENTION.finditer(line))


def heading_level(line: str) -> int | None:
    """Level of a heading line, None for body text.

    A numbered line that goes on into full sentences ("(一)经济运行承压稳进。健全…") opens a
    section all the same; an unnumbered short line without sentence punctuation is a level-2 heading.
    """
    numbered = enumerator_level(line)
    if numbered is not None:
        return numbered
    # a short line with a figure is a bullet item ("固定资产投资增长4.1%"), not a heading, nor is
    # one that ends as a list item does ("●进出口顶住压力、逆势实现正增长;")
    if (
        len(line) <= 40
        and not FULL_STOP.search(line)
        and not re.search(r"[,;]", line)
        and not has_figure(line)
    ):
        return 2
    return None


def enumerator_level(line: str) -> int | None:
    """The level of the enumerator a line opens with (HEADING_LEVELS), None for an unnumbered line."""
    return next((level for level, pattern in HEADING_LEVELS if pattern.match(line)), None)


def document_levels(lines: list[Line]) -> dict[int, int]:
    """Enumerator level -> the level it has in this document. A document's outermost sections
    use the enumerator style that comes first: a copy that numbers its parts "1." and their
    sections "(一)", or "(一)" and "一、", nests them in that order, not in the usual one."""
    order: list[int] = []
    for line in lines:
        level = enumerator_level(line.text)
        if level is not None and level not in order and heading_level(line.text) is not None:
            order.append(level)
    return dict(zip(order, sorted(order), strict=True))


def heading_title(line: str) -> str:
    first_sentence = FULL_STOP.split(line, maxsplit=1)[0]
    return first_sentence[:60]


# ---------------------------------------------------------------- metadata

SESSION = re.compile(
    r"第?([一二三四五六七八九十]+)届\s*(?:人民代表大会|人大)(?:常务委员会)?第?([一二三四五六七八九十]+)次(?:全体)?会议"
)
ADMIN_SUFFIX = word_pattern("admin_suffix")
AUTHORITY = rf"(?={word_pattern('authority')})"
# Up to 12 characters before the suffix: 双江拉祜族佤族布朗族傣族自治县 (an autonomous area names its peoples)
PLACE_BEFORE_AUTHORITY = re.compile(rf"([\u4e00-\u9fff]{{1,12}}?)({ADMIN_SUFFIX}){AUTHORITY}")
# Where a PLACE_BEFORE_AUTHORITY match can end: a regex that starts with its suffix scans fast.
SUFFIX_BEFORE_AUTHORITY = re.compile(ADMIN_SUFFIX + AUTHORITY)
# How a text speaks of its own area ("我市", "全县"), by the suffix of the area's name.
OWN_AREA = {suffix: re.compile(rf"[我全]{suffix}") for suffix in ("市", "省", "县", "区", "州")}
# The title of who delivers the report says its area's level as 我市 does: "代市长陈冬昨日在政府
# 工作报告中提出", "应勇市长作政府工作报告", "州长黄政红向大会作《政府工作报告》", "省长…在省第十一届人民代表大会第三次会议上作政府工作报告".
SPEAKER = {
    suffix: re.compile(
        rf"(?<![城全我各]){suffix}长[\u4e00-\u9fff]{{0,3}}?(?:昨日|昨天|今日|今天)?(?:向大会)?(?:在|作)[^。\n]{{0,30}}?政府工作报告"
    )
    for suffix in OWN_AREA
}


def is_place_name(name: str) -> bool:
    """A word jieba's dictionary knows as a place (ns): 德州市, 山东省, 聊城; or the short name of
    an autonomous area it knows (迪庆州 for 迪庆藏族自治州)."""
    return dictionary_tag(name) == "ns" or name in _autonomous_areas()


def _longest_place_ending(prefix: str, suffix: str) -> str | None:
    for size in range(min(len(prefix), 12), 6, -1):  # only a name jieba knows is that long
        if is_place_name(prefix[-size:] + suffix):
            return prefix[-size:] + suffix
    for size in range(min(len(prefix), 6), 1, -1):
        name = prefix[-size:] + suffix
        if is_place_name(name) or is_place_name(prefix[-size:]):
            return name
    return None


def _lines_matching(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of `text` in which `pattern` matches, in order."""
    spans = []
    for match in pattern.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if spans and start == spans[-1][0]:
            continue
        end = text.find("\n", match.start())
        spans.append((start, len(text) if end == -1 else end))
    return spans


def _authority_places(text: str) -> Counter:
    found = Counter()
    # A match is Han characters only, so it stays inside one line: only lines where a suffix
    # stands before an authority are searched for the name before it.
    matches = (
        match
        for start, end in _lines_matching(SUFFIX_BEFORE_AUTHORITY, text)
        for match in PLACE_BEFORE_AUTHORITY.finditer(text, start, end)
    )
    for match in matches:
        name = _longest_place_ending(*match.groups())
        if name:
            found[name] += 1
    return found


OWN_NAME_PHRASES = tuple(re.compile(pattern) for pattern in vocabulary_words("own_name_phrase"))


def _named_in_passing(text: str) -> str | None:
    """The area a report names in a phrase about itself ("是柳林发展史上…"), with the suffix of
    its own area (我县, 全市) or, where it speaks of none, the one suffix that makes it a place."""
    names = {
        match.group("name") for phrase in OWN_NAME_PHRASES for match in phrase.finditer(text[:HEAD_CHARS])
    }
    spoken = [suffix for suffix, own in OWN_AREA.items() if own.search(text)] or list(OWN_AREA)
    places = {name + suffix for name in names for suffix in spoken if is_place_name(name + suffix)}
    return places.pop() if len(places) == 1 else None


def _dominant_own_place(text: str) -> str | None:
    """Reports often name their own area only in passing ("我县", "柳林发展史上"): take the place
    with the suffix the text uses for its own area that the text names most. "我市" is the text
    speaking of itself, so one mention of the only such place is enough, as where its speaker is
    the 市长; "全省" alone also speaks of the province a city is in ("全省第二"), so the place must
    stand out (three mentions)."""
    tokens: Counter | None = None
    for suffix, own in OWN_AREA.items():
        spoken = {match.group(0)[0] for match in own.finditer(text)}
        if SPEAKER[suffix].search(text[:HEAD_CHARS]):
            spoken.add("我")
        if not spoken:
            continue
        tokens = tokens if tokens is not None else Counter(words(text))  # counted in C, filtered below
        counts = Counter()
        for word, n in tokens.items():
            # "拉萨" with 我市 counts for 拉萨市, and so does the full name "拉萨市"; a common word
            # does not ("乡村振兴", "中心" with 我区 are no 振兴区, 中心区) unless the text writes the
            # full name
            name = word if len(word) >= 3 and word.endswith(suffix) else word + suffix
            if len(word) < 2 or not is_place_name(name):
                # asked first: a lookup, where `name not in text` reads the whole text for each word
                # (that was a quarter of ingesting the benchmark corpus)
                continue
            common = name != word and dictionary_tag(word) in COMMON_WORD_TAGS and name not in text
            if not common:
                counts[name] += n
        ranked = counts.most_common(2) + [("", 0), ("", 0)]
        (best, n), (_, runner_up) = ranked[0], ranked[1]
        least = 1 if "我" in spoken else MIN_MENTIONS_OF_OWN_PLACE
        if n >= least and n >= 2 * runner_up:
            return best
    return None


MIN_MENTIONS_OF_OWN_PLACE = 3
COMMON_WORD_TAGS = ("n", "v", "vn", "vd", "d")  # jieba's tags of words that are no names


def _most_named(candidates: Counter) -> str | None:
    ranked = candidates.most_common(2) + [("", 0), ("", 0)]
    return ranked[0][0] if ranked[0][1] > ranked[1][1] else None


# "牟定县人民政府", "在饶阳县第十七届人民代表大会", "我代表和县人民政府": a name that jieba's dictionary
# may not know, standing alone between a boundary (a line's start, 在, 代表, punctuation) and its
# authority.
NAME_BEFORE_AUTHORITY = re.compile(
    rf"(?m)(?:^|在|代表|(?:19|20)\d{{2}}年|[\s(,。:)的])(?P<name>(?![我全本各该])[\u4e00-\u9fff]{{1,8}}?)"
    rf"(?P<suffix>{ADMIN_SUFFIX})\s?{AUTHORITY}"
)
NOT_A_NAME = re.compile(r"[届年月日在市省县区州的]")
SESSION_AFTER = re.compile(rf"(?:召开|举行)?{SESSION.pattern}")  # "天全县召开第十七届人民代表大会第二次会议"
# "赣州市章贡区人民政府": the area named after the area it is part of
WITHIN_AREA = re.compile(r"^[\u4e00-\u9fff]{1,5}[省市州](?=[^省市州县区]{1,5}$)")


def _is_a_phrase(name: str) -> bool:
    """Words with a verb or a particle among others are no name ("毛超峰宣布周口", "出席了"); a
    name jieba does not know may be tagged as one word of any kind ("牟定": v)."""
    tags = pos_tags(name)
    return len(tags) > 1 and any(
        (flag.startswith("v") and len(word) > 1) or flag.startswith("u") for word, flag in tags
    )


def _named_before_authority(text: str) -> str | None:
    """The area a report names before its own authorities, where jieba does not know it: twice at
    least, or once where the report says at which congress session it is delivered ("在和硕县第十七届
    人民代表大会第三次会议上", "瞩目的周口市第二届人民代表大会第四次会议", ",白云区十四届人大五次会议";
    "备受瞩目的县第十六届人民代表大会…" names no one)."""
    names, at_session = Counter(), set()
    for match in NAME_BEFORE_AUTHORITY.finditer(text[:HEAD_CHARS]):
        name = WITHIN_AREA.sub("", match["name"])
        if NOT_A_NAME.search(name) or _is_a_phrase(name):
            continue
        names[name + match["suffix"]] += 1
        if SESSION_AFTER.match(text, match.end()) and (
            match.group(0).startswith("在") or 2 <= len(name) <= 4
        ):
            at_session.add(name + match["suffix"])
    name = _most_named(names)
    return name if name and (names[name] >= 2 or name in at_session) else None


def detect_region(text: str) -> str | None:
    """The issuing government's area, from how the text names its authorities; None when unsure."""
    candidates = _authority_places(text)
    if candidates:
        region = _most_named(candidates)
    else:
        national = _first_cue("region", text)
        region = (
            national or _named_in_passing(text) or _named_before_authority(text) or _dominant_own_place(text)
        )
    return official_name(region) if region else None


def official_name(area: str) -> str:
    """An autonomous area by its full name, as the other areas go by theirs: a text's "黔东南州"
    (its short name and level) is 黔东南苗族侗族自治州, so one area has one name in the warehouse."""
    return _autonomous_areas().get(area, area)


@lru_cache(maxsize=1)
def _autonomous_areas() -> dict[str, str]:
    """The full name of each autonomous area jieba's dictionary knows, by its short name and level
    (黔东南州, 新疆区) and by a shorter form of its full name (新疆自治区): the one that names its
    peoples (新疆维吾尔自治区). Where two names are as long, the short form is left out."""
    short_form = re.compile(area_name_pattern())
    found: dict[str, set[str]] = {}
    for place in dictionary_places():
        if "自治" in place and (match := short_form.match(place)):
            found.setdefault(match.group(1) + place[-1], set()).add(place)
    official = {}
    for short, names in found.items():
        longest = max(names, key=len)
        if sum(len(name) == len(longest) for name in names) == 1:
            official |= dict.fromkeys((short, *names), longest)
    return official


@lru_cache(maxsize=1)
def _document_cues() -> tuple[tuple[str, str, re.Pattern, re.Pattern | None], ...]:
    return tuple(
        (
            row["field"],
            row["value"],
            re.compile(row["pattern"]),
            re.compile(row["also"]) if row["also"] else None,
        )
        for row in rows("document_cues")
    )


def _first_cue(field: str, text: str) -> str | None:
    """The value of the first cue of vocab/document_cues.csv for `field` that the text has: its
    pattern in the head of the text, and its second pattern, if any, anywhere."""
    head = text[:HEAD_CHARS]
    for cue_field, value, pattern, also in _document_cues():
        if cue_field == field and pattern.search(head) and (also is None or also.search(text)):
            return value
    return None


def detect_doc_type(text: str) -> str | None:
    return _first_cue("doc_type", text)


def detect_session(text: str) -> tuple[int | None, int | None]:
    found = SESSION.search(text[:3000])
    if not found:
        return None, None
    return chinese_small_number(found.group(1)), chinese_small_number(found.group(2))


def detect_delivered_on(text: str) -> str | None:
    """The ISO date of "2024年1月8日在…上"; None when there is none, or it is no real date (a typo
    such as 1月53日 is unsure metadata, and would fail the warehouse's date column)."""
    found = delivery_date(text)
    if not found:
        return None
    try:
        return date(*found).isoformat()
    except ValueError:
        return None


def document_metadata(text: str) -> dict:
    term, session_no = detect_session(text)
    region = detect_region(text)
    year, year_source = detect_plan_year(text), "text"
    if year is None:
        year, year_source = provincial_session_year(text, region, session_no), "session"
    return {
        "region": region,
        "year": year,
        "year_source": year_source if year is not None else None,
        "doc_type": detect_doc_type(text),
        "delivered_on": detect_delivered_on(text),
        "congress_term": term,
        "session_no": session_no,
    }


# ---------------------------------------------------------------- sentences

SENTENCE_SPLIT = re.compile(r"[^。！？!?\n]+[。！？!?]?")


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    cue: Cue | None
    numbered: bool


def _enter_heading(path: list[Heading], line: str, level: int, plan_year: int | None) -> list[Heading]:
    """The heading path after the heading `line`: it replaces the headings of its level and below.

    An unnumbered line without a cue of its own ("举全市之力办好亚运会" after "2022年部分重点
    工作") carries on the section of the cued heading it follows at its level: bullet summaries
    list topics under one dated heading. A numbered one ("二、…") starts a section of its own.
    """
    title = heading_title(line)
    kept = [heading for heading in path if heading.level < level]
    parent = next((heading.cue for heading in reversed(kept) if heading.cue), None)
    cue = None if DAY_DATE.search(title) else heading_cue(title, plan_year, parent)
    numbered = enumerator_level(line) is not None
    if not numbered and (cue is None or not cue.tells_time):
        # a topic line ("粮食单产创历史新高") does not end the dated list it stands in
        sibling = next((h for h in reversed(path) if h.level == level and h.cue and h.cue.tells_time), None)
        cue = sibling.cue if sibling else cue
    return [*kept, Heading(level, title, cue, numbered)]


# An unnumbered heading that dates a review or a plan ("2017年工作回顾" above "一、…" "二、…") is a
# part of its own, above every numbered heading.
PART_LEVEL = -1


WRITTEN_YEAR = re.compile(r"(?:19|20)\d{2}")


def _dates_a_part(line: str, plan_year: int | None) -> bool:
    """The line writes out the year of a review or a plan ("2017年工作回顾"; not "一年来的主要工作")."""
    if not WRITTEN_YEAR.search(line) or DAY_DATE.search(line):
        return False
    cue = heading_cue(heading_title(line), plan_year, None)
    return cue is not None and cue.year is not None and cue.kind is not None


# "全年GDP\n增长5.3%左右": a card or bullet layout puts a figure's name on the line above it.
MAX_LABEL = 40
LABEL_END = re.compile(r"[。!?;:,、]$")


def _is_a_label(line: str) -> bool:
    return len(line) <= MAX_LABEL and not LABEL_END.search(line) and not DAY_DATE.search(line)


# A date with its day ("2023年1月12日 09:30 来源:本报", "——2024年1月8日在…会议上", "2021-07-28"):
# the line of a page's dateline or a report's delivery, whose year is when it was written, not the
# time of the figures under it (the document's plan year reads such dates: timing.detect_plan_year).
DAY_DATE = re.compile(r"(?:19|20)\d{2}(?:年\d{1,2}月\d{1,2}日|[-/.]\d{1,2}[-/.]\d{1,2})")

SECTION_KIND = {ACHIEVEMENT: "review", TARGET: "plan"}


def _hands_on(lead: Cue) -> bool:
    """Whether a paragraph's last time cue carries on into the next paragraphs: a year does, and
    so does a review of several years ("总结过去5年政绩" before paragraphs of its results); a plan
    of several years ("三年内…") is its paragraph's own."""
    return lead.span == YEAR or (lead.span == MULTI and lead.kind == ACHIEVEMENT)


# A line that is only an area's name: "渝中", "沙坪坝区".
AREA_LINE = re.compile(r"\s*(?P<name>[\u4e00-\u9fff]{2,8})\s*")
# The one-character ends of an area's name: those of its own area's words (我州) and of its
# authorities (旗, 盟).
AREA_SUFFIXES = tuple(
    dict.fromkeys([*OWN_AREA, *(s for s in vocabulary_words("admin_suffix") if len(s) == 1)])
)


def _area_named_by(line: str) -> str | None:
    """The area a line names and nothing else, if jieba's dictionary knows it (as a place, or as
    an organisation: it has 渝中区 as one), with the one suffix that makes the name an area."""
    match = AREA_LINE.fullmatch(line)
    if match is None:
        return None
    name = match["name"]
    names = {name} if name[-1] in AREA_SUFFIXES else {name + suffix for suffix in AREA_SUFFIXES}
    areas = {area for area in names if dictionary_tag(area) in ("ns", "nt")}
    return official_name(areas.pop()) if len(areas) == 1 else None


def digest_areas(lines: list[Line]) -> dict[int, str]:
    """Line index -> the area whose report the lines after it digest, in a digest of several
    areas' reports ("本报特摘编部分区县政府工作报告": a line "渝中", its figures, a line "沙坪坝", …).
    Only where two areas or more are so named: one such line is a dateline or a caption."""
    named = {index: area for index, line in enumerate(lines) if (area := _area_named_by(line.text))}
    return named if len(set(named.values())) >= 2 else {}


def sentences(text: str, doc_type: str | None, plan_year: int | None) -> list[dict]:
    """Sentences with their offsets, heading path, the time cues of their surroundings (the
    section's cue, and the last time cue of the earlier sentences of their paragraph), and, in a
    digest of several areas' reports, the area whose report they are from."""
    out: list[dict] = []
    path: list[Heading] = []
    lines = split_lines(text)
    levels = document_levels(lines)
    areas = digest_areas(lines)
    area: str | None = None
    carried: Cue | None = None  # the last time cue of the paragraphs before, where no heading dates them
    label: str | None = None  # the line before, where it can name the figure of the next line
    for paragraph, line in enumerate(lines):
        if not line.text:
            label = None
            continue
        area = areas.get(paragraph, area)
        level = heading_level(line.text)
        if level is not None:
            level = levels.get(enumerator_level(line.text), level)
            if enumerator_level(line.text) is None and _dates_a_part(line.text, plan_year):
                level = PART_LEVEL
        if level is not None:
            path = _enter_heading(path, line.text, level, plan_year)
            carried = None
        section_cue = next((heading.cue for heading in reversed(path) if heading.cue), None)
        section = " > ".join(heading.title for heading in path) or None
        lead: Cue | None = None if section_cue else carried
        lead_class = CARRIED if lead is not None else None
        for match in SENTENCE_SPLIT.finditer(line.text):
            sentence = match.group(0)
            if not sentence.strip():
                continue
            out.append(
                {
                    "paragraph": paragraph,
                    "char_start": line.start + match.start(),
                    "sentence": sentence,
                    "section": section,
                    "section_kind": SECTION_KIND.get(section_cue.kind, "other") if section_cue else "other",
                    "section_year": section_cue.year if section_cue else None,
                    "section_span": section_cue.span if section_cue else None,
                    "section_first": section_cue.first if section_cue else None,
                    "lead_kind": lead.kind if lead else None,
                    "lead_year": lead.year if lead else None,
                    "lead_span": lead.span if lead else None,
                    "lead_first": lead.first if lead else None,
                    "lead_class": lead_class,
                    "label": label if match.start() == 0 else None,
                    "area": area,
                }
            )
            own = last_time_cue(sentence, plan_year)
            if own:
                lead, lead_class = own, (WORDED if own.cls == WORDED else CONTEXT)
        label = line.text if _is_a_label(line.text) else None
        # a year carries on into the next paragraphs ("2021年,…全面完成。" then the figures), where
        # their own kind words do not say otherwise (timing.resolve)
        carried = lead if lead is not None and _hands_on(lead) else None
    return out

"""When a figure applies: its kind (target or achievement), year, period and where the year came from.

This module is the one place that decides them. A figure's time is read from the nearest cue
outwards:

    clause     the figure's own clause, before the figure ("2019年,…增长6%", "年均增长5.2%")
    sentence   the earlier clauses of its sentence ("过去一年,江苏地区生产总值达…、增长5.8%")
    paragraph  the time cues of the earlier sentences of its paragraph ("2019年,…。粮食产量…")
    section    its heading path ("一、2023年工作回顾", "2022年主要预期目标", "“十三五”成就:")
    document   the plan year of the report (a report for year Y reviews Y-1 and plans Y)

The cue words are data in vocab/time_cues.csv (figures and headings) and
vocab/document_year_cues.csv (the plan year of a document); this module gives each cue class its
meaning. A document's plan year comes from its own text first (delivery date, the national
congress calendar, title, review and plan headings, dateline) and else from the congress session
it names (`infer_years_from_sessions`, across documents of the same region).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import polars as pl
from govtargets.transforms.numbers import parse_chinese_numeral
from govtargets.transforms.vocabulary import rows, word_pattern

TARGET, ACHIEVEMENT = "target", "achievement"
FULL_YEAR, YEAR_TO_DATE = "full_year", "year_to_date"
# What a record's year_source says: the level of the cue that gave the year, or, where no cue did,
# how the document's plan year was known.
CUE_LEVELS = ("clause", "sentence", "paragraph", "section")
DOCUMENT_SOURCES = ("document", "session", "manifest")
YEAR_SOURCES = CUE_LEVELS + DOCUMENT_SOURCES
# A document's year_source (documents.year_source): read from its text, inferred from the congress
# session it names, or given by the user in a manifest.
DOCUMENT_YEAR_SOURCES = ("text", "session", "manifest")
RECORD_SOURCE_OF_DOCUMENT = dict(zip(DOCUMENT_YEAR_SOURCES, DOCUMENT_SOURCES, strict=True))
# Kinds of documents whose figures are plans unless a cue says otherwise; in any other document a
# figure without a cue is a target too, since reports, summaries and notices all state the plan.
DEFAULT_KIND = TARGET

# How far a cue reaches: one year, the end of several years, no single year (averages, streaks),
# the year so far; "kind" cues only say target or achievement.
YEAR, MULTI, AVERAGE, PARTIAL, KIND_ONLY = "year", "multi", "average", "partial", "kind"
# Classes of vocab/time_cues.csv that only a heading can carry.
HEADING_CLASSES = ("review_heading", "plan_heading")
# Kind words that, in the figure's own clause, overrule the kind its time implies.
STRONG_KIND_CLASSES = ("achieved_strong", "planned_strong")
# Classes of a paragraph's lead cue. One the paragraphs before handed on yields to kind words of
# the figure's own sentence ("全年预计实现…"); one whose kind only its words said (last_time_cue)
# keeps its year but yields its kind to them ("初步核算,…").
CONTEXT, CARRIED, WORDED = "context", "carried", "worded"


@dataclass(frozen=True, slots=True)
class Cue:
    """What one cue says about time. `year` is absolute (the plan year already applied)."""

    cls: str
    kind: str | None
    year: int | None  # a span's last year
    span: str
    start: int = 0
    end: int = 0
    first: int | None = None  # a span's first year

    @property
    def tells_time(self) -> bool:
        return self.span in (YEAR, MULTI, AVERAGE)


@dataclass(frozen=True, slots=True)
class TimeContext:
    """What a sentence's surroundings say: the document's plan year and the cues of its
    paragraph and section, found once per sentence."""

    plan_year: int | None
    plan_year_source: str | None  # documents.year_source: text, session, manifest
    section: Cue | None = None
    lead: Cue | None = None  # the last time cue of the earlier sentences of the paragraph
    section_title: str = ""


@dataclass(frozen=True, slots=True)
class Timing:
    kind: str
    year: int | None
    period: str
    year_source: str | None


# ---------------------------------------------------------------- cue words


@dataclass(frozen=True)
class _CueScanner:
    """All cue rows of vocab/time_cues.csv as one alternation, each row a named group (`c3`) and
    its own groups renamed (`year_3`), so one scan finds them all: at each position the row
    listed first wins, as the file's order says."""

    pattern: re.Pattern
    classes: tuple[str, ...]

    def cues(self, text: str, plan_year: int | None) -> list[Cue]:
        found = []
        for match in self.pattern.finditer(text):
            row = int(match.lastgroup[1:])
            suffix = f"_{row}"
            groups = {
                name[: -len(suffix)]: value
                for name, value in match.groupdict().items()
                if name.endswith(suffix)
            }
            cue = _meaning(self.classes[row], groups, plan_year)
            if cue is not None:
                found.append(replace(cue, start=match.start(), end=match.end()))
        return found


@lru_cache(maxsize=2)
def _scanner(headings: bool) -> _CueScanner:
    cue_rows = [row for row in rows("time_cues") if headings or row["cls"] not in HEADING_CLASSES]
    alternatives = [
        f"(?P<c{index}>" + re.sub(r"\(\?P<(\w+)>", rf"(?P<\g<1>_{index}>", row["pattern"]) + ")"
        for index, row in enumerate(cue_rows)
    ]
    combined = "|".join(alternatives)
    # A lookahead for the characters a cue can start with lets the scan skip all others fast.
    starts = first_characters(combined)
    prefix = f"(?=[{''.join(sorted(re.escape(c) for c in starts))}])" if starts else ""
    return _CueScanner(re.compile(prefix + f"(?:{combined})"), tuple(row["cls"] for row in cue_rows))


def first_characters(pattern: str) -> set[str] | None:
    """The characters a match of `pattern` can start with, or None where any can (a negated
    class, a dot, an empty match). Read from the parsed pattern: zero-width assertions
    (lookbehinds, ^) are stepped over, optional items add what follows them."""
    from re import _constants as c  # the parser re itself uses
    from re import _parser

    def of(items: list) -> tuple[set[str] | None, bool]:  # (first characters, can match empty)
        found: set[str] = set()
        for op, av in items:
            if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
                continue
            if op is c.LITERAL:
                return found | {chr(av)}, False
            if op is c.IN:
                chars = set()
                for kind, value in av:
                    if kind is c.LITERAL:
                        chars.add(chr(value))
                    elif kind is c.RANGE and value[1] - value[0] < 256:
                        chars |= {chr(code) for code in range(value[0], value[1] + 1)}
                    elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                        chars |= set("0123456789")
                    else:
                        return None, False  # a negated class, a wide range, a category of letters
                return found | chars, False
            if op is c.BRANCH:
                parts = [of(list(branch)) for branch in av[1]]
                if any(chars is None for chars, _ in parts):
                    return None, False
                found |= set().union(*(chars for chars, _ in parts))
                if not any(empty for _, empty in parts):
                    return found, False
                continue
            if op is c.SUBPATTERN:
                chars, empty = of(list(av[-1]))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                chars, empty = of(list(av[2]))
                empty = empty or av[0] == 0
            else:
                return None, False  # ANY, a back reference …
            if chars is None:
                return None, False
            found |= chars
            if not empty:
                return found, False
        return found, True

    chars, empty = of(list(_parser.parse(pattern)))
    return None if chars is None or empty else chars


def _count(text: str) -> int | None:
    value = int(text) if text.isdigit() else parse_chinese_numeral(text)
    return int(value) if value else None


def plan_years(number: int) -> tuple[int, int]:
    """First and last year of the Nth five-year plan: 十四五 (14) is 2021-2025."""
    end = 1955 + 5 * number
    return end - 4, end


def _plan_number(groups: dict[str, str | None]) -> int:
    """Which five-year plan a match names: 十一五 is the 11th, “九五” the 9th."""
    if groups.get("plan"):
        return 10 + int(parse_chinese_numeral(groups["plan"]))
    return int(parse_chinese_numeral(groups["early_plan"]))


def _time_kind(year: int | None, plan_year: int | None) -> str | None:
    """A year before the plan year is reviewed; the plan year and later are planned."""
    if year is None or plan_year is None:
        return None
    return ACHIEVEMENT if year < plan_year else TARGET


def _meaning(cls: str, groups: dict[str, str | None], plan_year: int | None) -> Cue | None:
    """The cue a match of class `cls` (with its named groups) stands for (None: it only hides
    the text, as a base year)."""
    before = plan_year - 1 if plan_year else None
    if cls == "base_year":
        return None
    if cls == "by_year":
        year = int(groups["year"])
        return Cue(cls, _time_kind(year, plan_year) or TARGET, year, YEAR)
    if cls == "before_year":
        year = int(groups["year"])
        return None if plan_year and year < plan_year else Cue(cls, TARGET, year, YEAR)
    if cls == "year":
        year = int(groups["year"])
        return Cue(cls, _time_kind(year, plan_year), year, YEAR)
    if cls == "plan_period":
        first, end = plan_years(_plan_number(groups))
        return Cue(cls, _time_kind(end, plan_year), end, MULTI, first=first)
    if cls == "plan_end":
        _, end = plan_years(_plan_number(groups))
        return Cue(cls, _time_kind(end, plan_year), end, YEAR)
    if cls == "past":
        return Cue(cls, ACHIEVEMENT, before, YEAR)
    if cls in ("multi_plan", "multi_past"):
        years = _count(groups["years"])
        if years is None:
            return None
        if cls == "multi_past":
            first = before - years + 1 if before else None
            return Cue(cls, ACHIEVEMENT, before, YEAR if years == 1 else MULTI, first=first)
        end = plan_year + years - 1 if plan_year else None
        return Cue(cls, TARGET, end, YEAR if years == 1 else MULTI, first=plan_year)
    if cls == "present":
        return Cue(cls, TARGET, plan_year, YEAR)
    if cls == "average":
        return Cue(cls, None, None, AVERAGE)
    if cls == "partial":
        return Cue(cls, None, None, PARTIAL)
    if cls in ("achieved", "achieved_strong", "review_heading"):
        return Cue(cls, ACHIEVEMENT, None, KIND_ONLY)
    if cls in ("planned", "planned_strong", "plan_heading"):
        return Cue(cls, TARGET, None, KIND_ONLY)
    raise ValueError(f"vocab/time_cues.csv: class {cls!r} has no meaning in timing.py")


@lru_cache(maxsize=16384)  # a sentence's cues are asked for when it is cut and once per figure in it
def find_cues(text: str, plan_year: int | None, headings: bool = False) -> tuple[Cue, ...]:
    """The cues in `text`, in order. Where two could start at one position, the row listed first
    in vocab/time_cues.csv wins ("到2026年" is a target year, not a bare year)."""
    return tuple(_scanner(headings).cues(text, plan_year)) if text else ()


def last_time_cue(text: str, plan_year: int | None) -> Cue | None:
    """The last cue in `text` that says a year or a span of years (what a sentence hands on to
    the next ones; an average or a streak stays in its clause). A span hands on only from the
    sentence's opening clause ("过去五年,…", "“十三五”期间,…"): named later it is what the
    sentence speaks of ("…,实现了“十三五”良好开局"), not the time of what follows. The year of a
    starting level is that level's alone ("由1998年的256亿元增加到380.8亿元。人均…达到6948元"), as is
    the time of an aside in brackets."""
    cues = find_cues(text, plan_year)
    opening_end = OPENING_CLAUSE.match(text).end()
    timed = [
        cue
        for cue in cues
        if (cue.span == YEAR or (cue.span == MULTI and cue.start < opening_end))
        and not STARTS_A_LEVEL.search(text, 0, cue.start)
        and not in_brackets(text, cue.start)
    ]
    if not timed:
        return None
    last = timed[-1]
    if last.kind is None:
        # a year whose kind the plan year cannot tell (the plan year is unknown) takes the kind
        # the sentence says after it: "2021年预计实现地区生产总值947亿" hands on a review
        worded = next((cue for cue in cues if cue.span == KIND_ONLY and cue.start >= last.end), None)
        last = replace(last, kind=worded.kind, cls=WORDED) if worded else last
    return last


def in_brackets(text: str, position: int) -> bool:
    """Whether `position` is inside a parenthesis: an aside's time ("(2001年、2002年均为13.1%)",
    "(去年为9641元)") is the aside's own, not handed on."""
    before = text[:position]
    return before.count("(") > before.count(")")


def heading_cue(title: str, plan_year: int | None, parent: Cue | None) -> Cue | None:
    """What a heading says of the figures under it.

    Its first time cue gives the year ("2021年成绩", "今后5年发展目标", "“十三五”成就"), its
    review or plan words the kind where the time does not. Under a heading that already set the
    time, a sub-heading's words alone ("(三)圆满完成重点任务") do not turn a review into a plan.
    """
    cues = find_cues(title, plan_year, headings=True)
    timed = next((cue for cue in cues if cue.tells_time), None)
    worded = next((cue for cue in cues if cue.span == KIND_ONLY), None)
    if timed is None:
        return worded if parent is None else None
    if timed.kind is None and worded is not None:
        timed = replace(timed, kind=worded.kind)
    return timed


# ---------------------------------------------------------------- a figure's time


# A comparison with a base year or a plan's span ("比2000年增长91.2%", "比“九五”末增长68.1%"): the
# growth of several years, as the rows of class base_year in vocab/time_cues.csv write it.
BASE_COMPARISON = "|".join(row["pattern"] for row in rows("time_cues") if row["cls"] == "base_year")
OPENING_CLAUSE = re.compile(r"[^,;:。]*")
STARTS_A_LEVEL = re.compile(rf"{word_pattern('start_level')}$")
WHOLE_YEAR = re.compile(word_pattern("whole_year"))


def _period(cues: tuple[Cue, ...], sentence: str, clause: tuple[int, int], context: TimeContext) -> str:
    """year_to_date when the clause marks the year so far, or its section heading or the opening
    clause of its sentence does ("今年以来,…") and the clause does not say 全年."""
    start, end = clause
    partial = [cue.start for cue in cues if cue.span == PARTIAL]
    if any(start <= position < end for position in partial):
        return YEAR_TO_DATE
    opening_end = OPENING_CLAUSE.match(sentence).end()
    titled = any(cue.span == PARTIAL for cue in find_cues(context.section_title, None))
    whole_year = WHOLE_YEAR.search(sentence, start, end)
    if (titled or any(position < opening_end for position in partial)) and not whole_year:
        return YEAR_TO_DATE
    return FULL_YEAR


def _dates_a_start(sentence: str, cue: Cue) -> bool:
    """Whether `cue` is the past year of a starting level: "从2005年的28.02亿元"."""
    return (
        cue.span == YEAR and cue.kind == ACHIEVEMENT and bool(STARTS_A_LEVEL.search(sentence, 0, cue.start))
    )


def _strong_first(cues) -> list[Cue]:
    """Kind words in their order, those that overrule a time (力争, 实际增长) before the others."""
    return sorted(cues, key=lambda cue: cue.cls not in STRONG_KIND_CLASSES)


def resolve(
    sentence: str,
    clause_start: int,
    figure_start: int,
    clause_end: int,
    context: TimeContext,
    *,
    reached_level: bool = False,
    start_level: bool = False,
    lost_year: bool = False,
    planned_figure: bool = False,
) -> Timing:
    """The kind, year, period and year source of the figure at `figure_start` of `sentence`.

    reached_level: the figure is a level the clause says was reached ("增加到121万亿元"); in a
        review of several years it gets the span's end year, any other figure there (a count, a
        change, a growth over the span) no single year.
    start_level: the starting level of a goal ("由1390家,发展到2000家"): what was achieved the
        year before the plan year.
    lost_year: the figure is a year that copying lost ("到年实现"), so it has no year.
    planned_figure: the figure is named as what was planned ("低于预期的8%", "高于年初7%的目标"):
        a target of the year its surroundings give.
    """
    cues = find_cues(sentence, context.plan_year)  # once per sentence: its figures share the scan
    if not start_level:
        # "从去年的5%左右,下降到3%左右": the time of a starting level is that level's alone
        cues = tuple(cue for cue in cues if not STARTS_A_LEVEL.search(sentence, 0, cue.start))
    clause = tuple(cue for cue in cues if cue.start >= clause_start and cue.end <= figure_start)
    earlier = tuple(cue for cue in cues if cue.end <= clause_start)
    lead = context.lead
    if lead is not None and lead.cls != CONTEXT and any(cue.span == KIND_ONLY for cue in clause + earlier):
        lead = None if lead.cls == CARRIED else replace(lead, kind=None)
    levels = (
        ("clause", clause),
        ("sentence", earlier),
        ("paragraph", (lead,) if lead else ()),
        ("section", (context.section,) if context.section else ()),
    )
    # The nearest cue that says a time gives the year, and the kind where it has one; words that
    # only say a kind ("目标", "同比", "争取") decide where no time is said anywhere, since in a
    # dated section they are verbs of its own kind ("争取国债资金86亿元" in a review).
    timed = timed_level = kind = None
    for level, found in levels:
        if kind is None and timed is not None and level == "paragraph":
            # "2022年,果洛州实现地区生产总值53.62亿元,同比增长2.7%" where the plan year is unknown:
            # the sentence's own kind words tell what its year is, before any paragraph's
            worded = _strong_first(cue for cue in cues if cue.span == KIND_ONLY)
            if worded:
                kind = worded[0].kind
                break
        for cue in reversed(found):  # the nearest cue first
            if not cue.tells_time or (cue.span == AVERAGE and level != "clause"):
                continue  # an average or a streak ("连续3年居全省第1位") is its own clause's
            if timed is None:
                timed, timed_level = cue, level
            if kind is None and cue.kind is not None:
                kind = cue.kind
        if kind is not None:
            break
    own_clause = levels[0][1]
    # ("力争…200亿元(去年为156.5亿元)": a time nearer the figure than the kind word is its own)
    overruling = [
        cue
        for cue in reversed(own_clause)
        if cue.cls in STRONG_KIND_CLASSES and not (timed_level == "clause" and cue.start < timed.start)
    ]
    if overruling:
        # "2023年,…预期目标增长6%,实际增长6.5%": the clause's own words beat the kind its time implies
        kind = overruling[0].kind
    if kind is None:
        # a strong kind word of the clause or sentence before a weak one: "力争固定资产投资增幅16%
        # 以上、限上社零额同比增长15%以上,财政总收入达到20亿元" is a list of targets
        marked = _strong_first(
            cue for _, found in levels[:2] for cue in reversed(found) if cue.span == KIND_ONLY
        )
        # else the first kind word after the figure in its sentence: "地区生产总值3500亿元,比上年
        # 增长5.5%" is one result told in two figures
        marked = marked or [cue for cue in cues if cue.start >= figure_start and cue.span == KIND_ONLY]
        kind = marked[0].kind if marked else None
    period = _period(cues, sentence, (clause_start, clause_end), context)
    if period == YEAR_TO_DATE and not any(cue.cls == "planned_strong" for cue in own_clause):
        kind = ACHIEVEMENT  # "1-6月,地区生产总值增长5.1%": what the year so far has brought
    plan_year, before = context.plan_year, context.plan_year - 1 if context.plan_year else None
    document_source = RECORD_SOURCE_OF_DOCUMENT.get(context.plan_year_source or "")
    if start_level:
        # "从2005年的28.02亿元": the level of the year it names, else of the year before the plan
        own = next(
            (cue for cue in reversed(own_clause) if cue.span == YEAR and cue.kind == ACHIEVEMENT), None
        )
        if own is not None:
            return Timing(ACHIEVEMENT, own.year, period, "clause")
        # "从2005年的28.02亿元增加到2011年的95.2亿元,人均生产总值从7738元增加到24715元": the levels
        # listed after one whose start is dated start in the same year
        dated = next((cue for cue in reversed(earlier) if _dates_a_start(sentence, cue)), None)
        if dated is not None:
            return Timing(ACHIEVEMENT, dated.year, period, "sentence")
        if timed is not None and timed.span == MULTI and timed.kind == ACHIEVEMENT and timed.first:
            # "过去五年,…国内生产总值由54万亿元增加到82.7万亿元": a reviewed span starts from the
            # level of the year before its first
            return Timing(ACHIEVEMENT, timed.first - 1, period, timed_level)
        return Timing(ACHIEVEMENT, before, period, document_source if before else None)
    kind = kind or DEFAULT_KIND
    if timed is None:
        year = plan_year if kind == TARGET else before
        source = document_source if year is not None else None
    elif timed.span == AVERAGE or (timed.span == MULTI and kind == ACHIEVEMENT and not reached_level):
        # an average or a streak has no single year, nor has what a review of several years
        # counts or changes; a level reached by its end, and any target of a plan, has its end year
        year, source = None, None
    else:
        year, source = timed.year, timed_level if timed.year is not None else None
    if lost_year:
        year, source = None, None
    if planned_figure:
        kind = TARGET
    return Timing(kind, year, period, source)


# ---------------------------------------------------------------- a document's plan year


@lru_cache(maxsize=1)
def _document_cues() -> tuple[tuple[str, re.Pattern, str, str], ...]:
    return tuple(
        (row["cue"], re.compile(row["pattern"]), row["year"], row["scope"])
        for row in rows("document_year_cues")
    )


HEAD_CHARS = 3000  # where a report's title, dateline and delivery line stand
TOP_CHARS = 300  # the top of a page: where a date is the page's own


def national_congress_year(term: int, session: int) -> int | None:
    """The year of session `session` of the Nth National People's Congress: its terms have
    begun every five years since the sixth (1983), one session a year."""
    if term < 6 or not 1 <= session <= 5:
        return None
    return 1953 + 5 * term + session - 1


def _year_of(match: re.Match, rule: str) -> int | None:
    groups = match.groupdict()
    if rule == "national_calendar":
        term, session = parse_chinese_numeral(groups["term"]), parse_chinese_numeral(groups["session"])
        return national_congress_year(int(term), int(session)) if term and session else None
    if rule in ("plan_after", "plan_first", "plan_last"):
        start, end = plan_years(_plan_number(groups))
        return {"plan_after": end + 1, "plan_first": start, "plan_last": end}[rule]
    year = int(groups["year"])
    if rule == "next":
        return year + 1
    if rule == "date":
        # a report delivered (or published) in November or December is for the coming year
        return year + 1 if int(groups.get("month") or 1) >= 11 else year
    return year


def delivery_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the line "——2024年1月8日在…会议上", as the cue delivery_date reads it."""
    for cue, pattern, _rule, _scope in _document_cues():
        if cue == "delivery_date" and (found := pattern.search(text[:HEAD_CHARS])):
            return int(found["year"]), int(found["month"]), int(found["day"])
    return None


def detect_plan_year(text: str) -> int | None:
    """The year a document plans, from the first cue of vocab/document_year_cues.csv that its
    text has (in the file's order); where a cue matches several times, the most common year."""
    for _cue, pattern, rule, scope in _document_cues():
        where = {"head": text[:HEAD_CHARS], "top": text[:TOP_CHARS]}.get(scope, text)
        years = Counter(year for match in pattern.finditer(where) if (year := _year_of(match, rule)))
        if years:
            return years.most_common(1)[0][0]
    return None


PROVINCIAL_TERM_START = 1998  # provincial congresses have begun their terms together, every five years
PROVINCIAL_AREA = re.compile(word_pattern("provincial_area"))
EXPLICIT_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
PLAN_NAMED = re.compile(r"十([一二三四五六七八九])五")


def provincial_session_year(text: str, region: str | None, session: int | None) -> int | None:
    """For a provincial congress: the year its session falls in, among the years the text speaks
    of (each year mentioned, or the one after it; each year of a five-year plan it names, or the
    one after them) — provincial terms begin every five years from
    1998, so only one such year fits a session number. None when none or several fit."""
    if not region or not session or not PROVINCIAL_AREA.fullmatch(region):
        return None
    mentioned = {int(year) for year in EXPLICIT_YEAR.findall(text)}
    candidates = {year for base in mentioned for year in (base, base + 1)}
    for plan in PLAN_NAMED.findall(text):  # "实施“十二五”规划承前启后的关键一年": a year of that plan
        first, last = plan_years(_plan_number({"plan": plan}))
        candidates.update(range(first, last + 2))
    fitting = {year for year in candidates if (year - session + 1 - PROVINCIAL_TERM_START) % 5 == 0}
    return fitting.pop() if len(fitting) == 1 else None


def infer_years_from_sessions(documents: pl.DataFrame, anchors: pl.DataFrame | None = None) -> pl.DataFrame:
    """Fill a missing plan year from another document of the same region and congress term.

    Sessions of a people's congress are annual, so session k+1 of a term is held a year after
    session k: a summary that names only "十八届人大三次会议" gets its year from a document of
    the same city that names "十八届人大四次会议" and a year. A year already known (from the text
    or a manifest) keeps its source.
    """
    known = documents.select("region", "year", "congress_term", "session_no")
    if anchors is not None and not anchors.is_empty():
        known = pl.concat([known, anchors.select(known.columns).cast(known.schema)])
    term_offsets = (
        known.filter(pl.col("year").is_not_null() & pl.col("session_no").is_not_null())
        .group_by("region", "congress_term")
        .agg((pl.col("year") - pl.col("session_no")).mode().first().alias("term_offset"))
    )
    if "year_source" not in documents.columns:
        documents = documents.with_columns(year_source=pl.lit(None, dtype=pl.Utf8))
    inferred = pl.col("term_offset") + pl.col("session_no")
    return (
        documents.join(term_offsets, on=["region", "congress_term"], how="left")
        .with_columns(
            year_source=pl.when(pl.col("year").is_not_null())
            .then(pl.coalesce("year_source", pl.lit("text")))
            .when(inferred.is_not_null())
            .then(pl.lit("session"))
            .otherwise(None),
            year=pl.coalesce("year", inferred).cast(pl.Int32),
        )
        .drop("term_offset")
    )

"""Document structure and metadata from normalized text: sections, sentences, region, year, type."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

import polars as pl
from govtargets.transforms.lexicon import jieba_dictionary_tags, words
from govtargets.transforms.normalize import FULL_STOP, HEADING_LEVELS
from govtargets.transforms.numbers import parse_chinese_numeral


def chinese_small_number(text: str) -> int | None:
    """'十八' -> 18, '三' -> 3: session and term numbers."""
    value = parse_chinese_numeral(text) if text else None
    return int(value) if value is not None else None


# ---------------------------------------------------------------- sections

REVIEW_HEADING = re.compile(r"回顾|工作总结|过去[一五]年|主要成[绩效]|以来.*情况|发展情况|工作情况")
PLAN_HEADING = re.compile(r"安排|目标|任务|打算|计划|部署|重点工作|预期")
YEAR_IN_HEADING = re.compile(r"((?:19|20)\d{2})年")


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


def heading_level(line: str) -> int | None:
    """Level of a heading line, None for body text.

    A numbered line that goes on into full sentences ("(一)经济运行承压稳进。健全…") opens a
    section all the same; an unnumbered short line without sentence punctuation is a level-2 heading.
    """
    for level, pattern in HEADING_LEVELS:
        if pattern.match(line):
            return level
    if len(line) <= 40 and not FULL_STOP.search(line) and not re.search(r"[,;]", line[:-1]):
        return 2
    return None


def heading_title(line: str) -> str:
    first_sentence = FULL_STOP.split(line, maxsplit=1)[0]
    return first_sentence[:60]


def classify_heading(title: str) -> str | None:
    if REVIEW_HEADING.search(title):
        return "review"
    if PLAN_HEADING.search(title):
        return "plan"
    return None


def section_year(title: str, kind: str, plan_year: int | None) -> int | None:
    found = YEAR_IN_HEADING.search(title)
    if found:
        return int(found.group(1))
    if "今年" in title:
        return plan_year
    if plan_year is None:
        return None
    return plan_year - 1 if kind == "review" else plan_year


# ---------------------------------------------------------------- metadata

DELIVERY_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日在")
SESSION = re.compile(
    r"第?([一二三四五六七八九十]+)届(?:人民代表大会|人大)(?:常务委员会)?第?([一二三四五六七八九十]+)次(?:全体)?会议"
)
PLAN_YEAR_PATTERNS = (
    # a heading or title that announces the year's plan: "2024年重点工作安排", "2020年目标任务"
    re.compile(
        r"((?:19|20)\d{2})年(?:[^\n。,]{0,12})(?:重点工作|目标任务|工作安排|重点任务|主要目标|工作任务)"
    ),
    # news summaries: "2020年,德州将…"
    re.compile(r"((?:19|20)\d{2})年,[\u4e00-\u9fff]{1,8}(?:将|要)"),
)
REVIEW_YEAR = re.compile(r"((?:19|20)\d{2})年(?:工作)?回顾")
ADMIN_SUFFIX = "(?:自治区|省|市|县|区)"
AUTHORITY = r"(?=第?[一二三四五六七八九十]+届|人民政府|人民代表大会|人大|代?市长|代?省长|代?县长|代?区长)"
PLACE_BEFORE_AUTHORITY = re.compile(rf"([\u4e00-\u9fff]{{1,8}}?)({ADMIN_SUFFIX}){AUTHORITY}")
# Where a PLACE_BEFORE_AUTHORITY match can end: a regex that starts with its suffix scans fast.
SUFFIX_BEFORE_AUTHORITY = re.compile(ADMIN_SUFFIX + AUTHORITY)
OWN_AREA = {"市": re.compile(r"[我全]市"), "省": re.compile(r"[我全]省"), "县": re.compile(r"[我全]县")}


def is_place_name(name: str) -> bool:
    """A word jieba's dictionary knows as a place (ns): 德州市, 山东省, 聊城."""
    return jieba_dictionary_tags().get(name) == "ns"


def _longest_place_ending(prefix: str, suffix: str) -> str | None:
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


def _dominant_own_place(text: str) -> str | None:
    """Reports often name their own city only in passing ("我市", "德州扒鸡"): take the place
    that dominates the text, when the text speaks of its own area with the matching suffix."""
    suffixes = [suffix for suffix, own in OWN_AREA.items() if own.search(text)]
    tokens = Counter(words(text)) if suffixes else Counter()  # counted in C, filtered below
    for suffix in suffixes:
        counts = Counter({w: n for w, n in tokens.items() if len(w) >= 2 and is_place_name(w + suffix)})
        ranked = counts.most_common(2) + [("", 0), ("", 0)]
        (best, n), (_, runner_up) = ranked[0], ranked[1]
        if n >= 3 and n >= 2 * runner_up:
            return best + suffix
    return None


def detect_region(text: str) -> str | None:
    """The issuing government's area, from how the text names its authorities; None when unsure."""
    candidates = _authority_places(text)
    if candidates:
        ranked = candidates.most_common(2) + [("", 0)]
        return ranked[0][0] if ranked[0][1] > ranked[1][1] else None
    if re.search(r"国务院(?:总理)?.{0,10}政府工作报告|国务院关于", text[:3000]):
        return "全国"
    return _dominant_own_place(text)


def detect_doc_type(text: str) -> str | None:
    head = text[:3000]
    if re.search(r"各位代表", head) and re.search(r"报告工作|政府工作报告", head):
        return "work_report"
    if re.search(r"通知", head) and re.search(r"重点(?:工作)?任务|牵头单位", text):
        return "key_tasks_notice"
    if re.search(r"作政府工作报告|政府工作报告(?:提出|指出|显示)", head):
        return "news_summary"
    return None


def detect_plan_year(text: str) -> int | None:
    delivered = DELIVERY_DATE.search(text[:3000])
    if delivered:
        return int(delivered.group(1))
    for pattern in PLAN_YEAR_PATTERNS:
        years = Counter(int(m.group(1)) for m in pattern.finditer(text))
        if years:
            return years.most_common(1)[0][0]
    review = REVIEW_YEAR.search(text)
    return int(review.group(1)) + 1 if review else None


def detect_session(text: str) -> tuple[int | None, int | None]:
    found = SESSION.search(text[:3000])
    if not found:
        return None, None
    return chinese_small_number(found.group(1)), chinese_small_number(found.group(2))


def detect_delivered_on(text: str) -> str | None:
    """The ISO date of "2024年1月8日在…上"; None when there is none, or it is no real date (a typo
    such as 1月53日 is unsure metadata, and would fail the warehouse's date column)."""
    found = DELIVERY_DATE.search(text[:3000])
    if not found:
        return None
    year, month, day = (int(g) for g in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def document_metadata(text: str) -> dict:
    term, session_no = detect_session(text)
    return {
        "region": detect_region(text),
        "year": detect_plan_year(text),
        "doc_type": detect_doc_type(text),
        "delivered_on": detect_delivered_on(text),
        "congress_term": term,
        "session_no": session_no,
    }


def infer_years_from_sessions(documents: pl.DataFrame, anchors: pl.DataFrame | None = None) -> pl.DataFrame:
    """Fill a missing plan year from another document of the same region and congress term.

    Sessions of a people's congress are annual, so session k+1 of a term is held a year after
    session k: a summary that names only "十八届人大三次会议" gets its year from a document of
    the same city that names "十八届人大四次会议" and a year.
    """
    known = documents.select("region", "year", "congress_term", "session_no")
    if anchors is not None and not anchors.is_empty():
        known = pl.concat([known, anchors.select(known.columns).cast(known.schema)])
    term_offsets = (
        known.filter(pl.col("year").is_not_null() & pl.col("session_no").is_not_null())
        .group_by("region", "congress_term")
        .agg((pl.col("year") - pl.col("session_no")).mode().first().alias("term_offset"))
    )
    return (
        documents.join(term_offsets, on=["region", "congress_term"], how="left")
        .with_columns(
            year=pl.coalesce("year", pl.col("term_offset") + pl.col("session_no")).cast(pl.Int32),
            year_source=pl.when(pl.col("year").is_not_null())
            .then(pl.lit("text"))
            .when(pl.col("term_offset").is_not_null() & pl.col("session_no").is_not_null())
            .then(pl.lit("session"))
            .otherwise(None),
        )
        .drop("term_offset")
    )


# ---------------------------------------------------------------- sentences

SENTENCE_SPLIT = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def default_section_kind(doc_type: str | None) -> str:
    # Summaries and notices are about the coming year from their first line; a full report's
    # preamble ("各位代表:") is neither review nor plan until its first heading says so.
    return "plan" if doc_type in ("news_summary", "key_tasks_notice") else "other"


def sentences(text: str, doc_type: str | None, plan_year: int | None) -> list[dict]:
    """Sentences with their offsets, heading path and the review/plan kind of their section."""
    out: list[dict] = []
    path: list[tuple[int, str, str | None, int | None]] = []  # level, title, kind, year
    fallback_kind = default_section_kind(doc_type)
    for paragraph, line in enumerate(split_lines(text)):
        if not line.text:
            continue
        level = heading_level(line.text)
        if level is not None:
            title = heading_title(line.text)
            path = [p for p in path if p[0] < level]
            kind = classify_heading(title)
            inherited = next((p for p in reversed(path) if p[2]), None)
            if kind is None and inherited:
                kind, year = inherited[2], inherited[3]
            else:
                year = section_year(title, kind or fallback_kind, plan_year) if kind else None
            path.append((level, title, kind, year))
        current = next((p for p in reversed(path) if p[2]), None)
        section_kind = current[2] if current else fallback_kind
        year = current[3] if current else plan_year
        section = " > ".join(p[1] for p in path) or None
        for match in SENTENCE_SPLIT.finditer(line.text):
            sentence = match.group(0)
            if sentence.strip():
                out.append(
                    {
                        "paragraph": paragraph,
                        "char_start": line.start + match.start(),
                        "sentence": sentence,
                        "section": section,
                        "section_kind": section_kind,
                        "section_year": year,
                    }
                )
    return out

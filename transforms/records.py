"""Documents -> the warehouse's frames: documents, sentences, targets, qualitative targets, units."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import polars as pl
from govtargets.transforms.extract import CLAUSE_DELIMITERS, extract_sentence, without_area_name
from govtargets.transforms.structure import sentences
from govtargets.transforms.timing import ACHIEVEMENT, CONTEXT, TARGET, Cue, TimeContext
from govtargets.transforms.vocabulary import VOCAB_DIR, area_name_pattern, word_pattern

TARGET_SCHEMA = {
    "record_id": pl.Utf8,
    "doc_id": pl.Utf8,
    "source_name": pl.Utf8,
    "region": pl.Utf8,
    "year": pl.Int32,
    "kind": pl.Utf8,
    "indicator": pl.Utf8,
    "indicator_code": pl.Utf8,
    "metric": pl.Utf8,
    "value": pl.Float64,
    "unit": pl.Utf8,
    "qualifier": pl.Utf8,
    "stretch_value": pl.Float64,
    "value_base": pl.Float64,
    "base_unit": pl.Utf8,
    "missing_value": pl.Boolean,
    "evidence": pl.Utf8,
    "section": pl.Utf8,
    "direction": pl.Utf8,
    "commitment": pl.Utf8,
    "char_start": pl.Int64,
    "char_end": pl.Int64,
    "value_text": pl.Utf8,
    "period": pl.Utf8,
    "year_source": pl.Utf8,
}
SENTENCE_SCHEMA = {
    "doc_id": pl.Utf8,
    "paragraph": pl.Int64,
    "char_start": pl.Int64,
    "sentence": pl.Utf8,
    "section": pl.Utf8,
    "section_kind": pl.Utf8,
    "section_year": pl.Int32,
    "section_span": pl.Utf8,
    "section_first": pl.Int32,  # the first year of the section's span of years
    "lead_kind": pl.Utf8,
    "lead_year": pl.Int32,
    "lead_span": pl.Utf8,
    "lead_first": pl.Int32,
    "lead_class": pl.Utf8,  # timing.CONTEXT, CARRIED (from the paragraphs before) or WORDED
    "label": pl.Utf8,  # the short line above a line's first sentence, which may name its figure
    "area": pl.Utf8,  # in a digest of several areas' reports, the area whose report it is from
}
# What extract_sentence returns: the record's own fields, offsets relative to the sentence.
RAW_RECORD_SCHEMA = {
    name: TARGET_SCHEMA[name]
    for name in (
        "kind", "year", "indicator", "metric", "value", "unit", "qualifier", "stretch_value", "value_base",
        "base_unit", "missing_value", "direction", "commitment", "evidence", "value_text", "period",
        "year_source",
    )
} | {"offset": pl.Int64, "offset_end": pl.Int64}  # fmt: skip
QUALITATIVE_SCHEMA = {
    "doc_id": pl.Utf8,
    "region": pl.Utf8,
    "year": pl.Int32,
    "indicator_code": pl.Utf8,
    "statement": pl.Utf8,
    "char_start": pl.Int64,
}
UNIT_SCHEMA = {"record_id": pl.Utf8, "unit_name": pl.Utf8, "role": pl.Utf8}


@lru_cache(maxsize=1)
def indicator_vocabulary() -> pl.DataFrame:
    return pl.read_csv(VOCAB_DIR / "indicators.csv")


def sentence_frame(documents: pl.DataFrame) -> pl.DataFrame:
    """One row per sentence of every document (documents need doc_id, text, doc_type, year)."""
    rows = [
        {"doc_id": doc["doc_id"], **sentence}
        for doc in documents.select("doc_id", "text", "doc_type", "year").iter_rows(named=True)
        for sentence in sentences(doc["text"], doc["doc_type"], doc["year"])
    ]
    return pl.DataFrame(rows, schema=SENTENCE_SCHEMA)


def _cue(
    kind: str | None, year: int | None, span: str | None, first: int | None, cls: str = CONTEXT
) -> Cue | None:
    return Cue(cls, kind, year, span, first=first) if span else None


KIND_OF_SECTION = {"review": ACHIEVEMENT, "plan": TARGET}


CLAUSE = re.compile(rf"[^{CLAUSE_DELIMITERS}]+[{CLAUSE_DELIMITERS}]?")
CLAUSE_TILE = rf"[{CLAUSE_DELIMITERS}]*{CLAUSE.pattern}"  # a clause and the delimiters before it
CLAUSE_SCHEMA = {
    "doc_id": pl.Utf8, "char_start": pl.Int64, "char_end": pl.Int64, "sentence_start": pl.Int64,
    "section": pl.Utf8, "section_kind": pl.Utf8, "section_year": pl.Int32, "text": pl.Utf8,
}  # fmt: skip


def clause_frame(sentence_rows: pl.DataFrame) -> pl.DataFrame:
    """One row per clause (a CLAUSE match) with its span in the normalized text.

    Done in Polars: each sentence is cut into tiles, a clause with the delimiters that a CLAUSE
    match skips before it, so the tiles cover the sentence without gaps and their running length
    gives each clause's end; the clause is its tile without those leading delimiters.
    """
    tiles = (
        sentence_rows.with_row_index("sentence_row")
        .with_columns(tile=pl.col("sentence").str.extract_all(CLAUSE_TILE))
        .explode("tile")
        .drop_nulls("tile")
        .with_columns(
            tile_end=pl.col("char_start") + pl.col("tile").str.len_chars().cum_sum().over("sentence_row"),
            text=pl.col("tile").str.strip_chars_start(CLAUSE_DELIMITERS),
        )
    )
    return tiles.select(
        "doc_id",
        char_start=pl.col("tile_end") - pl.col("text").str.len_chars(),
        char_end="tile_end",
        sentence_start="char_start",
        section="section",
        section_kind="section_kind",
        section_year="section_year",
        text="text",
    ).cast(CLAUSE_SCHEMA)


def _extract_batch(batch: pl.DataFrame) -> pl.DataFrame:
    """Records of all sentences as one flat frame; `sentence_index` is the row of their sentence.

    `batch` is the sentence frame with each document's plan year and its source. Built from flat
    dicts in one go: a Series of per-sentence lists of structs costs more to construct than the
    extraction itself.
    """
    records, sentence_index = [], []
    columns = (
        "sentence", "plan_year", "plan_year_source", "section", "section_kind", "section_year",
        "section_span", "section_first", "lead_kind", "lead_year", "lead_span", "lead_first",
        "lead_class", "label",
    )  # fmt: skip
    for index, row in enumerate(batch.select(columns).iter_rows()):
        text, plan_year, plan_year_source, section, section_kind, *section_cue = row[:8]
        context = TimeContext(
            plan_year,
            plan_year_source,
            section=_cue(KIND_OF_SECTION.get(section_kind), *section_cue),
            lead=_cue(*row[8:12], cls=row[12]),
            section_title=section or "",
        )
        found = extract_sentence(text, context, label=row[13])
        records += found
        sentence_index += [index] * len(found)
    return pl.DataFrame(records, schema=RAW_RECORD_SCHEMA).with_columns(
        sentence_index=pl.Series(sentence_index, dtype=pl.UInt32)
    )


def stable_id(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


@lru_cache(maxsize=4)  # built once: a batch of one document should not pay for it again
def indicator_code_expr(column: str = "indicator") -> pl.Expr:
    """First matching code of the maintained vocabulary (its order puts specific codes first)."""
    expr = pl.lit(None, dtype=pl.Utf8)
    for code, pattern in reversed(indicator_vocabulary().select("code", "pattern").rows()):
        expr = pl.when(pl.col(column).str.contains(pattern)).then(pl.lit(code)).otherwise(expr)
    return expr


def target_frame(documents: pl.DataFrame, sentence_rows: pl.DataFrame) -> pl.DataFrame:
    """Records of all sentences, joined to document metadata, with ids and indicator codes."""
    plan_years = documents.select("doc_id", plan_year=pl.col("year"), plan_year_source=pl.col("year_source"))
    extracted = _extract_batch(sentence_rows.join(plan_years, on="doc_id", how="left", maintain_order="left"))
    sentence_of_record = sentence_rows.drop("year", strict=False)[extracted["sentence_index"]]
    records = (
        pl.concat([sentence_of_record, extracted.drop("sentence_index")], how="horizontal")
        .join(documents.select("doc_id", "source_name", "region"), on="doc_id", how="left")
        .with_columns(
            region=pl.coalesce("area", "region"),
            char_start=pl.col("char_start") + pl.col("offset"),
            char_end=pl.col("char_start") + pl.col("offset_end"),
        )
    )
    span = pl.concat_str("doc_id", "char_start", "char_end", separator="|")
    # one figure said of two indicators (extract.split_shared_figures) is a record of each, on one
    # span: their ids take the indicator too; every other id stays the span's
    key = pl.when(span.is_duplicated()).then(pl.concat_str(span, pl.col("indicator"), separator="|"))
    records = records.with_columns(
        record_id=key.otherwise(span).map_elements(stable_id, return_dtype=pl.Utf8),
        indicator=without_own_region(pl.col("indicator"), pl.col("region")),
    ).with_columns(indicator_code=indicator_code_expr())
    return first_mentions(records).select([pl.col(name).cast(dtype) for name, dtype in TARGET_SCHEMA.items()])


def without_own_region(indicator: pl.Expr, region: pl.Expr) -> pl.Expr:
    """The indicator without the document's own area in front: "江苏地区生产总值" of 江苏省 is
    地区生产总值, "郑州市GDP" of 郑州市 is GDP (extract.without_area_name). Other areas stay
    ("全国…", a district of the city)."""
    short = region.str.replace(area_name_pattern(), "${1}")  # how a text names its own area: 德州, 西藏
    named = indicator.str.starts_with(short) & (short.str.len_chars() >= 2)
    # in Python for the few records that open with the area's name only (the others are null here)
    stripped = (
        pl.when(named)
        # the full name, the short name with the level ("果洛州" of 果洛藏族自治州), the short name
        .then(
            pl.struct(indicator=indicator, names=pl.concat_list(region, short + region.str.slice(-1), short))
        )
        .map_elements(
            lambda row: without_area_name(row["indicator"], tuple(row["names"])), return_dtype=pl.Utf8
        )
    )
    return pl.when(named.fill_null(False)).then(stripped).otherwise(indicator)


# What makes two records of one document the same fact, stated again: a headline or lead that
# repeats the body ("2023年GDP目标为增长5%左右" … "国内生产总值增长5%左右").
SAME_FACT = ("doc_id", "region", "indicator", "value", "unit", "qualifier", "stretch_value", "kind", "year")


def first_mentions(records: pl.DataFrame) -> pl.DataFrame:
    """Each fact once, at its first mention; figures whose number was lost are all kept."""
    # records come in text order within each document, so the first distinct one is the first mention
    fact = pl.struct(*SAME_FACT[:2], pl.coalesce("indicator_code", "indicator"), *SAME_FACT[3:])
    return records.filter(pl.col("missing_value") | fact.is_first_distinct())


QUALITATIVE_WORDS = re.compile(word_pattern("qualitative_word"))


def _first_mentioned_code(statement: str, vocabulary: list[tuple[str, str]]) -> str | None:
    """The indicator the statement is about is the one it names first ("居民收入增长高于GDP增速")."""
    found = [(m.start(), code) for code, mention in vocabulary if (m := re.search(mention, statement))]
    return min(found)[1] if found else None


def qualitative_frame(documents: pl.DataFrame, clauses: pl.DataFrame) -> pl.DataFrame:
    """Headline indicators stated without a figure ("粮食产量稳中有增") in plan sections, for the
    year their section plans (the time resolver's heading cue), else the document's plan year."""
    vocabulary = indicator_vocabulary().select("code", "mention").rows()
    statements = (
        clauses.filter(pl.col("section_kind") == "plan")
        .select(
            "doc_id",
            "char_start",
            "section_year",
            statement=pl.col("text").str.strip_chars_end(CLAUSE_DELIMITERS),
        )
        .filter(
            ~pl.col("statement").str.contains(r"\d")
            & pl.col("statement").str.contains(QUALITATIVE_WORDS.pattern)
        )
    )
    return (
        statements.with_columns(
            indicator_code=pl.col("statement").map_elements(
                lambda statement: _first_mentioned_code(statement, vocabulary), return_dtype=pl.Utf8
            )
        )
        .drop_nulls("indicator_code")
        .join(documents.select("doc_id", "region", plan_year="year"), on="doc_id", how="left")
        .with_columns(year=pl.coalesce("section_year", "plan_year"))
        .select([pl.col(name).cast(dtype) for name, dtype in QUALITATIVE_SCHEMA.items()])
    )


UNIT_ANNOTATION = re.compile(r"\((牵头单位:[^)]*)\)")
TASK_START = re.compile(r"(?m)^\d{1,2}\.")


def _task_spans(text: str) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """(start, end, [(unit, role)]) of each numbered task closed by a 牵头单位/参与单位 note."""
    spans, previous_end = [], 0
    for note in UNIT_ANNOTATION.finditer(text):
        starts = [m.start() for m in TASK_START.finditer(text, previous_end, note.start())]
        if starts:
            units = []
            for part in re.split(r"[,;]", note.group(1)):
                role, _, names = part.partition(":")
                role_name = "lead" if "牵头" in role else "partner" if "参与" in role else None
                units += [
                    (name.strip(), role_name) for name in names.split("、") if name.strip() and role_name
                ]
            spans.append((starts[-1], note.end(), units))
        previous_end = note.end()
    return spans


def target_units_frame(documents: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """Each record inside a numbered task gets that task's lead and partner units.

    A document's task spans are disjoint and in order, so a record can only be in the last span
    that starts before it: an as-of join finds that span without pairing every record with every
    span of its document (which, for a long notice, meant millions of rows).
    """
    spans, units = [], []
    for doc_id, text in documents.select("doc_id", "text").iter_rows():
        for span, (start, end, names) in enumerate(_task_spans(text)):
            spans.append((doc_id, span, start, end))
            units += [(doc_id, span, name, role) for name, role in names]
    span_schema = {"doc_id": pl.Utf8, "span": pl.Int64, "span_start": pl.Int64, "span_end": pl.Int64}
    unit_schema = {"doc_id": pl.Utf8, "span": pl.Int64, "unit_name": pl.Utf8, "role": pl.Utf8}
    return (
        targets.select("doc_id", "record_id", "char_start")
        .with_row_index("order")
        .sort("char_start")
        .join_asof(
            pl.DataFrame(spans, schema=span_schema, orient="row").sort("span_start"),
            left_on="char_start",
            right_on="span_start",
            by="doc_id",
            check_sortedness=False,  # both sides are sorted just above
        )
        .filter(pl.col("char_start") < pl.col("span_end"))
        .sort("order")
        .join(
            pl.DataFrame(units, schema=unit_schema, orient="row"),
            on=["doc_id", "span"],
            maintain_order="left_right",
        )
        .select(list(UNIT_SCHEMA))
        .unique(maintain_order=True)
    )

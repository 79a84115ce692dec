"""Documents -> the warehouse's frames: documents, sentences, targets, qualitative targets, units."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import polars as pl
from govtargets.transforms.extract import CLAUSE_DELIMITERS, extract_sentence
from govtargets.transforms.lexicon import VOCAB_DIR
from govtargets.transforms.structure import sentences

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
}
SENTENCE_SCHEMA = {
    "doc_id": pl.Utf8,
    "paragraph": pl.Int64,
    "char_start": pl.Int64,
    "sentence": pl.Utf8,
    "section": pl.Utf8,
    "section_kind": pl.Utf8,
    "section_year": pl.Int32,
}
# What extract_sentence returns: the record's own fields, offsets relative to the sentence.
RAW_RECORD_SCHEMA = {
    name: TARGET_SCHEMA[name]
    for name in (
        "kind", "year", "indicator", "metric", "value", "unit", "qualifier", "stretch_value", "value_base",
        "base_unit", "missing_value", "direction", "commitment", "evidence", "value_text",
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

    Built from flat dicts in one go: a Series of per-sentence lists of structs costs more to
    construct than the extraction itself.
    """
    records, sentence_index = [], []
    for index, (text, kind, year) in enumerate(
        batch.select("sentence", "section_kind", "section_year").iter_rows()
    ):
        found = extract_sentence(text, kind, year)
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


FULL_YEAR, YEAR_TO_DATE = "full_year", "year_to_date"
# Months 2..11 (a count that ends in December is the whole year), in digits or in words.
_MONTH_BEFORE_DECEMBER = r"(?:1[01]|[2-9]|十一|十|[二三四五六七八九])"
# Markers of a figure that covers the year so far: "今年以来", "1—4月份", "一至十月", "前10个月",
# "前三季度", "一季度", "上半年", "截至9月底". Polars' regex has no look-behind, so a leading
# non-digit stands in for a word boundary ("11—12月" is not "1—12月").
PARTIAL_YEAR = "|".join(
    (
        r"今年以来|年初以来|年初至今",
        rf"(?:^|[^\d十])[1一]\s*[-—–~至到]\s*{_MONTH_BEFORE_DECEMBER}\s*月",
        rf"(?:^|[^提])前(?:{_MONTH_BEFORE_DECEMBER}|两)个?月",  # not "提前3个月完成"
        r"前[二两三2-3]个?季度|(?:^|[^\d一二三四十])第?[一1]季度|上半年",
        r"截[至止]到?(?:20\d\d年|今年|本年)?(?:1[01]|[1-9]|十一|[一二三四五六七八九十])月",
    )
)
WHOLE_YEAR = "全年"


def period_expr(section: str = "section", sentence: str = "sentence", evidence: str = "evidence") -> pl.Expr:
    """'year_to_date' for a partial-year figure, else 'full_year'.

    A marker in the figure's own clause decides; otherwise one in its section heading or at the
    head of its sentence ("今年以来,…") covers every figure there, unless the clause says 全年.
    """

    def marked(column: pl.Expr) -> pl.Expr:
        return column.str.contains(PARTIAL_YEAR).fill_null(False)

    opening_clause = pl.col(sentence).str.extract(rf"^([^{CLAUSE_DELIMITERS}]*)", 1)
    inherited = marked(pl.col(section)) | marked(opening_clause)
    says_whole_year = pl.col(evidence).str.contains(WHOLE_YEAR).fill_null(False)
    return (
        pl.when(marked(pl.col(evidence)) | (inherited & ~says_whole_year))
        .then(pl.lit(YEAR_TO_DATE))
        .otherwise(pl.lit(FULL_YEAR))
    )


def target_frame(documents: pl.DataFrame, sentence_rows: pl.DataFrame) -> pl.DataFrame:
    """Records of all sentences, joined to document metadata, with ids and indicator codes."""
    extracted = _extract_batch(sentence_rows)
    sentence_of_record = sentence_rows.drop("year", strict=False)[extracted["sentence_index"]]
    records = (
        pl.concat([sentence_of_record, extracted.drop("sentence_index")], how="horizontal")
        .join(documents.select("doc_id", "source_name", "region"), on="doc_id", how="left")
        .with_columns(
            char_start=pl.col("char_start") + pl.col("offset"),
            char_end=pl.col("char_start") + pl.col("offset_end"),
        )
    )
    return records.with_columns(
        record_id=pl.concat_str("doc_id", "char_start", "char_end", separator="|").map_elements(
            stable_id, return_dtype=pl.Utf8
        ),
        indicator_code=indicator_code_expr(),
        period=period_expr(),
    ).select([pl.col(name).cast(dtype) for name, dtype in TARGET_SCHEMA.items()])


QUALITATIVE_WORDS = re.compile(
    r"高于|同步|稳中有增|稳中提质|稳中有升|稳定增长|持续增长|基本持平|保持稳定|不低于|快于|好于|明显提高"
)


def _first_mentioned_code(statement: str, vocabulary: list[tuple[str, str]]) -> str | None:
    """The indicator the statement is about is the one it names first ("居民收入增长高于GDP增速")."""
    found = [(m.start(), code) for code, mention in vocabulary if (m := re.search(mention, statement))]
    return min(found)[1] if found else None


def qualitative_frame(documents: pl.DataFrame, clauses: pl.DataFrame) -> pl.DataFrame:
    """Headline indicators stated without a figure ("粮食产量稳中有增") in plan sections."""
    vocabulary = indicator_vocabulary().select("code", "mention").rows()
    statements = (
        clauses.filter(pl.col("section_kind") == "plan")
        .select("doc_id", "char_start", statement=pl.col("text").str.strip_chars_end(CLAUSE_DELIMITERS))
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
        .join(documents.select("doc_id", "region", "year"), on="doc_id", how="left")
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

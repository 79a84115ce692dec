"""Raw file bytes -> a document row: decoded, script detected, normalized, metadata read."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

import polars as pl
from govtargets.transforms.decode import detect_script
from govtargets.transforms.formats import read_text
from govtargets.transforms.normalize import normalize_text
from govtargets.transforms.structure import document_metadata
from govtargets.transforms.timing import infer_years_from_sessions

DOCUMENT_SCHEMA = {
    "doc_id": pl.Utf8,
    "source_name": pl.Utf8,
    "source_path": pl.Utf8,
    "source_format": pl.Utf8,
    "decode_errors": pl.Int64,
    "region": pl.Utf8,
    "year": pl.Int32,
    "year_source": pl.Utf8,
    "doc_type": pl.Utf8,
    "encoding": pl.Utf8,
    "encoding_confidence": pl.Float64,
    "script": pl.Utf8,
    "n_chars": pl.Int64,
    "delivered_on": pl.Utf8,
    "congress_term": pl.Int32,
    "session_no": pl.Int32,
    "text": pl.Utf8,
}


def doc_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_row(source_path: str, data: bytes) -> dict:
    """Everything the pipeline knows about one file; raises RejectedInput for unusable files.

    source_path: the file's path relative to the input folder (its identity: the same name in two
    folders is two documents); the format is read from its suffix."""
    decoded, source_format = read_text(source_path, data)
    text = normalize_text(decoded.text)
    return {
        "doc_id": doc_id_of(data),
        "source_name": PurePosixPath(source_path).name,
        "source_path": source_path,
        "source_format": source_format,
        "decode_errors": decoded.errors,
        "encoding": decoded.encoding,
        "encoding_confidence": decoded.confidence,
        "script": detect_script(decoded.text),
        "n_chars": len(text),
        "text": text,
        **document_metadata(text),
    }


def documents_frame(
    rows: list[dict], anchors: pl.DataFrame | None = None, manifest: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The batch's documents; `anchors` (region, year, congress_term, session_no of documents
    loaded earlier) let a year be inferred from a session held in another batch; a `manifest`
    (parse_manifest) sets what the user knows."""
    frame = pl.DataFrame(rows, schema=DOCUMENT_SCHEMA)
    return infer_years_from_sessions(apply_manifest(frame, manifest), anchors)


def document_slices(documents: pl.DataFrame, characters: int) -> list[pl.DataFrame]:
    """The documents in order, cut into runs of about `characters` of text (a document is never
    cut): for work that depends on each document alone, whose working memory grows with the text
    it holds at once. No documents give one empty slice, so that the work still gives its columns."""
    if documents.is_empty():
        return [documents]
    slice_of_document = pl.col("text").fill_null("").str.len_chars().cum_sum() // characters
    return documents.with_columns(_slice=slice_of_document).partition_by(
        "_slice", maintain_order=True, include_key=False
    )


# ---------------------------------------------------------------- what the user knows

MANIFEST_COLUMNS = ("file", "region", "year", "doc_type")
DOC_TYPES = ("work_report", "key_tasks_notice", "news_summary")
MANIFEST_SCHEMA = {"file": pl.Utf8, "region": pl.Utf8, "year": pl.Int32, "doc_type": pl.Utf8}


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the row and the problem."""


def parse_manifest(table: pl.DataFrame, name: str = "manifest") -> pl.DataFrame:
    """A manifest read as text (CSV: file, region, year, doc_type; any but file may be blank)
    -> typed rows, blanks as null. Raises ManifestError naming the first bad row."""
    missing = [column for column in ("file",) if column not in table.columns]
    if missing:
        raise ManifestError(f"{name}: no column {missing[0]!r} (columns: {', '.join(MANIFEST_COLUMNS)})")
    unknown = [column for column in table.columns if column not in MANIFEST_COLUMNS]
    if unknown:
        raise ManifestError(f"{name}: unknown column {unknown[0]!r} (columns: {', '.join(MANIFEST_COLUMNS)})")
    rows = []
    for line, row in enumerate(table.iter_rows(named=True), start=2):  # line 1 is the header
        cleaned = {column: (row.get(column) or "").strip() or None for column in MANIFEST_COLUMNS}
        if not cleaned["file"]:
            raise ManifestError(f"{name}, line {line}: the file name is blank")
        year = cleaned["year"]
        if year is not None and not (year.isdigit() and 1949 <= int(year) <= 2100):
            raise ManifestError(f"{name}, line {line}: year {year!r} is not a year (1949-2100)")
        if cleaned["doc_type"] is not None and cleaned["doc_type"] not in DOC_TYPES:
            raise ManifestError(
                f"{name}, line {line}: doc_type {cleaned['doc_type']!r} is not one of {', '.join(DOC_TYPES)}"
            )
        rows.append(cleaned | {"year": int(year) if year else None})
    manifest = pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")
    repeated = manifest.filter(pl.col("file").is_duplicated())["file"].unique().to_list()
    if repeated:
        raise ManifestError(f"{name}: the file {repeated[0]!r} is listed more than once")
    return manifest


def apply_manifest(documents: pl.DataFrame, manifest: pl.DataFrame | None) -> pl.DataFrame:
    """Documents with the manifest's region, year and doc_type where it gives one; a year it sets
    has year_source 'manifest'. A manifest row's `file` is a path in the input folder
    (德州市/2021.txt: that file) or a file name (2021.txt: every file of that name, unless a row
    names its path)."""
    if manifest is None or manifest.is_empty():
        return documents
    given = manifest.rename({"region": "m_region", "year": "m_year", "doc_type": "m_doc_type"})
    by_path, by_name = (
        given.rename({name: f"{prefix}{name}" for name in given.columns if name != "file"})
        for prefix in ("p_", "n_")
    )
    path_column = "source_path" if "source_path" in documents.columns else "source_name"
    matched = documents.join(
        by_path, left_on=path_column, right_on="file", how="left", maintain_order="left"
    ).join(by_name, left_on="source_name", right_on="file", how="left", maintain_order="left")
    from_path = (
        pl.col("p_m_region").is_not_null()
        | pl.col("p_m_year").is_not_null()
        | pl.col("p_m_doc_type").is_not_null()
    )
    chosen = {
        name: pl.when(from_path).then(pl.col(f"p_{name}")).otherwise(pl.col(f"n_{name}"))
        for name in ("m_region", "m_year", "m_doc_type")
    }
    return (
        matched.with_columns(**chosen)
        .with_columns(
            year_source=pl.when(pl.col("m_year").is_not_null())
            .then(pl.lit("manifest"))
            .otherwise("year_source"),
            region=pl.coalesce("m_region", "region"),
            year=pl.coalesce("m_year", "year").cast(pl.Int32),
            doc_type=pl.coalesce("m_doc_type", "doc_type"),
        )
        .drop(
            "m_region",
            "m_year",
            "m_doc_type",
            *(f"{p}m_{n}" for p in ("p_", "n_") for n in ("region", "year", "doc_type")),
        )
    )


# Document metadata that, left unknown, makes every record of the document less useful: each
# document without it is named in a warning (the run summary, the log, the documents suite).
WARNED_METADATA = ("region", "year", "doc_type")


def unknown_metadata(documents: pl.DataFrame) -> dict[str, list[str]]:
    """File (its path in the input folder, which tells two files of one name apart) -> the
    metadata that stayed unknown (WARNED_METADATA), for the warning."""
    fields = WARNED_METADATA
    key = "source_path" if "source_path" in documents.columns else "source_name"
    return {
        row[key]: missing
        for row in documents.select(key, *fields).iter_rows(named=True)
        if (missing := [field for field in fields if row[field] is None])
    }


def split_duplicates(documents: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Files with the same bytes as an earlier file of the batch (by `path`) are set aside as
    rejected rows (path, doc_id, reason, detail) naming the file they repeat."""
    ranked = documents.sort("path").with_columns(
        first_path=pl.col("path").first().over("doc_id"), copy=pl.int_range(pl.len()).over("doc_id")
    )
    duplicates = ranked.filter(pl.col("copy") > 0).select(
        "path",
        "doc_id",
        reason=pl.lit("duplicate"),
        detail=pl.format("same bytes as {}", "first_path"),
    )
    return ranked.filter(pl.col("copy") == 0).drop("first_path", "copy"), duplicates

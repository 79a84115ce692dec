"""Raw file bytes -> a document row: decoded, script detected, normalized, metadata read."""

from __future__ import annotations

import hashlib

import polars as pl
from govtargets.transforms.decode import decode_bytes, detect_script
from govtargets.transforms.normalize import normalize_text
from govtargets.transforms.structure import document_metadata
from govtargets.transforms.timing import infer_years_from_sessions

DOCUMENT_SCHEMA = {
    "doc_id": pl.Utf8,
    "source_name": pl.Utf8,
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


def document_row(source_name: str, data: bytes) -> dict:
    """Everything the pipeline knows about one file; raises RejectedInput for unusable files."""
    decoded = decode_bytes(data)
    text = normalize_text(decoded.text)
    return {
        "doc_id": doc_id_of(data),
        "source_name": source_name,
        "encoding": decoded.encoding,
        "encoding_confidence": decoded.confidence,
        "script": detect_script(decoded.text),
        "n_chars": len(text),
        "text": text,
        **document_metadata(text),
    }


def documents_frame(rows: list[dict], anchors: pl.DataFrame | None = None) -> pl.DataFrame:
    """The batch's documents; `anchors` (region, year, congress_term, session_no of documents
    loaded earlier) let a year be inferred from a session held in another batch."""
    frame = pl.DataFrame(rows, schema=DOCUMENT_SCHEMA)
    return infer_years_from_sessions(frame, anchors)


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

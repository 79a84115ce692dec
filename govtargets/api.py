"""The library API: one document's records in this process, and the warehouse opened read-only.

    >>> import govtargets
    >>> govtargets.extract("2021年地區生產總值增長8%左右,城鎮新增就業5萬人以上。")  # doctest: +SKIP
    >>> con = govtargets.connect()  # doctest: +SKIP

`extract` runs the pipeline's own work on one document (flows/batch.py, the function each batch
task of the flow calls) without Prefect or a warehouse. Heavy imports (Great Expectations, jieba's
dictionaries) happen on the first call, so `import govtargets` stays cheap.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import duckdb
import polars as pl

# A str is taken for a file name only when it could be one: a single short line.
MAX_PATH_LENGTH = 4096
# The columns a reader looks at first lead (a printed frame shows its first and last few); the
# others follow in the `targets` table's order.
LEADING_COLUMNS = (
    "year", "kind", "indicator", "value", "unit", "qualifier", "stretch_value", "indicator_code", "region",
    "evidence",
)  # fmt: skip
TEXT_SOURCE_NAME = "<text>"
BYTES_SOURCE_NAME = "<bytes>"
# extract() loads nothing, so its records belong to no pipeline run.
EXTRACT_RUN_ID = "extract"


class GovtargetsWarning(UserWarning):
    """Something about a document the user should know: metadata not found, records left out."""


class UnusableDocument(ValueError):
    """The input cannot become a document (empty, binary, undecodable, not Chinese)."""

    def __init__(self, source_name: str, reason: str, detail: str):
        super().__init__(f"{source_name}: rejected, {reason}: {detail}")
        self.source_name, self.reason, self.detail = source_name, reason, detail


def extract(
    text_or_path: str | os.PathLike | bytes,
    *,
    region: str | None = None,
    year: int | None = None,
    doc_type: str | None = None,
) -> pl.DataFrame:
    """The records the pipeline would load for one document: its targets and achievements.

    text_or_path: the document's text; or a file (a Path, or a str naming an existing file),
        read in any encoding the pipeline reads; or a file's raw bytes.
    region, year, doc_type: set the document's region, plan year and type before extraction
        instead of the ones read from the text, exactly as a --manifest entry does.

    The same transforms and Great Expectations row checks as a pipeline run: records the run would
    quarantine are left out (a GovtargetsWarning says how many and why; another names the metadata
    the text does not give). The columns are those of the `targets` table but run_id, with year,
    kind, indicator, value, unit … first; record_id and doc_id are the ones a run would load. A year
    the pipeline infers from another document of the same congress cannot be known here: pass
    `year`. Raises UnusableDocument for input the pipeline would reject, ManifestError for a year or
    doc_type a manifest could not have.
    """
    from govtargets.flows.batch import process_batch
    from govtargets.transforms.extract import EXTRACTOR_VERSION

    source_name, data = _read(text_or_path)
    documents = document_frame(source_name, data, user_metadata(source_name, region, year, doc_type))
    validated = process_batch(documents, EXTRACT_RUN_ID, EXTRACTOR_VERSION)
    show_warnings_again()
    if validated.structural_failures:
        raise RuntimeError(f"{source_name}: {'; '.join(validated.structural_failures)}")
    records = validated.batch.targets
    warn_about(source_name, documents, records, validated.batch.quarantine)
    return records.select(*LEADING_COLUMNS, pl.exclude(LEADING_COLUMNS))


def connect(warehouse: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only: `warehouse`, else $GOVTARGETS_WAREHOUSE, else data/govtargets.duckdb.

    It shows the warehouse as it was when opened: a run never waits for it (a run publishes a new
    file; the README's Guarantees), and a connection opened after the run sees the run. Close it
    when done (`with govtargets.connect() as con:`). Raises WarehouseError when there is no
    warehouse there.
    """
    from govtargets.warehouse import db

    return db.connect(db.warehouse_path(warehouse), read_only=True)


def _read(text_or_path: str | os.PathLike | bytes) -> tuple[str, bytes]:
    """(source_name, raw bytes) of the input, named as a pipeline run names a file."""
    if isinstance(text_or_path, bytes):
        return BYTES_SOURCE_NAME, text_or_path
    if isinstance(text_or_path, os.PathLike) or _names_a_file(text_or_path):
        path = Path(text_or_path)
        return path.name, path.read_bytes()  # FileNotFoundError names the path
    if not isinstance(text_or_path, str):
        raise TypeError(f"extract() takes text, a path or bytes, not {type(text_or_path).__name__}")
    # surrogatepass: a lone surrogate becomes bytes the decoder replaces and counts (decode_errors)
    return TEXT_SOURCE_NAME, text_or_path.encode("utf-8", "surrogatepass")


def _names_a_file(text: object) -> bool:
    if not isinstance(text, str) or "\n" in text or len(text) > MAX_PATH_LENGTH:
        return False
    try:
        return Path(text).is_file()
    except OSError:  # e.g. a name too long for the file system
        return False


def user_metadata(
    source_name: str, region: str | None, year: int | None, doc_type: str | None
) -> pl.DataFrame | None:
    """What the caller knows of the document, as the one row of a manifest (checked as one is)."""
    from govtargets.transforms.documents import parse_manifest

    if region is None and year is None and doc_type is None:
        return None
    given = {"file": source_name, "region": region, "year": year, "doc_type": doc_type}
    table = pl.DataFrame({name: ["" if value is None else str(value)] for name, value in given.items()})
    return parse_manifest(table, "extract()")


def document_frame(source_name: str, data: bytes, manifest: pl.DataFrame | None) -> pl.DataFrame:
    """One document's row, decoded, normalized and described exactly as ingestion does it, with
    what the manifest gives."""
    from govtargets.transforms.decode import RejectedInput
    from govtargets.transforms.documents import document_row, documents_frame

    try:
        row = document_row(source_name, data)
    except RejectedInput as error:
        raise UnusableDocument(source_name, error.reason, error.detail) from None
    return documents_frame([row], manifest=manifest)


def show_warnings_again() -> None:
    """Great Expectations' modules call logging.captureWarnings(True) when they are imported, which
    hands every later warning to a logger without handlers, that is to nowhere. Undone unless the
    user gave that logger a handler of their own."""
    handlers = logging.getLogger("py.warnings").handlers
    if all(isinstance(handler, logging.NullHandler) for handler in handlers):
        logging.captureWarnings(False)


def warn_about(source_name: str, documents: pl.DataFrame, targets: pl.DataFrame, quarantine: pl.DataFrame):
    """Unknown metadata and records left out are warnings the user sees, not silent NULLs."""
    from govtargets.transforms.documents import unknown_metadata

    for missing in unknown_metadata(documents).values():
        warnings.warn(
            f"{source_name}: the document's {', '.join(missing)} unknown (not in its text); pass "
            f"{', '.join(f'{name}=' for name in missing)} if you know it",
            GovtargetsWarning,
            stacklevel=3,
        )
    if not quarantine.is_empty():
        reasons = quarantine.unique("record_id", keep="first", maintain_order=True)["reason"].to_list()
        warnings.warn(
            f"{source_name}: {len(reasons)} record(s) left out, as a run would quarantine them: "
            + "; ".join(reasons[:3])
            + (" …" if len(reasons) > 3 else ""),
            GovtargetsWarning,
            stacklevel=3,
        )
    if targets.is_empty() and quarantine.is_empty():
        warnings.warn(f"{source_name}: no records found", GovtargetsWarning, stacklevel=3)

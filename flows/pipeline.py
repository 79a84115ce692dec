"""The `pipeline` flow: ingest -> normalize -> extract -> validate -> load.

Reads as the table of contents; the logic lives in transforms/, the I/O in warehouse/.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from expectations.validate import ValidationOutcome, validate_documents, validate_targets
from transforms.decode import RejectedInput
from transforms.documents import doc_id_of, document_row, documents_frame
from transforms.extract import EXTRACTOR_VERSION
from transforms.keywords import keywords_frame
from transforms.records import (
    clause_frame,
    qualitative_frame,
    sentence_frame,
    target_frame,
    target_units_frame,
)
from warehouse import db

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
INPUT_SUFFIXES = (".txt", ".text")
REJECTED_SCHEMA = {"path": pl.Utf8, "doc_id": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8}
IO_RETRIES = {"retries": 3, "retry_delay_seconds": [2, 5, 15]}


class StructuralValidationError(RuntimeError):
    """A blocking expectation failed: nothing of this run is loaded."""


@dataclass
class Ingested:
    documents: pl.DataFrame
    rejected: pl.DataFrame
    skipped: int


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def list_input_files(input_dir: Path) -> list[Path]:
    """Report files under the input folder, in a stable order."""
    return sorted(p for p in input_dir.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def read_known_documents(warehouse: Path) -> tuple[set[str], pl.DataFrame]:
    """Doc ids already loaded by this extractor, and metadata that can anchor year inference."""
    con = db.connect(warehouse, read_only=True)  # exists and is migrated: record_run ran first
    try:
        anchors = db.query(con, "select region, year, congress_term, session_no from current_documents")
        return db.loaded_doc_ids(con, EXTRACTOR_VERSION), anchors
    finally:
        con.close()


@task(cache_policy=NO_CACHE)
def ingest_documents(
    paths: list[Path], known: set[str], anchors: pl.DataFrame, full_refresh: bool
) -> Ingested:
    """Decode, normalize and describe each new file; unusable files are recorded, not fatal."""
    logger = get_run_logger()
    rows, rejected, skipped = [], [], 0
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            rejected.append({"path": str(path), "doc_id": None, "reason": "unreadable", "detail": str(error)})
            logger.warning("rejected %s: unreadable: %s", path, error)
            continue
        doc_id = doc_id_of(data)
        if doc_id in known and not full_refresh:
            skipped += 1
            continue
        try:
            rows.append(document_row(path.name, data))
        except RejectedInput as error:
            rejected.append(
                {"path": str(path), "doc_id": doc_id, "reason": error.reason, "detail": error.detail}
            )
            logger.warning("rejected %s: %s: %s", path, error.reason, error.detail)
    documents = documents_frame(rows, anchors).with_columns(ingested_at=pl.lit(db.now()))
    for doc in documents.iter_rows(named=True):
        logger.info(
            "%s: %s, %s, %s %s, %s chars",
            doc["source_name"],
            doc["encoding"],
            doc["script"],
            doc["region"],
            doc["year"],
            doc["n_chars"],
        )
    return Ingested(documents, pl.DataFrame(rejected, schema=REJECTED_SCHEMA), skipped)


@task(cache_policy=NO_CACHE)
def extract_records(
    documents: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Targets, qualitative targets, responsible units, clauses and keywords of every document."""
    sentences = sentence_frame(documents)
    targets = target_frame(documents, sentences)
    units = target_units_frame(documents, targets)
    clauses = clause_frame(sentences)
    return targets, qualitative_frame(documents, clauses), units, clauses, keywords_frame(documents)


@task(cache_policy=NO_CACHE)
def validate_records(
    targets: pl.DataFrame, documents: pl.DataFrame
) -> tuple[ValidationOutcome, ValidationOutcome]:
    """Great Expectations suites: structural failures block the load, failing rows are quarantined."""
    return validate_targets(targets), validate_documents(documents.drop("text"))


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def load_warehouse(warehouse: Path, batch: db.Batch) -> dict:
    """One transaction: the batch's documents replace their previous versions."""
    con = db.connect(warehouse)  # migrated when the run was recorded
    try:
        return db.load_batch(con, batch)
    finally:
        con.close()


def library_versions() -> str:
    names = ("govtargets", "prefect", "polars", "duckdb", "great-expectations", "opencc", "jieba")
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return json.dumps(versions, sort_keys=True)


def record_run(warehouse: Path, run_id: str, input_dir: Path, status: str, counts: dict) -> None:
    con = db.connect(warehouse)
    try:
        if status == "running":
            db.migrate(con)  # once per run, before any task reads or writes the warehouse
            db.start_run(con, run_id, str(flow_run.get_id() or ""), str(input_dir), library_versions())
        else:
            db.finish_run(con, run_id, status, counts)
    finally:
        con.close()


def publish_summary(summary: dict, validation: pl.DataFrame) -> None:
    lines = [f"| {k} | {v} |" for k, v in summary.items()]
    create_markdown_artifact(
        key="pipeline-summary",
        markdown="| item | value |\n|---|---|\n" + "\n".join(lines),
        description="Run summary",
    )
    if not validation.is_empty():
        table = validation.select("suite", "expectation", "column", "severity", "success", "unexpected_count")
        create_table_artifact(key="data-quality", table=table.to_dicts(), description="Expectation results")


@flow(name="pipeline", log_prints=True)
def pipeline(
    input_dir: str = str(SAMPLE_CORPUS),
    warehouse: str = str(db.DEFAULT_WAREHOUSE),
    full_refresh: bool = False,
) -> dict:
    """Raw report files -> validated target records in the DuckDB warehouse."""
    input_path, warehouse_path = Path(input_dir), Path(warehouse)
    run_id = uuid.uuid4().hex[:16]
    record_run(warehouse_path, run_id, input_path, "running", {})
    counts: dict = {}
    try:
        paths = list_input_files(input_path)
        known, anchors = read_known_documents(warehouse_path)
        ingested = ingest_documents(paths, known, anchors, full_refresh)
        targets, qualitative, units, clauses, keywords = extract_records(ingested.documents)
        target_check, document_check = validate_records(targets, ingested.documents)
        failures = target_check.structural_failures + document_check.structural_failures
        if failures:
            raise StructuralValidationError("; ".join(failures))
        passed_ids = target_check.passed.select("record_id")
        batch = db.Batch(
            run_id=run_id,
            documents=ingested.documents.with_columns(extractor_version=pl.lit(EXTRACTOR_VERSION)),
            targets=target_check.passed,
            quarantine=target_check.quarantined,
            qualitative=qualitative,
            units=units.join(passed_ids, on="record_id", how="semi"),
            clauses=clauses,
            keywords=keywords,
            rejected=ingested.rejected,
            validation=pl.concat([target_check.results, document_check.results], how="diagonal_relaxed"),
        )
        load_warehouse(warehouse_path, batch)
        counts = {
            "files": len(paths),
            "documents": ingested.documents.height,
            "unchanged": ingested.skipped,
            "records": targets.height,
            "loaded": target_check.passed.height,
            "quarantined": target_check.quarantined["record_id"].n_unique(),
            "rejected": ingested.rejected.height,
        }
        record_run(warehouse_path, run_id, input_path, "completed", counts)
    except Exception:
        record_run(warehouse_path, run_id, input_path, "failed", counts)
        raise
    summary = {"run_id": run_id, **counts, "warehouse": str(warehouse_path)}
    publish_summary(summary, batch.validation)
    print(f"pipeline summary: {summary}")
    return summary


if __name__ == "__main__":
    pipeline(input_dir=str(SAMPLE_CORPUS), warehouse=str(db.DEFAULT_WAREHOUSE))

"""One batch of documents -> its records, extracted and validated, in this process.

The flow's per-batch tasks and `govtargets.extract()` both call `extract_records` and
`validate_records`, so a document gives the same records whichever way it is read. Nothing here
imports Prefect or opens the warehouse: the flow adds orchestration around it, `extract()` a
document row in front of it. Great Expectations is imported by `validate_records` only, so that
the flow's worker processes, which extract and never validate, do not pay for it (~250 MB and ~4 s
in each).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl
from govtargets.transforms.documents import document_slices
from govtargets.transforms.keywords import keywords_frame
from govtargets.transforms.records import (
    clause_frame,
    qualitative_frame,
    sentence_frame,
    target_frame,
    target_units_frame,
)
from govtargets.warehouse import db

# of text extracted at once (a 4 MB batch is ~1.5 M characters; a slice of 1 M held +76 MB, 0.5 M +72 MB)
EXTRACT_SLICE_CHARACTERS = 500_000


@dataclass
class Extracted:
    documents: pl.DataFrame
    targets: pl.DataFrame
    qualitative: pl.DataFrame
    units: pl.DataFrame
    clauses: pl.DataFrame
    keywords: pl.DataFrame


def write_extracted(extracted: Extracted, folder: Path) -> None:
    """A batch's frames as Parquet files in `folder` (read_extracted reads them back as they were)."""
    folder.mkdir(parents=True, exist_ok=True)
    for field in fields(Extracted):
        getattr(extracted, field.name).write_parquet(folder / f"{field.name}.parquet", compression="lz4")


def read_extracted(folder: Path) -> Extracted:
    return Extracted(*(pl.read_parquet(folder / f"{field.name}.parquet") for field in fields(Extracted)))


@dataclass
class Validated:
    """A batch ready to stage, with GX's own suite results for Data Docs."""

    batch: db.Batch
    structural_failures: list[str]
    suite_results: list


def process_batch(documents: pl.DataFrame, run_id: str, extractor_version: str) -> Validated:
    """Documents (rows of DOCUMENT_SCHEMA with their metadata settled) -> validated records."""
    return validate_records(extract_records(documents), run_id, extractor_version)


def extract_records(documents: pl.DataFrame) -> Extracted:
    """Targets, qualitative targets, responsible units, clauses and keywords of a batch of documents.

    Every record depends on its own document only, so a batch is extracted a slice of documents at
    a time: a worker then holds one slice's sentences and intermediate frames, not the batch's (a
    4 MB batch's peak +106 -> ~+70 MB), and the same records come out."""
    parts = [_extract_slice(part) for part in document_slices(documents, EXTRACT_SLICE_CHARACTERS)]
    return Extracted(documents, *(pl.concat(frames) for frames in zip(*parts)))


def _extract_slice(documents: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    sentences = sentence_frame(documents)
    targets = target_frame(documents, sentences)
    clauses = clause_frame(sentences)
    return (
        targets,
        with_source_name(qualitative_frame(documents, clauses), documents),
        target_units_frame(documents, targets),
        clauses,
        keywords_frame(documents),
    )


def with_source_name(frame: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """The file each row comes from, so that a statement can be found without a join."""
    return frame.join(documents.select("doc_id", "source_name"), on="doc_id", how="left")


def validate_records(extracted: Extracted, run_id: str, extractor_version: str) -> Validated:
    """GX suites on a batch: failing rows go to quarantine, coverage gaps are warnings."""
    from govtargets.expectations.validate import validate_coverage, validate_targets  # GX: see above

    outcome = validate_targets(extracted.targets)
    coverage = validate_coverage(extracted.documents, extracted.targets, outcome.passed)
    passed_ids = outcome.passed.select("record_id")
    batch = db.Batch(
        run_id=run_id,
        documents=extracted.documents.with_columns(extractor_version=pl.lit(extractor_version)),
        targets=outcome.passed,
        quarantine=outcome.quarantined,
        qualitative=extracted.qualitative,
        units=extracted.units.join(passed_ids, on="record_id", how="semi"),
        clauses=extracted.clauses,
        keywords=extracted.keywords,
        validation=pl.concat([outcome.results, coverage.results], how="diagonal_relaxed"),
    )
    failures = outcome.structural_failures + coverage.structural_failures
    return Validated(batch, failures, outcome.suite_results + coverage.suite_results)

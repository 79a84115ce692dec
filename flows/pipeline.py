"""The `pipeline` flow: ingest -> normalize -> extract -> validate (+ Data Docs) -> load.

Reads as the table of contents; the logic lives in transforms/, the I/O in warehouse/.

Files are processed in batches of a few MB: ingestion, extraction and validation of the batches
run in parallel on the flow's task runner (processes by default, or a Dask cluster), while the
warehouse has a single writer, the flow itself, which stages each validated batch as it arrives
and publishes the whole run in one transaction at the end.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import polars as pl
from govtargets.expectations.data_docs import build_data_docs
from govtargets.expectations.validate import ValidationOutcome, validate_documents
from govtargets.flows import progress
from govtargets.flows.batch import Validated, process_batch
from govtargets.flows.inputs import InputFile, Inventory, read_once, walk_input
from govtargets.transforms.decode import RejectedInput
from govtargets.transforms.documents import (
    DOCUMENT_SCHEMA,
    apply_manifest,
    doc_id_of,
    document_row,
    parse_manifest,
    split_duplicates,
    unknown_metadata,
)
from govtargets.transforms.extract import EXTRACTOR_VERSION
from govtargets.transforms.identity import FilePlan, plan_files
from govtargets.transforms.timing import infer_years_from_sessions
from govtargets.warehouse import db, runfiles
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
REJECTED_SCHEMA = {
    "path": pl.Utf8,
    "source_path": pl.Utf8,
    "doc_id": pl.Utf8,
    "reason": pl.Utf8,
    "detail": pl.Utf8,
}
IO_RETRIES = {"retries": 3, "retry_delay_seconds": [2, 5, 15]}
# Processes, not threads: the work is CPU-bound Python, and GX contexts are not shared across threads.
RUNNERS = ("process", "dask")
DEFAULT_BATCH_MB = 4.0


class StructuralValidationError(RuntimeError):
    """A blocking expectation failed: nothing of this run is loaded."""


@dataclass(frozen=True)
class FileBatch:
    """Consecutive input files, a few MB in all: the unit of parallel work."""

    number: int
    paths: tuple[InputFile, ...]

    @property
    def label(self) -> str:
        return f"{self.number:04d} ({len(self.paths)} files)"


@dataclass
class Ingested:
    documents: pl.DataFrame
    rejected: pl.DataFrame


@dataclass
class Known:
    """What the warehouse holds that a run sets its files against (transforms/identity.py)."""

    documents: pl.DataFrame
    rejections: pl.DataFrame
    anchors: pl.DataFrame  # metadata of current documents that can anchor year inference


# ----------------------------------------------------------------------------------- tasks


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def list_input_files(input_dir: Path) -> Inventory:
    """Every entry under the input folder: the report files to read, and what is not read and why."""
    inventory = walk_input(input_dir)
    logger = get_run_logger()
    for row in inventory.rejected:
        logger.warning("%s: not read, %s: %s", row["path"], row["reason"], row["detail"])
    return inventory


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def read_known_documents(warehouse: Path) -> Known:
    """Current documents, rejections by this extractor, and metadata that can anchor year inference."""
    con = db.connect(warehouse, read_only=True)  # the run's copy: exists and is migrated
    try:
        anchors = db.query(con, "select region, year, congress_term, session_no from current_documents")
        return Known(db.known_documents(con), db.known_rejections(con, EXTRACTOR_VERSION), anchors)
    finally:
        con.close()


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def plan_input_files(files: list[InputFile], known: Known, full_refresh: bool) -> FilePlan:
    """Which files need reading: each is hashed and set against what the warehouse holds.

    Hashing here, in the flow's process, makes a re-run of an unchanged corpus read and hash the
    files and nothing more: no worker process is started."""
    hashes: dict[str, str | None] = {}
    for file in files:
        try:
            hashes[file.source_path] = doc_id_of(file.path.read_bytes())
        except OSError:
            hashes[file.source_path] = None  # ingest records why it cannot be read
    plan = plan_files(hashes, known.documents, known.rejections, EXTRACTOR_VERSION, full_refresh)
    log_plan(plan, len(files))
    return plan


def log_plan(plan: FilePlan, n_files: int) -> None:
    logger = get_run_logger()
    for source_path in plan.unchanged:
        # debug, not info: tens of thousands of such lines would be most of a re-run's work
        logger.debug("%s: unchanged since it was loaded, skipped", source_path)
    logger.info("%d of %d files unchanged since they were loaded, skipped", len(plan.unchanged), n_files)
    for _, source_path, old_path in plan.relocated:
        moved = "back in the input folder" if source_path == old_path else f"renamed or moved from {old_path}"
        logger.info("%s: %s (same bytes): its document follows, records kept", source_path, moved)
    for source_path, _, first in plan.duplicates:
        logger.warning("%s: rejected, duplicate: same bytes as %s", source_path, first)
    for source_path in plan.rejected_before:
        logger.debug("%s: rejected by an earlier run, same bytes: not read again", source_path)
    if plan.rejected_before:
        logger.info(
            "%d files rejected by earlier runs, same bytes: not read again", len(plan.rejected_before)
        )
    for _, source_path in plan.removed:
        logger.warning(
            "%s: no longer in the input folder: its document is marked removed (documents.removed_in_run) "
            "and left out of the views; its records are kept",
            source_path,
        )


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def read_manifest(manifest: Path | None) -> pl.DataFrame | None:
    """The user's metadata for some files (CSV: file, region, year, doc_type), or None."""
    if manifest is None:
        return None
    return parse_manifest(pl.read_csv(manifest, infer_schema=False), str(manifest))


@task(cache_policy=NO_CACHE, **IO_RETRIES, task_run_name="ingest-batch-{batch.number:04d}")
def ingest_batch(batch: FileBatch) -> Ingested:
    """Decode, normalize and describe each file; unusable files are recorded, not fatal."""
    logger = get_run_logger()
    db.pause_for_tests("ingest")
    rows, rejected = [], []
    for file in batch.paths:
        path, source_path = file.path, file.source_path
        try:
            data, size_after = read_once(path)  # what is read once is what is hashed and decoded
        except OSError as error:
            rejected.append(rejection(file, None, "unreadable", str(error)))
            logger.warning("%s: rejected, unreadable: %s", path, error)
            continue
        if size_after != len(data):
            logger.warning(
                "%s: was being written while it was read (%d bytes read, %d now): loaded as read; "
                "the next run reads it again",
                path, len(data), size_after,
            )  # fmt: skip
        try:
            row = document_row(source_path, data)  # hashes the bytes for its doc_id
        except RejectedInput as error:
            rejected.append(rejection(file, doc_id_of(data), error.reason, error.detail))
            logger.warning("%s: rejected, %s: %s", path, error.reason, error.detail)
            continue
        rows.append(row | {"path": str(path)})
        logger.info(
            "%s: %s %s, %s, %s %s, %s chars",
            source_path, row["source_format"], row["encoding"], row["script"], row["region"], row["year"],
            row["n_chars"],
        )  # fmt: skip
        if row["decode_errors"]:
            logger.warning(
                "%s: %d damaged bytes or control characters replaced or removed while decoding "
                "(documents.decode_errors)",
                source_path, row["decode_errors"],
            )  # fmt: skip
    documents = pl.DataFrame(rows, schema=DOCUMENT_SCHEMA | {"path": pl.Utf8})
    return Ingested(documents, pl.DataFrame(rejected, schema=REJECTED_SCHEMA))


def rejection(file: InputFile, doc_id: str | None, reason: str, detail: str) -> dict:
    return {
        "path": str(file.path),
        "source_path": file.source_path,
        "doc_id": doc_id,
        "reason": reason,
        "detail": detail,
    }


@task(cache_policy=NO_CACHE)
def validate_document_metadata(documents: pl.DataFrame) -> ValidationOutcome:
    """The documents suite over the whole run's metadata (a structural failure stops the run)."""
    return validate_documents(documents)


@task(cache_policy=NO_CACHE, task_run_name="extract-validate-batch-{number:04d}")
def extract_and_validate_batch(
    number: int, documents: pl.DataFrame, run_id: str, extractor_version: str
) -> Validated:
    """A batch of documents -> its records, validated, ready to stage (flows/batch.py, the same work
    as govtargets.extract()). One task, so that a batch's records cross between processes once, on
    their way to the writer."""
    return process_batch(documents, run_id, extractor_version)


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def publish_data_docs(reports: Path, run_name: str, suite_results: list[tuple[str, object]]) -> Path:
    """GX Data Docs of this run's suite results (one page per suite and batch) in the reports folder."""
    index = build_data_docs(
        reports, run_name, [result for _, result in suite_results], [b for b, _ in suite_results]
    )
    get_run_logger().info("Data Docs: %s", index)
    return index


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def open_staging(work: runfiles.RunFiles) -> None:
    """Fresh staging tables for this run, in its staging file."""
    with_connection(work, lambda con: db.open_staging(con, work.staging))


@task(cache_policy=NO_CACHE, **IO_RETRIES, task_run_name="stage-{label}")
def stage_batch(work: runfiles.RunFiles, label: str, batch: db.Batch) -> None:
    """Append a validated batch to the staging tables; the main tables are not touched yet."""
    with_connection(work, lambda con: db.stage_batch(con, batch))
    db.pause_for_tests("stage")


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def publish_run(work: runfiles.RunFiles, changes: db.FileChanges) -> dict:
    """One transaction in the run's copy: the run's documents replace their previous versions, and
    renamed, moved and removed files are recorded. Nobody sees it before the copy is published."""
    return with_connection(work, lambda con: db.publish_staged(con, changes))


# ------------------------------------------------------------------------------- helpers


def default_reports(warehouse: Path) -> Path:
    """reports/<warehouse file name>/ beside the warehouse: one Data Docs site per warehouse, so two
    warehouses in one folder do not mix their runs in one site."""
    return warehouse.parent / "reports" / warehouse.name


def stop_on_structural_failures(failures: list[str], reports: Path, run_id: str, suite_results: list) -> None:
    """A failed structural expectation loads nothing; the Data Docs built first show why, under a
    run name that says nothing was loaded."""
    if failures:
        publish_data_docs(reports, failed_run_name(run_id), suite_results)
        raise StructuralValidationError("; ".join(failures))


def failed_run_name(run_id: str) -> str:
    return f"{run_id}-failed-nothing-loaded"


def with_connection(work: runfiles.RunFiles, action):
    with runfiles.reporting_full_disk(work.folder):
        con = db.connect(work.copy)  # the run's own copy, migrated when the run was recorded
        try:
            db.attach_staging(con, work.staging)
            return action(con)
        finally:
            con.close()


def plan_batches(paths: list[InputFile], batch_mb: float) -> list[FileBatch]:
    """Consecutive files grouped to about `batch_mb` each (a file larger than that is a batch)."""
    limit = batch_mb * 1e6
    batches, current, size = [], [], 0
    for path in paths:
        try:
            length = path.path.stat().st_size
        except OSError:
            length = 0  # ingest records why it cannot be read
        if current and size + length > limit:
            batches.append(FileBatch(len(batches), tuple(current)))
            current, size = [], 0
        current.append(path)
        size += length
    if current:
        batches.append(FileBatch(len(batches), tuple(current)))
    return batches


def exit_with_parent(parent_pid: int) -> None:
    """In a worker process: exit when the flow's process is gone (killed, say), instead of lingering
    as an orphan holding its memory; a pool worker is otherwise only told to stop by a live parent."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def start_worker(parent_pid: int, log_queue=None) -> None:
    """In each worker process, before its first task: exit with the flow's process, and send what
    it would log to the console to `log_queue` when the CLI draws a live display (flows/terminal.py)."""
    exit_with_parent(parent_pid)
    if log_queue is not None:
        from govtargets.flows.terminal import send_console_logs_to

        send_console_logs_to(log_queue)


def task_runner(
    runner: str, dask_address: str | None = None, workers: int | None = None, log_queue=None
) -> TaskRunner:
    """The task runner for per-batch work: local processes, or a Dask cluster.

    log_queue: where process workers send their console log records (a multiprocessing manager's
    queue, from flows/terminal.logs_above)."""
    workers = workers or os.cpu_count() or 1
    if runner == "process":
        return ProcessPoolTaskRunner(
            max_workers=workers, initializer=start_worker, initargs=(os.getpid(), log_queue)
        )
    if runner == "dask":
        from prefect_dask import DaskTaskRunner  # optional: only Dask runs import it

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
        )
    raise ValueError(f"unknown runner {runner!r}: use one of {', '.join(RUNNERS)}")


def library_versions() -> str:
    names = ("govtargets", "prefect", "polars", "duckdb", "great-expectations", "opencc", "jieba", "rjieba")
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return json.dumps(versions, sort_keys=True)


def start_run(warehouse: Path, run_id: str, input_dir: Path) -> runfiles.RunFiles:
    """The run's private copy of the warehouse, migrated, with the run recorded `running` in it."""
    flow_run_id = str(flow_run.get_id() or "")
    return runfiles.open_run(warehouse, run_id, flow_run_id, str(input_dir), library_versions())


def run_validation_results(warehouse: Path, run_id: str) -> pl.DataFrame:
    """The run's published expectation results: one row per expectation, as validation_results,
    the Data Docs pages and the report count them."""
    con = db.connect(warehouse, read_only=True)
    try:
        return con.sql(
            """select suite, rule, expectation, column_name, severity, success, unexpected_count
               from validation_results where run_id = ? order by suite, rule""",
            params=[run_id],
        ).pl()
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
        create_table_artifact(
            key="data-quality", table=validation.to_dicts(), description="Expectation results"
        )


def merge_ingested(
    parts: list[Ingested],
    anchors: pl.DataFrame,
    manifest: pl.DataFrame | None = None,
    not_read: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All batches' documents with the manifest's metadata and years inferred across the whole
    run; duplicate files set aside. not_read: what the run rejected without reading (the walk's
    entries, duplicates by hash)."""
    empty = pl.DataFrame(schema=DOCUMENT_SCHEMA | {"path": pl.Utf8})  # an empty folder gives no batches
    documents = pl.concat([empty] + [p.documents for p in parts], how="vertical", rechunk=False)
    unique, duplicates = split_duplicates(documents)
    duplicates = duplicates.join(documents.select("path", "source_path"), on="path", how="left")
    rejected = pl.concat(
        [
            pl.DataFrame(schema=REJECTED_SCHEMA),
            not_read if not_read is not None else pl.DataFrame(schema=REJECTED_SCHEMA),
        ]
        + [p.rejected for p in parts]
        + [duplicates.select(list(REJECTED_SCHEMA))]
    )
    # Years straight on the frame: the documents' texts are never copied into Python objects.
    documents = infer_years_from_sessions(apply_manifest(unique.drop("path"), manifest), anchors)
    return documents.with_columns(ingested_at=pl.lit(db.now())), rejected


def warn_unknown_metadata(documents: pl.DataFrame) -> dict[str, list[str]]:
    """Log each document whose region, year or doc_type stayed unknown; returns them by file."""
    unknown = unknown_metadata(documents)
    logger = get_run_logger()
    for source_name, missing in unknown.items():
        logger.warning(
            "%s: %s unknown (not in its text; a --manifest can give it): its records have no %s",
            source_name, ", ".join(missing), " and no ".join(missing),
        )  # fmt: skip
    return unknown


def rejected_batch(run_id: str, rejected: pl.DataFrame, document_results: pl.DataFrame) -> db.Batch:
    """What a run loads besides extracted documents: rejected files and the documents suite."""
    stamped = rejected.with_columns(extractor_version=pl.lit(EXTRACTOR_VERSION))
    return db.Batch(run_id=run_id, rejected=stamped, validation=document_results)


def not_read_rows(input_path: Path, inventory: Inventory, plan: FilePlan) -> pl.DataFrame:
    """What the walk met and did not read, and the files that repeat another file's bytes."""
    duplicates = [
        {
            "path": str(input_path / source_path),
            "source_path": source_path,
            "doc_id": doc_id,
            "reason": "duplicate",
            "detail": f"same bytes as {input_path / first}",
        }
        for source_path, doc_id, first in plan.duplicates
    ]
    return pl.DataFrame(inventory.rejected + duplicates, schema=REJECTED_SCHEMA)


def extraction_groups(documents: pl.DataFrame, batch_mb: float) -> list[pl.DataFrame]:
    """The run's new documents regrouped into batches of about `batch_mb` of text each."""
    chars_per_batch = max(1, int(batch_mb * 1e6 / 3))  # CJK text: about 3 UTF-8 bytes per character
    numbered = documents.with_columns(
        group=(pl.col("n_chars").cum_sum() - pl.col("n_chars")) // chars_per_batch
    )
    return [group.drop("group") for group in numbered.partition_by("group", maintain_order=True)]


def ingest_in_order(batches: list[FileBatch]) -> list[Ingested]:
    """Every batch ingested in parallel, taken in order: each counts as done as soon as it is."""
    progress.plan(progress.INGEST, len(batches))
    ingested = []
    for future in ingest_batch.map(batches):
        ingested.append(future.result())
        progress.batch_done(progress.INGEST)
    return ingested


def extract_and_validate(groups: list[pl.DataFrame], run_id: str, in_flight: int):
    """Validated batches in order, with at most `in_flight` batches submitted but not yet taken,
    so memory holds a few batches' records, not the whole run's."""
    pending: list[PrefectFuture] = []
    for number in range(len(groups)):
        # popped, so that a batch's text is not held here once its worker has it
        # the version the flow skips by is the one recorded, whatever a worker process imported
        pending.append(extract_and_validate_batch.submit(number, groups.pop(0), run_id, EXTRACTOR_VERSION))
        if len(pending) >= in_flight:
            yield pending.pop(0).result()
    while pending:
        yield pending.pop(0).result()


# ---------------------------------------------------------------------------------- flow


@flow(name="pipeline", log_prints=True, task_runner=task_runner("process"))
def pipeline(
    input_dir: str = str(SAMPLE_CORPUS),
    warehouse: str = str(db.DEFAULT_WAREHOUSE),
    full_refresh: bool = False,
    batch_mb: float = DEFAULT_BATCH_MB,
    reports: str | None = None,
    manifest: str | None = None,
) -> dict:
    """Raw report files -> validated target records in the DuckDB warehouse.

    reports: folder for GX Data Docs (default: `reports/<warehouse file name>/` beside the warehouse).
    manifest: CSV of metadata the user knows (file, region, year, doc_type; blanks allowed).
    """
    input_path, warehouse_path = Path(input_dir), Path(warehouse)
    reports_path = Path(reports) if reports else default_reports(warehouse_path)
    manifest_path = Path(manifest) if manifest else None
    with db.run_lock(warehouse_path):
        return run_pipeline(input_path, warehouse_path, reports_path, full_refresh, batch_mb, manifest_path)


def run_pipeline(
    input_path: Path,
    warehouse_path: Path,
    reports_path: Path,
    full_refresh: bool,
    batch_mb: float,
    manifest_path: Path | None = None,
) -> dict:
    """The flow's steps, with the warehouse held by this run from the first to the last. The run
    works on its own copy of the warehouse (readers are never in its way) and publishes it at the end."""
    run_id = uuid.uuid4().hex[:16]
    work = start_run(warehouse_path, run_id, input_path)
    counts: dict = {}
    try:
        inventory = list_input_files(input_path)
        manifest = read_manifest(manifest_path)
        known = read_known_documents(work.copy)
        progress.start(total_files=len(inventory.files))

        plan = plan_input_files(inventory.files, known, full_refresh)
        progress.advance(plan.skipped)
        to_ingest = set(plan.to_ingest)
        changed = [file for file in inventory.files if file.source_path in to_ingest]
        ingested = ingest_in_order(plan_batches(changed, batch_mb))
        documents, rejected = merge_ingested(
            ingested, known.anchors, manifest, not_read_rows(input_path, inventory, plan)
        )
        unknown = warn_unknown_metadata(documents)
        progress.advance(len(changed) - documents.height)  # each file read is a document or a rejection
        del ingested
        document_check = validate_document_metadata(documents.drop("text"))
        suite_results = [("documents", result) for result in document_check.suite_results]
        stop_on_structural_failures(document_check.structural_failures, reports_path, run_id, suite_results)

        open_staging(work)
        stage_batch(work, "rejected-files", rejected_batch(run_id, rejected, document_check.results))
        groups = extraction_groups(documents, batch_mb)
        progress.plan(progress.EXTRACT, len(groups))
        del documents
        records = loaded = quarantined = 0
        validated = extract_and_validate(groups, run_id, in_flight=2 * (os.cpu_count() or 1))
        for number, checked in enumerate(validated):
            label, batch = f"batch-{number:04d}", checked.batch
            suite_results += [(label, result) for result in checked.suite_results]
            stop_on_structural_failures(checked.structural_failures, reports_path, run_id, suite_results)
            stage_batch(work, label, batch)
            held_back = batch.quarantine["record_id"].n_unique()
            loaded += batch.targets.height
            quarantined += held_back
            records += batch.targets.height + held_back
            progress.batch_done(progress.EXTRACT, files=batch.documents.height)
        changes = db.FileChanges(
            run_id=run_id,
            relocated=tuple((doc_id, path) for doc_id, path, _ in plan.relocated),
            removed=tuple(doc_id for doc_id, _ in plan.removed),
        )
        published = publish_run(work, changes)
        counts = {
            "files": len(inventory.files) + len(inventory.rejected),
            "documents": published["documents"],
            "unchanged": len(plan.unchanged),
            "renamed": published["relocated"],
            "removed": published["removed"],
            "records": records,
            "loaded": loaded,
            "quarantined": quarantined,
            "rejected": rejected.height + len(plan.rejected_before),
            "unknown_metadata": unknown,
        }
        runfiles.close_run(work, run_id, "completed", counts)  # published: readers see the run from here
    except Exception:
        runfiles.fail_run(work, run_id, counts)
        raise
    finally:
        progress.finish()
    data_docs = build_published_data_docs(reports_path, run_id, suite_results)
    summary = {
        "run_id": run_id,
        **counts,
        "warehouse": str(warehouse_path),
        "data_docs": str(data_docs) if data_docs else None,
    }
    publish_summary(summary, run_validation_results(warehouse_path, run_id))
    print(f"pipeline summary: {summary}")
    return summary


def build_published_data_docs(reports: Path, run_id: str, suite_results: list) -> Path | None:
    """Data Docs of a published run. Built after publishing, so that Data Docs never show a run the
    warehouse does not have; a failure here is reported, but the run's data are in."""
    try:
        return publish_data_docs(reports, run_id, suite_results)
    except Exception as error:  # noqa: BLE001 - the run is published; its Data Docs are a report of it
        get_run_logger().error("Data Docs not built for run %s: %s", run_id, error)
        return None


if __name__ == "__main__":
    pipeline(input_dir=str(SAMPLE_CORPUS), warehouse=str(db.DEFAULT_WAREHOUSE))

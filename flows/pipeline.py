"""The `pipeline` flow: ingest -> normalize -> extract -> validate (+ Data Docs) -> load.

Reads as the table of contents; the logic lives in transforms/, the I/O in warehouse/.

Files are processed in batches of a few MB: ingestion, extraction and validation of the batches
run in parallel on the flow's task runner (processes by default, or a Dask cluster), while the
warehouse has a single writer, the flow itself, which stages each validated batch as it arrives
and publishes the whole run in one transaction at the end.

Worker processes import this module (Prefect sends them the flow, by reference) to ingest and
extract; the flow's own process validates each extracted batch as it arrives. So Great
Expectations is imported where it is used, in the flow's validation and Data Docs tasks, and never
by a worker: ~250 MB and ~4 s less in each (tests/test_orchestration.py checks it).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from govtargets.flows import progress
from govtargets.flows.batch import (
    Extracted,
    Validated,
    extract_records,
    read_extracted,
    validate_records,
    write_extracted,
)
from govtargets.flows.inputs import FileBatch, Inventory, plan_batches, read_once, walk_input
from govtargets.flows.run_summary import unknown_metadata_log_lines
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
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

if TYPE_CHECKING:
    from govtargets.expectations.validate import ValidationOutcome

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


@dataclass
class Ingested:
    """A batch's documents (with their texts, as a worker returns them; without, as the flow keeps
    them once it has written the texts to the run's folder) and its rejected files."""

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
def plan_input_files(inventory: Inventory, known: Known, full_refresh: bool) -> FilePlan:
    """Which of the inventory's files need reading: each is hashed and set against what the
    warehouse holds.

    Hashing here, in the flow's process, makes a re-run of an unchanged corpus read and hash the
    files and nothing more: no worker process is started."""
    hashes: dict[str, str | None] = {}
    for source_path in inventory.files:
        try:
            hashes[source_path] = doc_id_of((inventory.root / source_path).read_bytes())
        except OSError:
            hashes[source_path] = None  # ingest records why it cannot be read
    plan = plan_files(hashes, known.documents, known.rejections, EXTRACTOR_VERSION, full_refresh)
    log_plan(plan, len(inventory.files))
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
    collect_previous_batch(batch.number)
    db.pause_for_tests("ingest")
    rows, rejected = [], []
    for path, source_path in batch.files():
        try:
            data, size_after = read_once(path)  # what is read once is what is hashed and decoded
        except OSError as error:
            rejected.append(rejection(path, source_path, None, "unreadable", str(error)))
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
            rejected.append(rejection(path, source_path, doc_id_of(data), error.reason, error.detail))
            logger.warning("%s: rejected, %s: %s", path, error.reason, error.detail)
            continue
        rows.append(row | {"path": str(path)})
        # DEBUG, not INFO: what `documents` holds for every file; a line per file sent to the Prefect
        # server cost ~1.8 ms of the run's two cores (20,000 small files: 139.6, 126.3 s -> 99.5, 94.1 s)
        logger.debug(
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
    logger.info(
        "%d files read: %d documents (%d characters), %d rejected",
        len(batch.source_paths), documents.height, documents["n_chars"].sum(), len(rejected),
    )  # fmt: skip
    return Ingested(documents, pl.DataFrame(rejected, schema=REJECTED_SCHEMA))


def rejection(path: Path, source_path: str, doc_id: str | None, reason: str, detail: str) -> dict:
    return {
        "path": str(path),
        "source_path": source_path,
        "doc_id": doc_id,
        "reason": reason,
        "detail": detail,
    }


@task(cache_policy=NO_CACHE)
def validate_document_metadata(documents: pl.DataFrame) -> ValidationOutcome:
    """The documents suite over the whole run's metadata (a structural failure stops the run)."""
    from govtargets.expectations.validate import validate_documents  # GX: the flow's process only

    return validate_documents(documents)


@task(cache_policy=NO_CACHE, task_run_name="extract-batch-{number:04d}")
def extract_batch(
    number: int, documents: pl.DataFrame, run_id: str, work: runfiles.RunFiles | None = None
) -> Extracted | Path:
    """A batch of documents (metadata settled) -> its records, not yet validated (flows/batch.py,
    the same work as govtargets.extract()). In a worker: the flow validates as batches arrive.

    work: the run's files, when the worker can reach them (the same machine): it then stages the
    batch's clauses itself (they go to the warehouse as extracted: nothing validates them) and
    leaves the rest in the run's folder (runfiles.extracted), whose path it returns: no frames are
    pickled here, sent, and held by the flow while in flight."""
    collect_previous_batch(number)
    extracted = extract_records(documents)
    if work is None:
        return extracted
    with runfiles.reporting_full_disk(work.folder):
        db.stage_batch(work.staging, batch_label(number), db.Batch(run_id, clauses=extracted.clauses))
        write_extracted(replace(extracted, clauses=extracted.clauses.clear()), work.extracted(number))
    return work.extracted(number)


def taken_from_folder(extracted: Extracted | Path) -> Extracted:
    """A batch's records as extract_batch gave them: read back (and their files removed) when its
    worker left them in the run's folder."""
    if isinstance(extracted, Extracted):
        return extracted
    frames = read_extracted(extracted)
    shutil.rmtree(extracted)
    return frames


def batch_label(number: int) -> str:
    """The name a batch's files go by in the run's folder (its staged rows, its suite results)."""
    return f"batch-{number:04d}"


@task(cache_policy=NO_CACHE, task_run_name="validate-batch-{number:04d}")
def validate_batch(number: int, extracted: Extracted, run_id: str) -> Validated:
    """A batch's records through the GX suites, in the flow's process, ready to stage: stamped with
    the flow's extractor version, the one later runs skip documents by."""
    return validate_records(extracted, run_id, EXTRACTOR_VERSION)


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def publish_data_docs(
    reports: Path, run_name: str, work: runfiles.RunFiles, batches: list[tuple[str, int]]
) -> Path:
    """GX Data Docs of this run's suite results (one page per suite and batch) in the reports
    folder, read back one batch at a time from the run's folder. batches: (label, results) of each."""
    from govtargets.expectations.data_docs import build_data_docs, read_suite_results  # GX: flow only

    results = read_suite_results(work.suite_results(label) for label, _ in batches)
    labels = [label for label, count in batches for _ in range(count)]
    index = build_data_docs(reports, run_name, results, labels)
    get_run_logger().info("Data Docs: %s", index)
    return index


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def open_staging(work: runfiles.RunFiles) -> None:
    """An empty staging folder for this run, in its folder."""
    db.open_staging(work.staging)


@task(cache_policy=NO_CACHE, **IO_RETRIES, task_run_name="stage-{label}")
def stage_batch(work: runfiles.RunFiles, label: str, batch: db.Batch) -> None:
    """Write a validated batch to the run's staging folder; the tables are not touched yet."""
    with runfiles.reporting_full_disk(work.folder):
        db.stage_batch(work.staging, label, batch)
    db.pause_for_tests("stage")


@task(cache_policy=NO_CACHE, **IO_RETRIES)
def publish_run(work: runfiles.RunFiles, changes: db.FileChanges) -> dict:
    """One transaction in the run's copy: the run's documents replace their previous versions, and
    renamed, moved and removed files are recorded. Nobody sees it before the copy is published."""
    return with_connection(work, lambda con: db.publish_staged(con, work.staging, changes))


# ------------------------------------------------------------------------------- helpers


def stop_on_structural_failures(failures: list[str], tally: Tally) -> None:
    """A failed structural expectation loads nothing; the Data Docs built first show why, under a
    run name that says nothing was loaded."""
    if failures:
        publish_data_docs(tally.reports, failed_run_name(tally.run_id), tally.work, tally.validated)
        raise StructuralValidationError("; ".join(failures))


def new_run_id() -> str:
    """16 hex digits, at least one of them a letter. GX's Data Docs read a run's name as a time
    when they can, and a long number makes that fail with an error they do not catch: the run's
    result pages were not rendered (one run in ~1,900 drew an id of digits only; CI met one)."""
    while True:
        run_id = uuid.uuid4().hex[:16]
        if not run_id.isdigit():
            return run_id


def failed_run_name(run_id: str) -> str:
    return f"{run_id}-failed-nothing-loaded"


def with_connection(work: runfiles.RunFiles, action):
    with runfiles.reporting_full_disk(work.folder):
        # the run's own copy, migrated when the run was recorded; DuckDB's memory bounded (it spills)
        con = db.connect(work.copy, config=db.RUN_MEMORY)
        try:
            return action(con)
        finally:
            con.close()


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
    # what the worker has imported (the flow's module, Prefect, Polars) lives as long as it does:
    # the cycle collector need not scan it each time collect_previous_batch runs. Thawed at exit,
    # so that the interpreter's teardown frees it (DuckDB's bindings report what is not freed).
    gc.freeze()
    atexit.register(gc.unfreeze)
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
    """All batches' documents (metadata, no texts) with the manifest's metadata and years inferred
    across the whole run; duplicate files set aside. not_read: what the run rejected without reading (the walk's
    entries, duplicates by hash)."""
    # an empty folder gives no batches; the flow keeps documents without their texts
    empty = pl.DataFrame(schema=DOCUMENT_SCHEMA | {"path": pl.Utf8}).drop("text")
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
    documents = infer_years_from_sessions(apply_manifest(unique.drop("path"), manifest), anchors)
    return documents.with_columns(ingested_at=pl.lit(db.now())), rejected


def warn_unknown_metadata(documents: pl.DataFrame) -> dict[str, list[str]]:
    """Warn of the documents whose region, year or doc_type stayed unknown; returns them by file."""
    unknown = unknown_metadata(documents)
    logger = get_run_logger()
    for line in unknown_metadata_log_lines(unknown):
        logger.warning(line)
    return unknown


def rejected_batch(run_id: str, rejected: pl.DataFrame, document_results: pl.DataFrame) -> db.Batch:
    """What a run loads besides extracted documents: rejected files and the documents suite."""
    stamped = rejected.with_columns(extractor_version=pl.lit(EXTRACTOR_VERSION))
    return db.Batch(run_id=run_id, rejected=stamped, validation=document_results)


def not_read_rows(inventory: Inventory, plan: FilePlan) -> pl.DataFrame:
    """What the walk met and did not read, and the files that repeat another file's bytes."""
    duplicates = [
        {
            "path": str(inventory.root / source_path),
            "source_path": source_path,
            "doc_id": doc_id,
            "reason": "duplicate",
            "detail": f"same bytes as {inventory.root / first}",
        }
        for source_path, doc_id, first in plan.duplicates
    ]
    return pl.DataFrame(inventory.rejected + duplicates, schema=REJECTED_SCHEMA)


def in_order(
    batch_runner: TaskRunner, batch_task, parameter_sets: Iterable[dict], in_flight: int
) -> Iterator:
    """The results of `batch_task` over `parameter_sets`, in order, with at most `in_flight` tasks
    submitted but not yet taken: the flow holds a few batches, never the run's."""

    def submitted() -> Iterator:
        pending = deque()
        for parameters in parameter_sets:  # lazily: a batch is read only when it is submitted
            pending.append(batch_runner.submit(batch_task, parameters))
            if len(pending) >= in_flight:
                yield pending.popleft()
        while pending:
            yield pending.popleft()

    for number, future in enumerate(submitted()):
        collect_previous_batch(number)
        yield future.result()


def collect_previous_batch(number: int) -> None:
    """Before batch `number` is taken or worked on: what the previous batch left. A finished batch's
    frames stay referenced from cycles among Prefect's futures and states until Python's cycle
    collector runs, which a few large objects seldom trigger: collected once per batch, the flow's
    and the workers' memory stays flat (the flow's peak at 80 MB: 1.4 instead of 2.7 GB, which
    grew with the corpus). Before the first there is nothing to collect, and a collection costs
    ~0.2-0.4 s in a process this size: a run of one batch makes none."""
    if number > 0:
        gc.collect()


@contextmanager
def collections_skipping_imports() -> Iterator[None]:
    """While a run works in the flow's process, the cycle collector scans only the objects made
    since it began: what the imports made (GX, pandas, Prefect: ~380,000 objects) is alive for the
    process anyway, and scanning it made each collect_previous_batch cost ~0.2 s, twice per batch
    (~15% of the flow's own time in a multi-batch run); with it frozen a collection takes ~1 ms.
    Thawed at the end, so a process that runs flows again (a deployment's, a test session's)
    keeps nothing out of reach of the collector."""
    from govtargets.expectations import validate  # noqa: F401 - every run validates: its objects, too

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def ingest(
    batches: list[FileBatch], batch_runner: TaskRunner, work: runfiles.RunFiles, in_flight: int
) -> list[Ingested]:
    """Every batch ingested in parallel. As each arrives its texts go to a file in the run's folder
    (read back batch by batch for extraction), and the flow keeps only their metadata, which year
    inference across documents needs all of."""
    progress.plan(progress.INGEST, len(batches))
    kept = []
    arriving = in_order(batch_runner, ingest_batch, ({"batch": b} for b in batches), in_flight)
    for batch, ingested in zip(batches, arriving, strict=True):
        with runfiles.reporting_full_disk(work.folder):
            ingested.documents.select("doc_id", "source_path", "text").write_parquet(
                work.texts(batch.number), compression="lz4"
            )
        kept.append(Ingested(ingested.documents.drop("text"), ingested.rejected))
        progress.batch_done(progress.INGEST)
    return kept


def with_texts(
    work: runfiles.RunFiles, numbers: list[int], documents: pl.DataFrame
) -> Iterator[pl.DataFrame]:
    """The run's documents, metadata settled, batch by batch as they were ingested (the batches
    `numbers`), each with its texts read back from the run's folder (duplicates and rejected files
    are not in `documents`)."""
    columns = [*DOCUMENT_SCHEMA, "ingested_at"]
    for number in numbers:
        texts = pl.read_parquet(work.texts(number))
        yield texts.join(documents, on=["doc_id", "source_path"], how="inner", maintain_order="left").select(
            columns
        )


def batches_with_documents(ingested: list[Ingested], documents: pl.DataFrame) -> list[int]:
    """The numbers of the ingested batches with a document left once rejections and duplicates
    are set aside: those that go on to extraction (a batch's number is its place in `ingested`)."""
    keys = documents.select("doc_id", "source_path")
    return [
        number
        for number, part in enumerate(ingested)
        if not part.documents.join(keys, on=keys.columns, how="semi").is_empty()
    ]


def extract_and_validate(
    batch_runner: TaskRunner,
    batches: Iterable[pl.DataFrame],
    run_id: str,
    in_flight: int,
    work: runfiles.RunFiles | None,
) -> Iterator[Validated]:
    """Validated batches in order: extracted a few at a time in parallel, each validated here as
    it arrives while the workers go on with the next (work: see extract_batch)."""
    parameters = (
        {"number": number, "documents": documents, "run_id": run_id, "work": work}
        for number, documents in enumerate(batches)
    )
    for number, extracted in enumerate(in_order(batch_runner, extract_batch, parameters, in_flight)):
        yield validate_batch(number, taken_from_folder(extracted), run_id)


@dataclass
class Tally:
    """What the run's batches gave, as they are staged, and where their suite results wait for
    Data Docs: in the run's folder, one file per batch, so that they do not add up in memory."""

    run_id: str
    reports: Path
    work: runfiles.RunFiles
    validated: list[tuple[str, int]] = field(default_factory=list)  # (label, suite results) per batch
    records: int = 0
    loaded: int = 0
    quarantined: int = 0

    def add_suite_results(self, label: str, checked: ValidationOutcome | Validated) -> None:
        """A batch's suite results, to its file; a structural failure among them stops the run."""
        from govtargets.expectations.data_docs import write_suite_results  # GX: the flow's process only

        with runfiles.reporting_full_disk(self.work.folder):
            write_suite_results(self.work.suite_results(label), checked.suite_results)
        self.validated.append((label, len(checked.suite_results)))
        stop_on_structural_failures(checked.structural_failures, self)


def stage_validated(validated: Iterable[Validated], work: runfiles.RunFiles, tally: Tally) -> None:
    """Stage each validated batch as it lands."""
    for number, checked in enumerate(validated):
        label, batch = batch_label(number), checked.batch
        tally.add_suite_results(label, checked)
        stage_batch(work, label, batch)
        held_back = batch.quarantine["record_id"].n_unique()
        tally.loaded += batch.targets.height
        tally.quarantined += held_back
        tally.records += batch.targets.height + held_back
        progress.batch_done(progress.EXTRACT, files=batch.documents.height)


@dataclass(frozen=True)
class Settings:
    """A run's parameters, resolved (see the flow's docstring)."""

    input: Path
    warehouse: Path
    reports: Path
    full_refresh: bool
    batch_mb: float
    manifest: Path | None
    runner: str
    workers: int
    dask_address: str | None

    @property
    def workers_share_disk(self) -> bool:
        """Whether the workers run on this machine and can write to the run's folder: local
        processes or a local Dask cluster, not a cluster at an address (it may be elsewhere)."""
        return self.runner == "process" or self.dask_address is None

    @property
    def in_flight(self) -> int:
        """Batches submitted at a time: two per worker keeps every worker busy while the flow stages."""
        return 2 * self.workers


# ---------------------------------------------------------------------------------- flow


@flow(name="pipeline", log_prints=True)
def pipeline(
    input_dir: str = str(SAMPLE_CORPUS),
    warehouse: str | None = None,
    full_refresh: bool = False,
    batch_mb: float = DEFAULT_BATCH_MB,
    reports: str | None = None,
    manifest: str | None = None,
    runner: str = "process",
    workers: int | None = None,
    dask_address: str | None = None,
) -> dict:
    """Raw report files -> validated target records in the DuckDB warehouse.

    warehouse: DuckDB file (default: $GOVTARGETS_WAREHOUSE, else data/govtargets.duckdb).
    reports: folder for GX Data Docs (default: `reports/<warehouse file name>/` beside the warehouse).
    manifest: CSV of metadata the user knows (file, region, year, doc_type; blanks allowed).
    runner: where batches are ingested, extracted and validated: "process" (local worker
    processes) or "dask" (a local Dask cluster, or the one at `dask_address`).
    workers: worker processes (default: one per core).
    """
    if runner not in RUNNERS:
        raise ValueError(f"unknown runner {runner!r}: use one of {', '.join(RUNNERS)}")
    warehouse_path = db.warehouse_path(warehouse)
    settings = Settings(
        input=Path(input_dir),
        warehouse=warehouse_path,
        reports=Path(reports) if reports else db.default_reports(warehouse_path),
        full_refresh=full_refresh,
        batch_mb=batch_mb,
        manifest=Path(manifest) if manifest else None,
        runner=runner,
        workers=workers or os.cpu_count() or 1,
        dask_address=dask_address,
    )
    started = time.monotonic()
    with db.run_lock(warehouse_path), collections_skipping_imports():
        summary = run_pipeline(settings)
    summary["elapsed_seconds"] = round(time.monotonic() - started, 3)
    print(f"pipeline summary: {summary}")
    return summary


def run_pipeline(settings: Settings) -> dict:
    """The flow's steps, with the warehouse held by this run from the first to the last. The run
    works on its own copy of the warehouse (readers are never in its way) and publishes it at the end."""
    run_id = new_run_id()
    work = start_run(settings.warehouse, run_id, settings.input)
    counts: dict = {}
    tally = Tally(run_id, settings.reports, work)
    try:
        inventory = list_input_files(settings.input)
        manifest = read_manifest(settings.manifest)
        known = read_known_documents(work.copy)
        progress.start(total_files=len(inventory.files))
        plan = plan_input_files(inventory, known, settings.full_refresh)
        progress.advance(plan.skipped)
        batches = plan_batches(inventory.root, files_to_read(inventory, plan), settings.batch_mb)
        with batch_task_runner(settings, len(batches)) as batch_runner:
            # ingest + normalize, in parallel: texts wait in the run's folder, metadata stays here
            ingested = ingest(batches, batch_runner, work, settings.in_flight)
            not_read = not_read_rows(inventory, plan)
            documents, rejected = merge_ingested(ingested, known.anchors, manifest, not_read)
            to_extract = batches_with_documents(ingested, documents)
            del ingested  # each batch's metadata, a second copy of `documents`: not kept through extraction
            unknown = warn_unknown_metadata(documents)
            progress.advance(sum(len(b.source_paths) for b in batches) - documents.height)  # the rejected
            document_check = validate_document_metadata(documents)
            tally.add_suite_results("documents", document_check)
            # load, part 1: staging, each batch as it lands
            open_staging(work)
            stage_batch(work, "rejected-files", rejected_batch(run_id, rejected, document_check.results))
            # extract + validate, in parallel, batch by batch
            progress.plan(progress.EXTRACT, len(to_extract))
            texts = with_texts(work, to_extract, documents)
            stage_validated(
                extract_and_validate(
                    batch_runner,
                    texts,
                    run_id,
                    settings.in_flight,
                    work if settings.workers_share_disk else None,
                ),
                work,
                tally,
            )
        # load, part 2: one transaction, then the run's copy is published
        published = publish_run(work, file_changes(run_id, plan))
        counts = run_counts(inventory, plan, published, tally, rejected, unknown)
        runfiles.close_run(work, run_id, "completed", counts)  # published: readers see the run from here
    except Exception:
        runfiles.fail_run(work, run_id, counts)
        raise
    finally:
        progress.finish()
    data_docs = build_published_data_docs(tally)
    runfiles.remove_run_folder(work)
    summary = {
        "run_id": run_id,
        **counts,
        "warehouse": str(settings.warehouse),
        "data_docs": str(data_docs) if data_docs else None,
    }
    publish_summary(summary, run_validation_results(settings.warehouse, run_id))
    return summary


def batch_task_runner(settings: Settings, n_batches: int) -> TaskRunner:
    """The task runner for per-batch work, with the CLI's live display's log queue if it has one.

    A run of one batch (a file or a few, a re-run with little new) works in this process: a worker
    process would first spend seconds importing what this one has already imported, for nothing
    to run in parallel."""
    if settings.runner == "process" and n_batches <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return task_runner(settings.runner, settings.dask_address, settings.workers, progress.worker_logs())


def files_to_read(inventory: Inventory, plan: FilePlan) -> list[str]:
    """The source paths of the input files the plan says to read, in the walk's order."""
    to_ingest = set(plan.to_ingest)
    return [source_path for source_path in inventory.files if source_path in to_ingest]


def file_changes(run_id: str, plan: FilePlan) -> db.FileChanges:
    return db.FileChanges(
        run_id=run_id,
        relocated=tuple((doc_id, path) for doc_id, path, _ in plan.relocated),
        removed=tuple(doc_id for doc_id, _ in plan.removed),
    )


def run_counts(
    inventory: Inventory, plan: FilePlan, published: dict, tally: Tally, rejected: pl.DataFrame, unknown: dict
) -> dict:
    return {
        "files": len(inventory.files) + len(inventory.rejected),
        "documents": published["documents"],
        "unchanged": len(plan.unchanged),
        "renamed": published["relocated"],
        "removed": published["removed"],
        "records": tally.records,
        "loaded": tally.loaded,
        "quarantined": tally.quarantined,
        "rejected": rejected.height + len(plan.rejected_before),
        "unknown_metadata": unknown,
    }


def build_published_data_docs(tally: Tally) -> Path | None:
    """Data Docs of a published run. Built after publishing, so that Data Docs never show a run the
    warehouse does not have; a failure here is reported, but the run's data are in."""
    try:
        return publish_data_docs(tally.reports, tally.run_id, tally.work, tally.validated)
    except Exception as error:  # noqa: BLE001 - the run is published; its Data Docs are a report of it
        get_run_logger().error("Data Docs not built for run %s: %s", tally.run_id, error)
        return None


if __name__ == "__main__":
    pipeline()

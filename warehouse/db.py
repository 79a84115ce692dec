"""The DuckDB warehouse: connection, numbered migrations, and the one-transaction loader.

A run never writes the warehouse file in place: it works on a private copy (warehouse/runfiles.py)
with its batches staged in a separate file, and publishes the copy by renaming it over the
warehouse. Readers keep the file they opened and are never in a run's way.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import duckdb
import polars as pl
from govtargets.transforms import vocabulary

SQL_DIR = Path(__file__).parent / "sql"
DEFAULT_WAREHOUSE = Path("data") / "govtargets.duckdb"
WAREHOUSE_ENV = "GOVTARGETS_WAREHOUSE"
# What DuckDB may hold in memory while a run publishes (by default it takes up to 80% of the
# machine's memory, so a run's one publish transaction grew with the corpus); beyond this it writes
# to a temporary folder beside the run's copy of the warehouse. With no index that grows with the
# records (024_targets_without_primary_key.sql) every step of a publish can spill: inserting the
# 5 M and 20 M records of ~1 and ~4 GB corpora under this limit peaked at 332 and 349 MB.
RUN_MEMORY = {"memory_limit": "256MB"}
# Tables whose rows belong to one document: replaced together when the document is reloaded.
PER_DOCUMENT_TABLES = (
    "targets",
    "quarantine",
    "qualitative_targets",
    "document_texts",
    "clauses",
    "document_keywords",
)
# Tests only: "<point>[:<seconds>]" holds a run at that point (ingest, stage, publish: inside the open
# publish transaction, rename: before its copy replaces the warehouse), so that a test can kill it there.
TEST_PAUSE_ENV = "GOVTARGETS_TEST_PAUSE_AT"
# How often a connection that has to wait for another process's lock tries again.
LOCK_RETRY_SECONDS = 0.25


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or written; the message says which file and why."""


def warehouse_path(explicit: str | Path | None = None) -> Path:
    """The flag wins, then $GOVTARGETS_WAREHOUSE, then data/govtargets.duckdb."""
    return Path(explicit or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE)


def default_reports(warehouse: Path) -> Path:
    """reports/<warehouse file name>/ beside the warehouse: one Data Docs site per warehouse, so two
    warehouses in one folder do not mix their runs in one site."""
    return warehouse.parent / "reports" / warehouse.name


def connect(
    path: Path,
    read_only: bool = False,
    wait: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
    config: dict | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file. DuckDB lets one process write a file or many read it, never
    both: when another process holds it the other way, try again for up to `wait` seconds, saying
    so once through `on_wait`, then fail with a WarehouseError that says why."""
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse here yet (run `govtargets run` first)")
    try:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehouseError(f"{path}: cannot create the warehouse folder: {error}") from error
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise WarehouseError(f"{path}: cannot open the warehouse: {error}") from error
            holder = _lock_holder(error)
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"{path}: in use by another process{holder} (DuckDB allows one writer or many "
                    f"readers){f'; waited {wait:g} s' if wait else ''}"
                ) from error
            if on_wait is not None:
                on_wait(f"{path}: in use by another process{holder}; waiting up to {wait:g} s")
                on_wait = None
            time.sleep(LOCK_RETRY_SECONDS)


def _lock_holder(error: duckdb.IOException) -> str:
    """DuckDB's lock error names the holding process ("(PID 1234)"): worth passing on."""
    found = re.search(r"PID (\d+)", str(error))
    return f" (PID {found.group(1)})" if found else ""


def connect_query_only(
    path: Path, wait: float = 0.0, on_wait: Callable[[str], None] | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection that cannot write any file, attach anything writable, install or load
    extensions, read files outside the warehouse, or undo any of that: DuckDB's own settings
    (external access off, configuration locked), not a filter on statements."""
    return connect(
        path,
        read_only=True,
        wait=wait,
        on_wait=on_wait,
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "lock_configuration": True,
        },
    )


_held_run_locks: dict[Path, int] = {}  # lock files this process holds, and how many times


@contextmanager
def run_lock(path: Path, wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the warehouse for one pipeline run (or one `sql --write`), start to finish.

    A run works on its own copy of the warehouse, so DuckDB's lock does not keep a second run out;
    this lock file does. The OS releases it when the process ends, even when it is killed. It is
    re-entrant within a process: the CLI takes it before anything else starts (the Prefect server
    included), and the flow it runs in the same process takes it again.
    """
    lock_file = path.with_name(path.name + ".run.lock")
    key = lock_file.absolute()
    if key in _held_run_locks:
        _held_run_locks[key] += 1
        try:
            yield
        finally:
            _held_run_locks[key] -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_file, "w")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise WarehouseError(f"{path}: cannot create the warehouse folder: {error}") from error
    with handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseError(
                        f"{path}: another govtargets run is loading this warehouse"
                    ) from None
                if on_wait is not None:
                    on_wait(f"{path}: a govtargets run is loading this warehouse; waiting up to {wait:g} s")
                    on_wait = None
                time.sleep(LOCK_RETRY_SECONDS)
        _held_run_locks[key] = 1
        try:
            yield
        finally:
            del _held_run_locks[key]
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrations() -> list[tuple[int, Path]]:
    found = [(int(m.group(1)), p) for p in SQL_DIR.glob("*.sql") if (m := re.match(r"(\d+)_", p.name))]
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the numbered DDL files not yet applied, in order; returns the schema version.

    Every file not recorded in schema_version is applied, not only those above the highest one
    recorded: a migration numbered below one already applied (written on another branch) is not
    skipped."""
    con.execute(
        "create table if not exists schema_version (version integer primary key, name varchar, applied_at timestamp)"
    )
    applied = {version for (version,) in con.execute("select version from schema_version").fetchall()}
    for version, path in migrations():
        if version in applied:
            continue
        con.execute("begin transaction")
        con.execute(path.read_text(encoding="utf-8"))
        con.execute("insert into schema_version values (?, ?, ?)", [version, path.name, now()])
        con.execute("commit")
    current = con.execute("select coalesce(max(version), 0) from schema_version").fetchall()[0][0]
    refresh_vocabulary(con)
    return current


def refresh_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """The vocabulary tables views read, as transforms/vocab/ has them now (one transaction)."""
    indicators = pl.DataFrame(
        [
            (row["code"], row["name_zh"], row["is_rate"] == "1", row["is_ceiling"] == "1")
            for row in vocabulary.rows("indicators")
        ],
        schema={
            "indicator_code": pl.Utf8,
            "name_zh": pl.Utf8,
            "is_rate": pl.Boolean,
            "is_ceiling": pl.Boolean,
        },
        orient="row",
    )
    qualifiers = pl.DataFrame(
        [(row["word"], row["position"], row["bound"]) for row in vocabulary.rows("qualifiers")],
        schema={"word": pl.Utf8, "position": pl.Utf8, "bound": pl.Utf8},
        orient="row",
    )
    con.execute("begin transaction")
    for table, frame in (("vocab_indicators", indicators), ("vocab_qualifiers", qualifiers)):
        con.execute(f"delete from {table}")
        _insert(con, table, frame)
    con.execute("commit")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Batch:
    """Everything one run loads; frames may be empty but always have their columns."""

    run_id: str
    documents: pl.DataFrame = field(default_factory=pl.DataFrame)
    targets: pl.DataFrame = field(default_factory=pl.DataFrame)
    quarantine: pl.DataFrame = field(default_factory=pl.DataFrame)
    qualitative: pl.DataFrame = field(default_factory=pl.DataFrame)
    units: pl.DataFrame = field(default_factory=pl.DataFrame)
    clauses: pl.DataFrame = field(default_factory=pl.DataFrame)
    rejected: pl.DataFrame = field(default_factory=pl.DataFrame)
    validation: pl.DataFrame = field(default_factory=pl.DataFrame)
    keywords: pl.DataFrame = field(default_factory=pl.DataFrame)

    def staged_rows(self) -> dict[str, pl.DataFrame]:
        """Each staging table's rows, in the warehouse's column names; empty frames left out."""
        run = pl.lit(self.run_id)
        named = {"column": "column_name"}
        shapes = [
            ("documents", self.documents, lambda f: _named_by_path(f).drop("text").with_columns(run_id=run)),
            ("document_texts", self.documents, lambda f: f.select("doc_id", "text")),
            ("targets", self.targets, lambda f: self._with_source_path(f).with_columns(run_id=run)),
            (
                "quarantine",
                self.quarantine,
                lambda f: self._with_source_path(f.rename(named, strict=False)).with_columns(run_id=run),
            ),
            ("qualitative_targets", self.qualitative, lambda f: f.with_columns(run_id=run)),
            # the frame says unit_name (transforms/records.py); the warehouse names departments
            ("target_departments", self.units, lambda f: f.rename({"unit_name": "department"})),
            ("clauses", self.clauses, lambda f: f),
            ("document_keywords", self.keywords, lambda f: f),
            ("rejected_files", self.rejected, lambda f: f.with_columns(run_id=run)),
            (
                "validation_results",
                self.validation,
                lambda f: f.rename(named, strict=False).with_columns(run_id=run),
            ),
        ]
        # Shaping an empty frame would not stay empty: a literal column gives it one row.
        return {table: shape(frame) for table, frame, shape in shapes if not frame.is_empty()}

    def _with_source_path(self, records: pl.DataFrame) -> pl.DataFrame:
        """Records carry their document's source_path (the extractor knows only its source_name)."""
        if "source_path" in records.columns:
            return records
        if "doc_id" in self.documents.columns:
            paths = _named_by_path(self.documents).select("doc_id", "source_path")
            return records.join(paths, on="doc_id", how="left")
        return records.with_columns(source_path=pl.col("source_name"))


def _named_by_path(documents: pl.DataFrame) -> pl.DataFrame:
    """A document without a source_path (one built by hand) is identified by its name."""
    if "source_path" in documents.columns:
        return documents
    return documents.with_columns(source_path=pl.col("source_name"))


@dataclass(frozen=True)
class FileChanges:
    """What a run found out about files it did not need to read again (transforms/identity.py)."""

    run_id: str
    relocated: tuple[tuple[str, str], ...] = ()  # (doc_id, new source_path): renamed, moved or back
    removed: tuple[str, ...] = ()  # doc_ids whose file is no longer in the input folder


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.is_empty():
        return
    columns = ", ".join(frame.columns)
    con.register("incoming", frame)
    con.execute(f"insert into {table} ({columns}) select {columns} from incoming")
    con.unregister("incoming")


def _delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    if not doc_ids:
        return
    con.execute(
        "delete from target_departments where record_id in (select record_id from targets where doc_id in ?)",
        [doc_ids],
    )
    for table in PER_DOCUMENT_TABLES:
        con.execute(f"delete from {table} where doc_id in ?", [doc_ids])


def _refuse_records_loaded_twice(con: duckdb.DuckDBPyConnection) -> None:
    """A record_id staged twice, or staged while the warehouse keeps it, fails the publish (the
    check targets' primary key made: see 024_targets_without_primary_key.sql). Run after the
    run's documents lost their old records, so a document loaded again is not a clash."""
    twice = con.execute(
        """select record_id from staged_targets group by record_id having count(*) > 1
           union all
           select record_id from staged_targets semi join main.targets using (record_id)
           limit 3"""
    ).fetchall()
    if twice:
        raise WarehouseError(
            f"record_id {', '.join(row[0] for row in twice)}: staged twice or already in the warehouse "
            "under another document; nothing of this run is loaded"
        )


def _supersede_older_versions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A file (a path in the input folder) the run loaded again with other bytes replaces its old
    version: the old records go, the old document row stays with a pointer to the new one.

    One statement for the run's staged documents, not a query per document: each of those scanned
    the documents (~2.5 ms apiece at 39,000 documents, so the publish grew with their square)."""
    returned = con.execute(
        """update documents set superseded_by = staged.doc_id
            from staged_documents as staged
            where documents.source_path = staged.source_path and documents.doc_id <> staged.doc_id
              and documents.superseded_by is null
            returning documents.doc_id"""
    ).fetchall()
    superseded = [doc_id for (doc_id,) in returned]
    _delete_documents(con, superseded)
    return superseded


def _relocate(con: duckdb.DuckDBPyConnection, changes: FileChanges) -> None:
    """Documents follow their renamed or moved files (and are current again when a file is back)."""
    for doc_id, source_path in changes.relocated:
        name = PurePosixPath(source_path).name
        con.execute(
            "update documents set source_path = ?, source_name = ?, removed_in_run = null where doc_id = ?",
            [source_path, name, doc_id],
        )
        for table in ("targets", "quarantine"):
            con.execute(
                f"update {table} set source_path = ?, source_name = ? where doc_id = ?",
                [source_path, name, doc_id],
            )


def _mark_removed(con: duckdb.DuckDBPyConnection, changes: FileChanges) -> int:
    """Documents whose file is gone: kept, with their records, and marked (the views leave them out)."""
    if not changes.removed:
        return 0
    return con.execute(
        "update documents set removed_in_run = ? where doc_id in ? and removed_in_run is null "
        "and superseded_by is null",
        [changes.run_id, list(changes.removed)],
    ).fetchall()[0][0]


# Tables a run writes. A run stages its batches as Parquet files in its own folder, one per table
# and batch (`<folder>/<table>/<label>.parquet`, written by Polars: staging opens no DuckDB
# connection, so nothing DuckDB holds grows with what is staged), and publishes them in one
# transaction: a run that dies while staging leaves the main tables exactly as they were, and the
# next run deletes its folder, staged files and all.
STAGED_TABLES = (
    "documents",
    "document_texts",
    "targets",
    "quarantine",
    "qualitative_targets",
    "target_departments",
    "clauses",
    "document_keywords",
    "rejected_files",
    "validation_results",
)


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def open_staging(folder: Path) -> None:
    """An empty staging folder (what an earlier attempt staged there is dropped)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def stage_batch(folder: Path, label: str, batch: Batch) -> None:
    """Write one batch of a run to the staging folder: its rows per table, as `<table>/<label>.parquet`.
    Staging the same label again replaces what it staged: a retried task stages nothing twice."""
    for table, rows in batch.staged_rows().items():
        path = folder / table / f"{label}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        rows.write_parquet(partial)
        partial.replace(path)  # a file cut short by a failed write is never taken for a staged batch


def _create_staged_views(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """`staged_<table>`: the table's staged rows, read from their files as the publish needs them,
    with the main table's columns and types (a column no batch had is NULL, one that was all NULL in
    its batch takes the table's type); a column the main table lacks fails the publish."""
    for table in STAGED_TABLES:
        files = sorted((folder / table).glob("*.parquet"))
        rows = f"(select * from main.{table} limit 0)"
        if files:
            listed = ", ".join(f"'{_sql_string(path)}'" for path in files)
            rows += f" union all by name (select * from read_parquet([{listed}], union_by_name = true))"
        con.execute(f"create or replace temp view staged_{table} as {rows}")


def _drop_staged_views(con: duckdb.DuckDBPyConnection) -> None:
    for table in STAGED_TABLES:
        con.execute(f"drop view if exists staged_{table}")


# One row per expectation (a suite's rule) and run, however many batches the run validated in.
_PUBLISH_VALIDATION = """
insert into validation_results (run_id, suite, rule, expectation, column_name, severity, success,
                                unexpected_count, element_count, details)
select run_id, suite, rule, expectation, column_name, severity, bool_and(success), sum(unexpected_count),
       sum(element_count), coalesce(any_value(details) filter (where not success), any_value(details))
from staged_validation_results
group by run_id, suite, rule, expectation, column_name, severity
"""
# A rejection already recorded for the same file, bytes, reason and extractor is not recorded again.
_PUBLISH_REJECTED = """
insert into rejected_files by name
select s.* from staged_rejected_files s
where not exists (
    select 1 from rejected_files r
    where r.path = s.path and r.doc_id is not distinct from s.doc_id and r.reason = s.reason
      and r.extractor_version is not distinct from s.extractor_version
)
"""


def publish_staged(con: duckdb.DuckDBPyConnection, folder: Path, changes: FileChanges | None = None) -> dict:
    """Move everything staged in `folder` into the main tables in one transaction: all or nothing.

    changes: files renamed, moved or gone since the last run, applied in the same transaction
    (renames first, so that a new file at a renamed file's old path supersedes nothing)."""
    changes = changes or FileChanges(run_id="")
    _create_staged_views(con, folder)
    con.execute("begin transaction")
    try:
        _relocate(con, changes)
        doc_ids = [doc_id for (doc_id,) in con.execute("select doc_id from staged_documents").fetchall()]
        superseded = _supersede_older_versions(con)
        _delete_documents(con, doc_ids)
        con.execute("delete from documents where doc_id in ?", [doc_ids])
        _refuse_records_loaded_twice(con)
        for table in STAGED_TABLES:
            if table == "validation_results":
                con.execute(_PUBLISH_VALIDATION)
            elif table == "rejected_files":
                con.execute(_PUBLISH_REJECTED)
            else:
                con.execute(f"insert into main.{table} by name select * from staged_{table}")
        removed = _mark_removed(con, changes)
        pause_for_tests("publish")  # inside the open transaction
        con.execute("commit")
    except Exception:
        # a commit that fails (out of memory, say) has ended the transaction already: rolling back
        # again would raise "no transaction is active" in place of what went wrong
        with suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    finally:
        _drop_staged_views(con)
    return {
        "documents": len(doc_ids),
        "superseded": len(superseded),
        "relocated": len(changes.relocated),
        "removed": removed,
    }


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch, changes: FileChanges | None = None) -> dict:
    """Stage and publish a single batch: its documents replace their previous versions, atomically."""
    with tempfile.TemporaryDirectory(prefix="govtargets-staging-") as folder:
        stage_batch(Path(folder), "batch", batch)
        return publish_staged(con, Path(folder), changes)


def pause_for_tests(point: str) -> None:
    """Hold the run at `point` when a test asks, and say so on stderr so that it knows when to kill."""
    wanted, _, seconds = os.environ.get(TEST_PAUSE_ENV, "").partition(":")
    if wanted == point:
        # write(), not print(): a flow with log_prints=True turns print() into a log record
        sys.stderr.write(f"{TEST_PAUSE_ENV}: at {point}, pausing\n")
        sys.stderr.flush()
        time.sleep(float(seconds or 300))


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    flow_run_id: str | None,
    input_path: str,
    versions: str,
    died: pl.DataFrame | None = None,
) -> None:
    """died: the runs rows of the copy a killed run left; those the warehouse does not have are
    that run, recorded as abandoned."""
    # Runs still marked running died without finishing (the caller holds the run lock): say so.
    con.execute("update runs set status = 'abandoned' where status = 'running'")
    if died is not None and not died.is_empty():
        con.register("died", died)
        abandoned = con.execute(
            "insert into runs by name select * replace ('abandoned' as status) from died "
            "where run_id not in (select run_id from runs)"
        ).fetchall()[0][0]
        con.unregister("died")
        if abandoned:
            logging.getLogger(__name__).warning(
                "%d run(s) died before publishing: recorded as abandoned", abandoned
            )
    con.execute(
        "insert into runs (run_id, flow_run_id, started_at, status, input_path, versions) values (?, ?, ?, 'running', ?, ?)",
        [run_id, flow_run_id, now(), input_path, versions],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict) -> None:
    con.execute(
        """update runs set finished_at = ?, status = ?, n_files = ?, n_documents = ?, n_records = ?,
               n_loaded = ?, n_quarantined = ?, n_rejected = ? where run_id = ?""",
        [
            now(),
            status,
            counts.get("files"),
            counts.get("documents"),
            counts.get("records"),
            counts.get("loaded"),
            counts.get("quarantined"),
            counts.get("rejected"),
            run_id,
        ],
    )


def known_documents(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Current (not superseded) documents, removed ones included: what the next run sets its files against."""
    return query(
        con,
        "select doc_id, source_path, extractor_version, removed_in_run from documents where superseded_by is null",
    )


def known_rejections(con: duckdb.DuckDBPyConnection, extractor_version: str) -> pl.DataFrame:
    """Files rejected for what their bytes are, by this extractor: the same bytes need not be read again."""
    return con.sql(
        "select distinct source_path, doc_id from rejected_files where extractor_version = ? "
        "and doc_id is not null and source_path is not null and reason <> 'duplicate'",
        params=[extractor_version],
    ).pl()


def loaded_doc_ids(con: duckdb.DuckDBPyConnection, extractor_version: str) -> set[str]:
    """Documents already loaded by this extractor version: unchanged files need no work."""
    rows = con.execute(
        "select doc_id from documents where extractor_version = ? and superseded_by is null",
        [extractor_version],
    ).fetchall()
    return {row[0] for row in rows}


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()

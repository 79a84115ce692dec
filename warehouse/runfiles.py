"""Where a run writes: a private copy of the warehouse, published by renaming it over the warehouse.

DuckDB lets one process write a file or many processes read it, never both. A run that wrote the
warehouse in place would make every reader wait for it (or fail), and every reader holding the
file open would make the run fail. So a run never opens the published file for writing:

1. it copies the warehouse into `<warehouse>.work/` (holding a read-only connection meanwhile, so
   no writer can change the file under the copy), migrates the copy and records itself `running`;
2. it stages its batches as Parquet files there, and publishes them into the copy in one
   transaction;
3. it records its status in the copy and renames the copy over the warehouse (atomic on POSIX).

Readers that opened the warehouse before the rename go on reading the version they opened; readers
that open it after see the new one; nobody ever sees half a run. A run that fails publishes a fresh
copy that differs from the warehouse only by its `failed` row. A run that is killed leaves the
warehouse untouched (not one byte): the next run finds its folder, records it `abandoned` and
deletes the folder, staging and all. A writer outside govtargets that changes the warehouse while a
run works is not overwritten: the run sees the file changed and does not publish.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from govtargets.warehouse import db

WORK_SUFFIX = ".work"
RUN_ROW = "run.json"  # a failed run's row, kept when it could not be published
# Less free space than this, after a write failed: say the disk is full.
LOW_FREE_BYTES = 16 * 2**20
# A copy with more than this share of free blocks (space deleted rows left, which DuckDB reuses but
# does not return) is rewritten compactly before the run adds to it.
MAX_FREE_SHARE = 0.5
MIN_COMPACTED_BYTES = 8 * 2**20

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunFiles:
    warehouse: Path  # the published file, as readers open it
    folder: Path  # <warehouse>.work: everything of the run in progress
    stamp: tuple | None  # the warehouse file as it was copied (None: there was none yet)

    @property
    def copy(self) -> Path:
        return self.folder / self.warehouse.name

    @property
    def staging(self) -> Path:
        """Where the run's batches wait for its publish, as Parquet files (db.stage_batch): the rows
        the flow validated, and the clauses their workers staged (flows/pipeline.extract_batch)."""
        return self.folder / "staged"

    def texts(self, batch: int) -> Path:
        """Where the flow keeps a batch's normalized texts between ingestion and extraction, so
        that its memory holds the batches in flight, not the corpus."""
        return self.folder / f"texts-{batch:04d}.parquet"

    def extracted(self, batch: int) -> Path:
        """Where a worker on this machine leaves a batch's records for the flow to validate, instead
        of sending them back pickled: pickling a 4 MB batch's frames raised a worker's peak by
        ~65 MB, and the flow held every batch in flight unpickled; it reads one back at a time."""
        return self.folder / f"extracted-{batch:04d}"

    def suite_results(self, label: str) -> Path:
        """Where the flow keeps a batch's GX suite results until the run's Data Docs are built."""
        return self.folder / f"suite-results-{label}.json"


@contextmanager
def reporting_full_disk(folder: Path) -> Iterator[None]:
    """A write that failed on a disk with almost no room left says so: DuckDB's own message for a
    short write ("not a valid DuckDB database file") does not."""
    try:
        yield
    except (OSError, duckdb.Error, pl.exceptions.PolarsError) as error:  # Polars: the run's text files
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            raise error from None
        if free >= LOW_FREE_BYTES:
            raise
        raise db.WarehouseError(f"{folder}: the disk is full ({free / 1e6:.1f} MB free): {error}") from error


def work_folder(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + WORK_SUFFIX)


def published_path(warehouse: Path) -> Path:
    """The file to replace: a symbolic link is followed, so that the rename replaces its target."""
    return warehouse.resolve() if warehouse.is_symlink() else warehouse.absolute()


def open_run(
    warehouse: Path, run_id: str, flow_run_id: str, input_path: str, versions: str, wait: float = 60.0
) -> RunFiles:
    """The run's copy of the warehouse, migrated, with the run recorded `running` (the caller holds
    the run lock). A dead run's folder is cleared first and the dead run recorded `abandoned`."""
    warehouse = published_path(warehouse)
    folder = work_folder(warehouse)
    died = clear_leftovers(folder, warehouse.name)
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise db.WarehouseError(f"{folder}: cannot create the run's working folder: {error}") from error
    with reporting_full_disk(folder):
        files = RunFiles(warehouse, folder, _copy_published(warehouse, folder / warehouse.name, wait))
        con = db.connect(files.copy)
        try:
            db.migrate(con)
            con.execute("drop schema if exists staging cascade")  # staging of runs before this design
            db.start_run(con, run_id, flow_run_id, input_path, versions, died)
        finally:
            con.close()
        compact_if_sparse(files.copy)
    return files


def clear_leftovers(folder: Path, name: str) -> pl.DataFrame | None:
    """Delete what a killed run left and return its copy's runs rows, so that the run it was (the
    one row the warehouse does not have) can be recorded as abandoned."""
    if not folder.exists():
        return None
    died = None
    copy, row = folder / name, folder / RUN_ROW
    if row.exists():  # a run that failed and could not even record that
        died = pl.DataFrame(json.loads(row.read_text(encoding="utf-8")))
    elif copy.exists():
        try:
            con = duckdb.connect(str(copy), read_only=True)
            try:
                died = con.sql("select * from runs").pl()
            finally:
                con.close()
        except duckdb.Error:  # killed while copying: it never recorded itself
            died = None
    shutil.rmtree(folder)
    return died


def _stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _copy_published(warehouse: Path, copy: Path, wait: float) -> tuple | None:
    """Copy the warehouse (and its write-ahead log, if a writer died leaving one) while holding a
    read-only connection: DuckDB then lets no writer in until the copy is done."""
    if not warehouse.exists():
        return None
    guard = db.connect(warehouse, read_only=True, wait=wait, on_wait=logger.warning)
    try:
        stamp = _stamp(warehouse)
        try:
            shutil.copyfile(warehouse, copy)
            wal = warehouse.with_name(warehouse.name + ".wal")
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        except OSError as error:
            raise db.WarehouseError(f"{copy}: cannot copy the warehouse to work on: {error}") from error
        return stamp
    finally:
        guard.close()


def compact_if_sparse(path: Path) -> bool:
    """Rewrite a DuckDB file that is mostly free blocks (what dropped staging tables or many deleted
    rows leave: DuckDB reuses the space but does not give it back) into a compact copy."""
    con = duckdb.connect(str(path))
    try:
        free, total, block = con.execute(
            "select free_blocks, total_blocks, block_size from pragma_database_size() "
            "where database_name = current_database()"
        ).fetchall()[0]
        if total * block < MIN_COMPACTED_BYTES or free <= total * MAX_FREE_SHARE:
            return False
        compact = path.with_name(path.name + ".compact")
        name = con.execute("select current_database()").fetchall()[0][0]
        con.execute(f"attach '{db._sql_string(compact)}' as compacted")
        con.execute(f'copy from database "{name}" to compacted')
        con.execute("detach compacted")
    finally:
        con.close()
    before = path.stat().st_size
    os.replace(compact, path)
    logger.info("%s: compacted from %.1f MB to %.1f MB", path.name, before / 1e6, path.stat().st_size / 1e6)
    return True


def close_run(files: RunFiles, run_id: str, status: str, counts: dict) -> None:
    """Record the run's status in its copy and publish the copy: from here on, readers see the run.
    The run's folder stays, for what is built from it after publishing (remove_run_folder)."""
    with reporting_full_disk(files.folder):
        con = db.connect(files.copy)
        try:
            db.finish_run(con, run_id, status, counts)
            con.execute("checkpoint")  # everything in the file itself: no write-ahead log to carry over
        finally:
            con.close()
        db.pause_for_tests("rename")
        _publish(files)


def remove_run_folder(files: RunFiles) -> None:
    """What a published run kept in its folder is no longer needed (a folder left behind by a run
    killed before this is cleared by the next run)."""
    shutil.rmtree(files.folder, ignore_errors=True)


def fail_run(files: RunFiles, run_id: str, counts: dict) -> None:
    """Publish the warehouse as it was, with this run recorded `failed`: a fresh copy, so that
    nothing the run wrote into its own copy is published. The run's own copy and staged files are
    deleted first (on a full disk, that is the room the fresh copy needs). When even that cannot be
    done, the run's row is kept in its folder and the next run records it `abandoned`."""
    run = _run_row(files, run_id)
    for leftover in files.folder.iterdir():
        if leftover.is_dir():  # the staged batches
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.name != files.copy.name:  # texts, suite results, write-ahead logs
            leftover.unlink(missing_ok=True)
    fresh = RunFiles(files.warehouse, files.folder.with_name(files.folder.name + ".failed"), None)
    try:
        shutil.rmtree(fresh.folder, ignore_errors=True)
        _keep_only_run_row(files, run)  # a few hundred bytes instead of a copy of the warehouse
        fresh.folder.mkdir()
        fresh = RunFiles(fresh.warehouse, fresh.folder, _copy_published(files.warehouse, fresh.copy, 60.0))
        con = db.connect(fresh.copy)
        try:
            if fresh.stamp is None:  # there was no warehouse yet: one with just this run's row
                db.migrate(con)
            # otherwise not migrated: the warehouse as it was, plus the run's row
            columns = {row[0] for row in con.execute("select name from pragma_table_info('runs')").fetchall()}
            con.register("run", run.select([name for name in run.columns if name in columns]))
            con.execute(
                "insert into runs by name select * from run where run_id not in (select run_id from runs)"
            )
            con.unregister("run")
            db.finish_run(con, run_id, "failed", counts)
            con.execute("checkpoint")
        finally:
            con.close()
        _publish(fresh)
    except (OSError, duckdb.Error, db.WarehouseError) as error:
        logger.error(
            "%s: could not record the run as failed (%s); the next run records it abandoned",
            files.warehouse,
            error,
        )
        shutil.rmtree(fresh.folder, ignore_errors=True)
        return
    shutil.rmtree(fresh.folder, ignore_errors=True)
    shutil.rmtree(files.folder, ignore_errors=True)


def _keep_only_run_row(files: RunFiles, run: pl.DataFrame) -> None:
    """Replace the run's copy by its runs row as JSON: what the next run needs to record it, should
    this run not manage to."""
    files.copy.unlink(missing_ok=True)
    (files.folder / RUN_ROW).write_text(json.dumps(run.to_dicts(), default=str), encoding="utf-8")


def _run_row(files: RunFiles, run_id: str) -> pl.DataFrame:
    """The run's row as its copy has it, or what is known without it (the copy may be what failed)."""
    try:
        con = duckdb.connect(str(files.copy), read_only=True)
        try:
            return con.sql("select * from runs where run_id = ?", params=[run_id]).pl()
        finally:
            con.close()
    except duckdb.Error:
        return pl.DataFrame({"run_id": [run_id], "started_at": [db.now()], "status": ["running"]})


def _publish(files: RunFiles) -> None:
    """Rename the copy over the warehouse, unless someone else changed the warehouse meanwhile."""
    if _stamp(files.warehouse) != files.stamp:
        raise db.WarehouseError(
            f"{files.warehouse}: changed by another process while this run worked on a copy of it; "
            "the run is not published, so that the change is not overwritten (run it again)"
        )
    wal = files.copy.with_name(files.copy.name + ".wal")
    if wal.exists():
        raise db.WarehouseError(f"{files.copy}: still has a write-ahead log after its checkpoint")
    _fsync(files.copy)
    os.replace(files.copy, files.warehouse)
    _fsync(files.warehouse.parent)  # the rename itself survives a power cut


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_can_run(warehouse: Path) -> None:
    """Raises WarehouseError (or duckdb.Error) unless a run could work on this warehouse: its folder
    can hold the run's working folder, and the file, when there is one, is a DuckDB database."""
    warehouse = published_path(warehouse)
    folder = work_folder(warehouse)
    try:
        created = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        if created:
            folder.rmdir()
    except OSError as error:
        raise db.WarehouseError(f"{warehouse}: cannot create the run's working folder: {error}") from error
    if warehouse.exists():
        con = db.connect(warehouse, read_only=True, wait=60.0, on_wait=logger.warning)
        try:
            con.execute("select count(*) from duckdb_tables()").fetchall()
        finally:
            con.close()

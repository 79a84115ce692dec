"""Issue 14, finding 2: `sql` without --write is read-only — it cannot write any file, attach anything
writable, install or load extensions, read other files, or undo any of that. Each bypass the issue
found (and a few more) must fail and leave every file as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_lock_held_elsewhere
from govtargets.flows.cli import app
from govtargets.warehouse import db
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "data" / "govtargets.duckdb"
    con = db.connect(path)
    db.migrate(con)
    con.execute("insert into runs (run_id, started_at, status) values ('r1', now(), 'completed')")
    con.close()
    (tmp_path / "outside.csv").write_text("a,b\n1,2\n")
    db.connect(tmp_path / "other.duckdb").close()  # any DuckDB file the user has lying around
    return path


def files_under(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file below `folder` with its size and content hash."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def bypasses(warehouse: Path) -> dict[str, str]:
    folder = warehouse.parent.parent
    return {
        "copy over the warehouse": f"copy (select 42) to '{warehouse}'",
        "copy to a file": f"copy (select 42) to '{folder / 'out.csv'}'",
        "copy to parquet": f"copy runs to '{folder / 'runs.parquet'}' (format parquet)",
        "export database": f"export database '{folder / 'export'}'",
        "attach read-write": f"attach '{warehouse}' as w2 (read_write)",
        "use, detach, attach read-write": (
            f"attach '{warehouse}' as w3; use w3; detach govtargets; "
            f"attach '{warehouse}' as w4 (read_write); delete from w4.runs"
        ),
        # the bypass: switch to another database, detach the warehouse, attach it writable
        "use another file, detach, attach read-write": (
            f"attach '{folder / 'other.duckdb'}' as x; use x; detach govtargets; "
            f"attach '{warehouse}' as w (read_write); delete from w.runs"
        ),
        "attach a new file": f"attach '{folder / 'new.duckdb'}' as n",
        "attach in memory": "attach ':memory:' as m; create table m.t as select 1",
        "install an extension": "install httpfs",
        "load an extension": "load httpfs",
        "turn external access back on": "set enable_external_access = true",
        "reset external access": "reset enable_external_access",
        "unlock the configuration": "set lock_configuration = false",
        "allow a directory": f"set allowed_directories = ['{folder}']",
        "move temporary files": f"set temp_directory = '{folder / 'spill'}'",
        "write a profile": f"pragma enable_profiling = 'json'; set profiling_output = '{folder / 'p.json'}'",
        "persistent secret": "create persistent secret s (type s3, key_id 'k', secret 's')",
        "read a file outside": f"select * from read_csv('{folder / 'outside.csv'}')",
        "read a system file": "select * from read_text('/etc/hostname')",
        "list files": "select * from glob('/etc/*')",
        "delete": "delete from runs",
        "create a table": "create table t as select 1 as a",
    }


BYPASSES = list(bypasses(Path("/w/data/govtargets.duckdb")))


@pytest.mark.parametrize("name", BYPASSES)
def test_sql_without_write_cannot_write_or_escape(warehouse, name):
    folder = warehouse.parent.parent
    home_duckdb = Path.home() / ".duckdb"
    before, home_before = files_under(folder), files_under(home_duckdb) if home_duckdb.exists() else {}
    result = runner.invoke(app, ["sql", bypasses(warehouse)[name], "--warehouse", str(warehouse)])
    assert result.exit_code == 1, result.output
    assert "query failed" in result.output
    assert files_under(folder) == before  # not one file written, changed or created
    assert (files_under(home_duckdb) if home_duckdb.exists() else {}) == home_before
    still = runner.invoke(app, ["sql", "select run_id from runs", "-w", str(warehouse), "-f", "csv"])
    assert still.output.splitlines() == ["run_id", "r1"]


def test_reading_the_warehouse_still_works(warehouse):
    result = runner.invoke(
        app, ["sql", "select count(*) as n from current_documents", "-w", str(warehouse), "-f", "json"]
    )
    assert result.exit_code == 0 and '"n": 0' in result.output


def test_write_opens_the_warehouse_for_writing_and_files(warehouse):
    target = warehouse.parent.parent / "runs.csv"
    assert runner.invoke(app, ["sql", "delete from runs", "-w", str(warehouse), "--write"]).exit_code == 0
    assert (
        runner.invoke(app, ["sql", f"copy runs to '{target}'", "-w", str(warehouse), "--write"]).exit_code
        == 0
    )
    assert target.read_text().strip() != ""


def test_write_waits_for_a_run_then_says_why_it_cannot(warehouse):
    """A writer next to a run would be overwritten when the run publishes: --write takes the run lock."""
    with run_lock_held_elsewhere(warehouse):
        result = runner.invoke(
            app, ["sql", "delete from runs", "-w", str(warehouse), "--write", "--wait", "0.5"]
        )
        assert result.exit_code == 1
        assert (
            "waiting:" in result.output
            and "another govtargets run is loading this warehouse" in result.output
        )
        reader = runner.invoke(app, ["sql", "select count(*) n from runs", "-w", str(warehouse), "-f", "csv"])
        assert reader.exit_code == 0 and reader.output.splitlines() == ["n", "1"]  # readers are never held up


def test_a_reader_waits_for_a_writer_and_says_so(warehouse):
    """DuckDB allows one writer or many readers: a reader next to `sql --write` waits up to --wait."""
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        result = runner.invoke(app, ["sql", "select 1", "-w", str(warehouse), "--wait", "0.5"])
        assert result.exit_code == 1
        assert "waiting:" in result.output and "in use by another process" in result.output
        assert f"PID {holder.pid}" in result.output
    finally:
        holder.kill()
        holder.wait()

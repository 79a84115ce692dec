"""The govtargets command: errors, flags and output formats (no Prefect server needed)."""

from __future__ import annotations

import json

from govtargets.flows.cli import app
from govtargets.warehouse import db
from typer.testing import CliRunner

runner = CliRunner()


def test_missing_input_folder_fails_with_a_clear_message(tmp_path):
    result = runner.invoke(
        app, ["run", "--input", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert result.exit_code == 2
    assert "input folder does not exist" in result.output


def test_unwritable_warehouse_fails_before_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["run", "--input", str(tmp_path), "--warehouse", str(blocker / "w.duckdb")])
    assert result.exit_code == 1
    assert "w.duckdb" in result.output


def test_sql_formats_and_read_only_default(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    db.migrate(con)
    con.execute("insert into runs (run_id, started_at, status) values ('r1', now(), 'completed')")
    con.close()
    monkeypatch.setenv(db.WAREHOUSE_ENV, str(path))
    as_json = runner.invoke(app, ["sql", "select run_id, status from runs", "--format", "json"])
    assert as_json.exit_code == 0 and json.loads(as_json.output) == [{"run_id": "r1", "status": "completed"}]
    as_csv = runner.invoke(app, ["sql", "select run_id from runs", "-f", "csv"])
    assert as_csv.output.splitlines() == ["run_id", "r1"]
    write = runner.invoke(app, ["sql", "delete from runs"])
    assert write.exit_code == 1 and "read-only" in write.output.lower()
    assert runner.invoke(app, ["sql", "delete from runs", "--write"]).exit_code == 0


def test_sql_on_a_missing_warehouse_says_so(tmp_path):
    result = runner.invoke(app, ["sql", "select 1", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "no warehouse here yet" in result.output

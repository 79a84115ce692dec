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


# --- extract: records of files without a warehouse ---------------------------------------------

REPORT = "2024年全市地区生产总值增长5.5%以上,城镇新增就业6万人。\n"


def test_extract_prints_the_records_of_files_in_every_format(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode("gb18030"))
    args = ["extract", str(path), "--region", "德州市", "--year", "2024"]
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)
    assert [(r["indicator_code"], r["value"], r["unit"], r["region"], r["year"]) for r in records] == [
        ("GDP", 5.5, "%", "德州市", 2024),
        ("NEW_URBAN_JOBS", 6.0, "万人", "德州市", 2024),
    ]
    as_csv = runner.invoke(app, [*args, "-f", "csv"])
    assert as_csv.stdout.splitlines()[0].startswith("year,kind,indicator,value,unit,qualifier")
    assert len(as_csv.stdout.splitlines()) == 3
    table = runner.invoke(app, args).stdout
    assert "2024年全市地区生产总值增长5.5%以上" in table and "…" not in table


def test_extract_reports_unusable_files_and_prints_the_others(tmp_path):
    good, empty = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text(REPORT, encoding="utf-8")
    empty.write_bytes(b"")
    result = runner.invoke(app, ["extract", str(empty), str(good), str(tmp_path / "nope.txt"), "-f", "csv"])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 3  # header and the good file's two records
    assert "error: empty.txt: rejected, empty" in result.stderr
    assert "nope.txt: cannot read" in result.stderr
    # metadata the text does not give is a warning, not a silent null
    assert "warning: good.txt: the document's region" in result.stderr and "unknown" in result.stderr


def test_sql_to_a_pipe_prints_whole_values_however_wide(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    db.migrate(con)
    long_path = "/data/" + "政府工作报告" * 30
    con.execute(
        "insert into runs (run_id, started_at, status, input_path) values ('r1', now(), 'ok', ?)", [long_path]
    )
    con.close()
    result = runner.invoke(app, ["sql", "select run_id, status, input_path from runs", "-w", str(path)])
    assert result.exit_code == 0
    assert long_path in result.stdout and "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 80

"""`govtargets export`: one Parquet or CSV file per table and view, read back equal to the warehouse."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from govtargets.flows.cli import app
from govtargets.flows.export import SCHEMA_FILE, UTF8_BOM, exportable_relations, read_csv_export
from govtargets.warehouse import db
from typer.testing import CliRunner

runner = CliRunner()


def catalog(warehouse: Path) -> dict[str, str]:
    con = db.connect(warehouse, read_only=True)
    try:
        return dict(exportable_relations(con))
    finally:
        con.close()


def row_counts(warehouse: Path, names) -> dict[str, int]:
    con = db.connect(warehouse, read_only=True)
    try:
        return {name: con.execute(f'select count(*) from "{name}"').fetchall()[0][0] for name in names}
    finally:
        con.close()


def read_relation(warehouse: Path, name: str, order_by: str) -> pl.DataFrame:
    con = db.connect(warehouse, read_only=True)
    try:
        return con.sql(f'select * from "{name}" order by {order_by}').pl()
    finally:
        con.close()


def export(warehouse: Path, out: Path, fmt: str):
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    result = runner.invoke(app, ["export", str(out), "--format", fmt, "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before  # read-only
    return result


def test_catalog_lists_tables_and_views_but_not_schema_version(sample_run):
    relations = catalog(sample_run["warehouse"])
    assert relations["targets"] == "table" and relations["headline_targets"] == "view"
    assert {"documents", "quarantine", "runs", "validation_results", "current_documents"} <= set(relations)
    assert "schema_version" not in relations


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_one_file_per_relation_with_the_warehouse_row_counts(sample_run, tmp_path, fmt):
    warehouse = sample_run["warehouse"]
    result = export(warehouse, tmp_path, fmt)
    relations = catalog(warehouse)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{name}.{fmt}" for name in relations] + [SCHEMA_FILE]
    )
    read = pl.read_parquet if fmt == "parquet" else lambda p: pl.read_csv(p, infer_schema_length=None)
    written = {name: read(tmp_path / f"{name}.{fmt}").height for name in relations}
    expected = row_counts(warehouse, relations)
    assert written == expected and expected["targets"] > 0
    for name in relations:
        assert f"{name}.{fmt}" in result.output
    assert str(expected["targets"]) in result.output


def test_parquet_round_trips_the_targets_exactly(sample_run, tmp_path):
    export(sample_run["warehouse"], tmp_path, "parquet")
    exported = pl.read_parquet(tmp_path / "targets.parquet").sort("record_id")
    assert exported.equals(read_relation(sample_run["warehouse"], "targets", "record_id"))


def test_csv_has_a_bom_and_round_trips_chinese_evidence_commas_and_newlines(sample_run, tmp_path):
    warehouse = sample_run["warehouse"]
    export(warehouse, tmp_path, "csv")
    raw = (tmp_path / "targets.csv").read_bytes()
    assert raw.startswith(UTF8_BOM) and raw[3:].startswith(b"record_id,")
    with (tmp_path / "targets.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["record_id"])
    targets = read_relation(warehouse, "targets", "record_id")
    assert [r["evidence"] for r in rows] == targets["evidence"].to_list()
    assert [r["indicator"] for r in rows] == targets["indicator"].to_list()
    assert any("," in r["evidence"] for r in rows)  # quoted, not split into columns
    texts = pl.read_csv(tmp_path / "document_texts.csv").sort("doc_id")
    assert texts["text"].to_list() == read_relation(warehouse, "document_texts", "doc_id")["text"].to_list()
    assert any("\n" in text for text in texts["text"].to_list())


def test_csv_quotes_commas_quotes_and_line_breaks(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    db.migrate(con)
    evidence = '地区生产总值增长6%,力争6.5%;\n"稳中求进"，全年'
    con.execute(
        "insert into rejected_files (path, doc_id, reason, detail, run_id) values (?, null, 'binary', ?, 'r1'), ('b.txt', null, 'empty', '', 'r1')",
        ["a,b.txt", evidence],
    )
    con.close()
    export(path, tmp_path / "out", "csv")
    with (tmp_path / "out" / "rejected_files.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[:5] for row in rows] == [  # columns added later (source_path, …) follow these
        ["path", "doc_id", "reason", "detail", "run_id"],
        ["a,b.txt", "", "binary", evidence, "r1"],
        ["b.txt", "", "empty", "", "r1"],
    ]


def test_unknown_format_and_missing_warehouse_fail_clearly(tmp_path):
    unknown = runner.invoke(
        app, ["export", str(tmp_path), "--format", "xlsx", "-w", str(tmp_path / "w.duckdb")]
    )
    assert unknown.exit_code == 2 and "unknown format 'xlsx'" in unknown.output
    missing = runner.invoke(app, ["export", str(tmp_path), "-w", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no warehouse here yet" in missing.output


# --- safe for spreadsheets, typed, described ----------------------------------------------------

FORMULA_LIKE = ['=HYPERLINK("http://x")', "+1", "-5%", "@SUM(A1)", "\t=1", "\r=1", "'quoted", "增长6%"]


@pytest.fixture
def formula_warehouse(tmp_path) -> Path:
    """Records whose evidence a spreadsheet would take for a formula, and a negative value."""
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    db.migrate(con)
    for number, evidence in enumerate(FORMULA_LIKE):
        con.execute(
            """insert into targets (record_id, doc_id, source_name, kind, indicator, metric, value, unit,
                                    qualifier, missing_value, evidence, char_start, char_end, run_id, value_text)
               values (?, 'd1', 'a.txt', 'target', '地区生产总值', 'growth', -3.5, '%', '', false, ?, ?, ?, 'r1', ?)""",
            [f"r{number}", evidence, number, number + 1, "-3.5"],
        )
    con.close()
    return path


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(formula_warehouse, tmp_path):
    export(formula_warehouse, tmp_path / "out", "csv")
    with (tmp_path / "out" / "targets.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["record_id"])
    assert [row["evidence"] for row in rows] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-5%", "'@SUM(A1)", "'\t=1", "'\r=1", "''quoted", "增长6%",
    ]  # fmt: skip
    assert all(not row["evidence"][0] in "=+-@\t\r" for row in rows)
    # a number is not text: it keeps its sign, and its column stays numeric
    assert {row["value"] for row in rows} == {"-3.5"}
    assert {row["value_text"] for row in rows} == {"'-3.5"}
    # removing one apostrophe gives every value back exactly
    back = read_csv_export(tmp_path / "out" / "targets.csv").sort("record_id")
    assert back["evidence"].to_list() == FORMULA_LIKE and back["value_text"].to_list() == ["-3.5"] * 8
    assert back.schema["value"] == pl.Float64


def test_parquet_keeps_values_as_they_are(formula_warehouse, tmp_path):
    export(formula_warehouse, tmp_path / "out", "parquet")
    assert (
        pl.read_parquet(tmp_path / "out" / "targets.parquet").sort("record_id")["evidence"].to_list()
        == FORMULA_LIKE
    )


def test_a_csv_export_reads_back_with_the_warehouse_types_and_values(sample_run, tmp_path):
    warehouse = sample_run["warehouse"]
    export(warehouse, tmp_path, "csv")
    for name in catalog(warehouse):
        expected = read_relation(warehouse, name, "all")
        back = read_csv_export(tmp_path / f"{name}.csv")
        assert back.schema == expected.schema, name
        assert back.sort(back.columns, nulls_last=True).equals(
            expected.sort(expected.columns, nulls_last=True)
        ), name
    # "1/3" is text wherever in the file it comes
    assert "1/3" in read_csv_export(tmp_path / "targets.csv")["value_text"].to_list()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_the_schema_file_describes_every_file_and_column(sample_run, tmp_path, fmt):
    warehouse = sample_run["warehouse"]
    export(warehouse, tmp_path, fmt)
    schema = json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema["format"] == fmt and ("text_cells" in schema) == (fmt == "csv")
    files = {item["file"]: item for item in schema["files"]}
    assert set(files) == {f"{name}.{fmt}" for name in catalog(warehouse)}
    counts = row_counts(warehouse, [item["relation"] for item in files.values()])
    for item in files.values():
        assert item["rows"] == counts[item["relation"]]
        assert item["description"], item["relation"]
        columns = read_relation(warehouse, item["relation"], "all").columns
        assert [column["name"] for column in item["columns"]] == columns
        undescribed = [column["name"] for column in item["columns"] if not column["description"]]
        assert not undescribed, f"{item['relation']}: describe {undescribed} in warehouse/schema.yml"
        assert all(column["type"] for column in item["columns"])
    targets = {column["name"]: column for column in files[f"targets.{fmt}"]["columns"]}
    assert (targets["value"]["type"], targets["value_text"]["type"]) == ("DOUBLE", "VARCHAR")

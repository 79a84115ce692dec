"""Export every table and view of the warehouse to Parquet or CSV files, one file each, and a
`_schema.json` beside them saying what each file holds: its rows, and each column's type and meaning
(warehouse/schema.yml).

DuckDB writes the files itself (COPY ... TO). CSV files get a UTF-8 byte order mark because Excel on
Windows reads a CSV without one in the system code page and shows Chinese as mojibake; DuckDB 2.0's
COPY has no option for it (it rejects `bom`, `write_bom` and a writing `encoding`), so the BOM is
written first and DuckDB's file appended to it.

CSV files are safe to open in a spreadsheet: a text cell that starts with =, +, -, @, a tab or a
carriage return would be read as a formula (CSV/formula injection), so it gets a leading apostrophe
(OWASP's advice), and so does a text cell that already starts with one; removing one leading
apostrophe from a text cell gives the warehouse's value back (read_csv_export does). Numbers,
booleans, dates and timestamps are written as they are: a numeric column stays numeric.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
import yaml
from govtargets.warehouse import db

FORMATS = ("parquet", "csv")
# Bookkeeping of the migrations, not data anyone analyses.
INTERNAL_RELATIONS = frozenset({"schema_version"})
UTF8_BOM = b"\xef\xbb\xbf"
SCHEMA_FILE = "_schema.json"
DESCRIPTIONS = db.SQL_DIR.parent / "schema.yml"
# A cell starting with one of these is a formula to a spreadsheet; the apostrophe is the escape.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
TEXT_TYPE = "VARCHAR"
# DuckDB types of the warehouse's columns -> the Polars types that read them back from CSV.
POLARS_TYPES = {
    "VARCHAR": pl.String,
    "BOOLEAN": pl.Boolean,
    "TINYINT": pl.Int8,
    "SMALLINT": pl.Int16,
    "INTEGER": pl.Int32,
    "BIGINT": pl.Int64,
    "HUGEINT": pl.Int128,
    "FLOAT": pl.Float32,
    "DOUBLE": pl.Float64,
    "DATE": pl.Date,
    "TIMESTAMP": pl.Datetime("us"),
}
SPREADSHEET_NOTE = (
    "A text cell that starts with =, +, -, @, a tab, a carriage return or an apostrophe starts with one "
    "more apostrophe, so that no spreadsheet reads it as a formula; remove one leading apostrophe from "
    "a text column's cells to get the warehouse's values. Numbers, booleans, dates and timestamps are "
    "written as they are."
)


@dataclass(frozen=True)
class ExportedFile:
    relation: str
    kind: str  # table | view
    path: Path
    rows: int


def exportable_relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table' | 'view') for every user table and view of the main schema, from the catalog."""
    rows = con.execute(
        """
        with relations as (
            select table_name as name, 'table' as kind from duckdb_tables()
            where database_name = current_database() and schema_name = 'main' and not internal and not temporary
            union all
            select view_name, 'view' from duckdb_views()
            where database_name = current_database() and schema_name = 'main' and not internal and not temporary
        ),
        final as (select * from relations order by kind, name)
        select * from final
        """
    ).fetchall()
    return [(name, kind) for name, kind in rows if name not in INTERNAL_RELATIONS]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of each column of a relation of the main schema, in order."""
    return con.execute(
        """select column_name, data_type from duckdb_columns()
           where database_name = current_database() and schema_name = 'main' and table_name = ?
           order by column_index""",
        [relation],
    ).fetchall()


def copy_to(
    con: duckdb.DuckDBPyConnection, relation: str, path: Path, options: str, columns: str = "*"
) -> int:
    """DuckDB's COPY of one relation to a file; returns the number of rows written."""
    # COPY takes no prepared parameter for the file name: quote it as a literal.
    query = f"select {columns} from {quote_identifier(relation)}"
    statement = f"copy ({query}) to {quote_literal(str(path))} ({options})"
    return con.execute(statement).fetchall()[0][0]


def write_parquet(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> int:
    return copy_to(con, relation, path, "format parquet")


def spreadsheet_safe(column: str) -> str:
    """A text column's select expression: cells a spreadsheet would read as a formula escaped."""
    starts = ", ".join(quote_literal(start) for start in (*FORMULA_STARTS, ESCAPE))
    name = quote_identifier(column)
    return f"case when left({name}, 1) in ({starts}) then {quote_literal(ESCAPE)} || {name} else {name} end as {name}"


def write_csv_with_bom(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> int:
    """A header row, fields quoted by DuckDB where they hold commas, quotes or newlines, text cells
    safe for spreadsheets, UTF-8 with BOM."""
    columns = ", ".join(
        spreadsheet_safe(name) if data_type == TEXT_TYPE else quote_identifier(name)
        for name, data_type in relation_columns(con, relation)
    )
    part = path.with_name(path.name + ".part")
    try:
        rows = copy_to(con, relation, part, "format csv, header true", columns)
        with path.open("wb") as out, part.open("rb") as body:
            out.write(UTF8_BOM)
            shutil.copyfileobj(body, out)
    finally:
        part.unlink(missing_ok=True)
    return rows


def export_warehouse(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str) -> list[ExportedFile]:
    """One file per table and view in out_dir (created if missing), named after the relation."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use {' or '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = write_parquet if fmt == "parquet" else write_csv_with_bom
    exported = []
    for name, kind in exportable_relations(con):
        path = out_dir / f"{name}.{fmt}"
        exported.append(ExportedFile(name, kind, path, writer(con, name, path)))
    write_schema(con, out_dir / SCHEMA_FILE, fmt, exported)
    return exported


@cache
def descriptions() -> dict:
    return yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8"))


def describe(relation: str, column: str | None = None) -> str | None:
    """What a relation, or a column of it, holds (warehouse/schema.yml); None when not described."""
    described = descriptions()
    entry = described["relations"].get(relation) or {}
    if column is None:
        return entry.get("description")
    return (entry.get("columns") or {}).get(column) or described["columns"].get(column)


def write_schema(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, exported: list[ExportedFile]) -> None:
    """_schema.json: each file's relation, rows and columns (name, DuckDB type, meaning)."""
    files = [
        {
            "file": item.path.name,
            "relation": item.relation,
            "kind": item.kind,
            "rows": item.rows,
            "description": describe(item.relation),
            "columns": [
                {"name": name, "type": data_type, "description": describe(item.relation, name)}
                for name, data_type in relation_columns(con, item.relation)
            ],
        }
        for item in exported
    ]
    schema: dict = {"format": fmt}
    if fmt == "csv":
        schema |= {"encoding": "UTF-8 with a byte order mark", "header": True, "text_cells": SPREADSHEET_NOTE}
    schema["files"] = files
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_csv_export(path: Path) -> pl.DataFrame:
    """A CSV file of an export read back as the warehouse had it: the column types of its
    _schema.json, and text cells without the apostrophe that made them spreadsheet-safe."""
    schema = json.loads((path.parent / SCHEMA_FILE).read_text(encoding="utf-8"))
    entry = next(item for item in schema["files"] if item["file"] == path.name)
    types = {column["name"]: POLARS_TYPES.get(column["type"], pl.String) for column in entry["columns"]}
    frame = pl.read_csv(path, schema=types)
    text = [column["name"] for column in entry["columns"] if column["type"] == TEXT_TYPE]
    return frame.with_columns(pl.col(text).str.strip_prefix(ESCAPE))

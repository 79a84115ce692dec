"""Export every table and view of the warehouse to Parquet or CSV files, one file each.

DuckDB writes the files itself (COPY ... TO). CSV files get a UTF-8 byte order mark because Excel on
Windows reads a CSV without one in the system code page and shows Chinese as mojibake; DuckDB 2.0's
COPY has no option for it (it rejects `bom`, `write_bom` and a writing `encoding`), so the BOM is
written first and DuckDB's file appended to it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

FORMATS = ("parquet", "csv")
# Bookkeeping of the migrations, not data anyone analyses.
INTERNAL_RELATIONS = frozenset({"schema_version"})
UTF8_BOM = b"\xef\xbb\xbf"


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


def copy_to(con: duckdb.DuckDBPyConnection, relation: str, path: Path, options: str) -> int:
    """DuckDB's COPY of one relation to a file; returns the number of rows written."""
    # COPY takes no prepared parameter for the file name: quote it as a literal.
    statement = f"copy (select * from {quote_identifier(relation)}) to {quote_literal(str(path))} ({options})"
    return con.execute(statement).fetchall()[0][0]


def write_parquet(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> int:
    return copy_to(con, relation, path, "format parquet")


def write_csv_with_bom(con: duckdb.DuckDBPyConnection, relation: str, path: Path) -> int:
    """A header row, fields quoted by DuckDB where they hold commas, quotes or newlines, UTF-8 with BOM."""
    part = path.with_name(path.name + ".part")
    try:
        rows = copy_to(con, relation, part, "format csv, header true")
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
    return exported

"""The `govtargets` command: run the pipeline, query the warehouse, score against gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import duckdb
import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from warehouse import db

app = typer.Typer(
    help="Chinese government work reports -> validated target records in DuckDB.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths in messages stay copyable

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
SAMPLE_GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", "-w", help=f"DuckDB file (default: ${db.WAREHOUSE_ENV} or {db.DEFAULT_WAREHOUSE})"
    ),
]


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _check_writable(path: Path) -> None:
    """Fail fast, before the Prefect server starts, when the warehouse cannot be written."""
    try:
        con = db.connect(path)
        db.migrate(con)
        con.close()
    except db.WarehouseError as error:
        fail(str(error))
    except duckdb.Error as error:  # e.g. a file that is not a DuckDB database
        fail(f"{path}: cannot use as a warehouse: {error}")


@app.command()
def run(
    input: Annotated[Path, typer.Option("--input", "-i", help="Folder of report files")] = SAMPLE_CORPUS,
    warehouse: WarehouseOption = None,
    full_refresh: Annotated[bool, typer.Option(help="Re-extract documents already loaded")] = False,
) -> None:
    """Run the Prefect flow `pipeline` on a folder of report files."""
    path = db.warehouse_path(warehouse)
    if not input.is_dir():
        fail(f"{input}: input folder does not exist or is not a folder", 2)
    _check_writable(path)
    from flows.pipeline import pipeline  # Prefect is slow to import: only when a run needs it

    try:
        summary = pipeline(input_dir=str(input), warehouse=str(path), full_refresh=full_refresh)
    except Exception as error:  # noqa: BLE001 - the CLI boundary: any failure becomes one clear line
        fail(f"pipeline failed: {error}")
    table = Table(title="govtargets run", show_header=False)
    for key in ("documents", "unchanged", "records", "loaded", "quarantined", "rejected", "warehouse"):
        table.add_row(key, str(summary.get(key)))
    console.print(table)


def _print_frame(frame: pl.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1))
    else:
        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(column)
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse")],
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table",
    write: Annotated[bool, typer.Option("--write", help="Open read-write (default is read-only)")] = False,
) -> None:
    """Run SQL against the warehouse (read-only unless --write)."""
    if format not in ("table", "csv", "json"):
        fail(f"unknown format {format!r}: use table, csv or json", 2)
    try:
        con = db.connect(db.warehouse_path(warehouse), read_only=not write)
    except db.WarehouseError as error:
        fail(str(error))
    try:
        relation = con.sql(query)
        if relation is not None:
            _print_frame(relation.pl(), format)
    except duckdb.Error as error:
        fail(f"query failed: {error}")
    finally:
        con.close()


@app.command()
def score(
    gold: Annotated[Path, typer.Option(help="Folder of gold JSONL files")] = SAMPLE_GOLD,
    warehouse: WarehouseOption = None,
    show: Annotated[int, typer.Option(help="How many misses and false hits to list per level")] = 30,
) -> None:
    """Precision and recall of the warehouse's records against gold JSONL files."""
    from transforms.scoring import score as score_records

    files = sorted(gold.glob("*.jsonl"))
    if not files:
        fail(f"{gold}: no gold .jsonl files", 2)
    gold_rows = pl.concat(
        [pl.read_ndjson(f, infer_schema_length=None) for f in files], how="diagonal_relaxed"
    )
    try:
        con = db.connect(db.warehouse_path(warehouse), read_only=True)
    except db.WarehouseError as error:
        fail(str(error))
    predicted = db.query(con, "select * from targets")
    texts = db.query(
        con, "select d.source_name, t.text from current_documents d join document_texts t using (doc_id)"
    )
    con.close()
    for level in score_records(predicted, texts, gold_rows):
        console.print(
            f"[bold]{level.level}-level[/]: precision {level.precision:.3f}  recall {level.recall:.3f}  "
            f"F1 {level.f1:.3f}  (tp {level.true_positives}, predicted in scope {level.predicted}, gold {level.gold})"
        )
        for g in level.misses[:show]:
            console.print(
                f"  miss  {g['doc'][:3]} {g['kind']} {g['year']} {g['indicator']} {g['value']} {g['unit']} "
                f"{g['qualifier']!r} {g['stretch_value']} | {g['evidence']}",
                markup=False,
            )
        for p in level.false_hits[:show]:
            console.print(
                f"  extra {p['source_name'][:3]} {p['kind']} {p['year']} {p['indicator']} {p['value']} "
                f"{p['unit']} {p['qualifier']!r} {p['stretch_value']} | {p['evidence']}",
                markup=False,
            )


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for index.html and plotly.min.js")],
    warehouse: WarehouseOption = None,
) -> None:
    """Write a static HTML report (charts and tables, works offline) of the warehouse (read-only)."""
    from flows.report import write_report  # Plotly is slow to import: only when a report is asked for

    path = db.warehouse_path(warehouse)
    try:
        con = db.connect(path, read_only=True)
    except db.WarehouseError as error:
        fail(str(error))
    try:
        summary = write_report(con, out, str(path))
    except (duckdb.Error, OSError) as error:
        fail(f"{out}: report failed: {error}")
    finally:
        con.close()
    table = Table(title="govtargets report")
    for column in ("section", "rows", "charts"):
        table.add_column(column, justify="left" if column == "section" else "right")
    for key, (rows, charts) in summary.sections.items():
        table.add_row(key, str(rows), str(charts))
    console.print(table)
    typer.echo(f"wrote {summary.index}")  # one unwrapped line: the path stays copyable


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="Folder for the files (created if missing)")],
    format: Annotated[str, typer.Option("--format", "-f", help="parquet | csv")] = "parquet",
    warehouse: WarehouseOption = None,
) -> None:
    """Write every table and view of the warehouse to one Parquet or CSV file each (read-only)."""
    from flows.export import FORMATS, export_warehouse

    if format not in FORMATS:
        fail(f"unknown format {format!r}: use parquet or csv", 2)
    try:
        con = db.connect(db.warehouse_path(warehouse), read_only=True)
    except db.WarehouseError as error:
        fail(str(error))
    try:
        exported = export_warehouse(con, out_dir, format)
    except (duckdb.Error, OSError) as error:
        fail(f"{out_dir}: export failed: {error}")
    finally:
        con.close()
    table = Table(title=f"govtargets export ({format})")
    for column in ("file", "kind", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left", no_wrap=True)
    for item in exported:
        table.add_row(item.path.name, item.kind, str(item.rows))
    console.print(table)
    typer.echo(f"wrote {len(exported)} files to {out_dir}")  # one unwrapped line: the path stays copyable


if __name__ == "__main__":
    app()

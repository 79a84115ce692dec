"""The `govtargets` command: run the pipeline, query the warehouse, score against gold."""

from __future__ import annotations

import atexit
import importlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Annotated

import duckdb
import polars as pl
import typer
from govtargets.flows.prefect_server import prefect_api, spawn_unless_configured
from govtargets.flows.run_summary import failure_json, summary_json
from govtargets.flows.terminal import LOG_LEVELS, QUIET_LEVEL, log_level, set_log_level
from govtargets.warehouse import db, runfiles
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

app = typer.Typer(
    help="Chinese government work reports -> validated target records in DuckDB.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths in messages stay copyable

# A table written to a pipe is measured against this many columns: in effect, no limit.
UNLIMITED_WIDTH = 1_000_000

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
SAMPLE_GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", "-w", help=f"DuckDB file (default: ${db.WAREHOUSE_ENV} or {db.DEFAULT_WAREHOUSE})"
    ),
]


def _say_waiting(message: str) -> None:
    err.print(f"[yellow]waiting:[/] {message}")


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def report_problem(level: str, message: str) -> int:
    """One line on stderr, `error: …`, `warning: …` or `note: …` (warnings and notes only when the
    log level shows warnings); returns 1 to count it."""
    if level == "error" or OUTPUT.shows_warnings:
        style = "bold red" if level == "error" else "yellow"
        err.print(f"[{style}]{level}:[/] {escape(message)}", highlight=False)
    return 1


@dataclass
class Output:
    """What the command shows on stderr, from the global options."""

    level: str | None = None  # None: Prefect's own setting (INFO unless $PREFECT_LOGGING_LEVEL)
    quiet: bool = False

    @property
    def shows_warnings(self) -> bool:
        return self.level not in ("ERROR", "CRITICAL")


OUTPUT = Output()


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"govtargets {metadata.version('govtargets')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Print the version and exit"),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Only warnings and errors on stderr, no progress display"),
    ] = False,
    level: Annotated[
        str | None,
        typer.Option(
            "--log-level", help="Lowest level logged on stderr: DEBUG, INFO, WARNING, ERROR, CRITICAL"
        ),
    ] = None,
) -> None:
    """Chinese government work reports -> validated target records in DuckDB."""
    global OUTPUT
    if level is not None and level.upper() not in LOG_LEVELS:
        fail(f"unknown log level {level!r}: use one of {', '.join(LOG_LEVELS)}", 2)
    chosen = level.upper() if level else QUIET_LEVEL if quiet else None
    OUTPUT = Output(chosen, quiet)


def _check_writable(path: Path) -> None:
    """Fail fast, before the Prefect server starts, when the warehouse cannot be used: its folder
    cannot hold the run's working copy, or the file is not a DuckDB database."""
    try:
        runfiles.check_can_run(path)
    except db.WarehouseError as error:
        fail(str(error))
    except duckdb.Error as error:  # e.g. a file that is not a DuckDB database
        fail(f"{path}: cannot use as a warehouse: {error}")


def _hold_run_lock(ctx: typer.Context, path: Path) -> None:
    """The warehouse's run lock, taken before anything else starts (the Prefect server included) and
    held until the command ends: a second run fails at once, before it has started anything."""
    try:
        ctx.with_resource(db.run_lock(path))
    except db.WarehouseError as error:
        fail(str(error))


def _import_flow_and_validation():
    importlib.import_module("govtargets.expectations.data_docs")
    importlib.import_module("govtargets.expectations.validate")
    return importlib.import_module("govtargets.flows.pipeline")


def _check_manifest(path: Path) -> None:
    """Fail fast, before the Prefect server starts, on a manifest that cannot be used."""
    from govtargets.transforms.documents import ManifestError, parse_manifest

    try:
        parse_manifest(pl.read_csv(path, infer_schema=False), str(path))
    except (OSError, pl.exceptions.PolarsError) as error:
        fail(f"{path}: cannot read the manifest: {error}", 2)
    except ManifestError as error:
        fail(str(error), 2)


def _check_reports_folder(path: Path) -> None:
    """Fail fast when the Data Docs folder cannot be created."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"{path}: cannot create the reports folder: {error}")
    if not path.is_dir():
        fail(f"{path}: the reports folder is not a folder")


@app.command()
def run(
    ctx: typer.Context,
    input: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="Folder of report files (default: the bundled sample corpus)"),
    ] = None,
    warehouse: WarehouseOption = None,
    full_refresh: Annotated[bool, typer.Option(help="Re-extract documents already loaded")] = False,
    runner: Annotated[str, typer.Option(help="Where per-batch work runs: process | dask")] = "process",
    dask_address: Annotated[
        str | None,
        typer.Option(help="Scheduler of an existing Dask cluster (tcp://host:8786); default: a local one"),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPU count)")] = None,
    batch_mb: Annotated[float, typer.Option(help="MB of input per batch of parallel work")] = 4.0,
    reports: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="Folder for GX Data Docs (default: reports/<warehouse file name>/ beside the warehouse)",
        ),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest", help="CSV of metadata you know: file, region, year, doc_type (blanks allowed)"
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print one JSON summary on stdout (counts, warnings, seconds, paths)"),
    ] = False,
) -> None:
    """Run the Prefect flow `pipeline` on a folder of report files."""
    started = time.monotonic()
    bundled_samples = input is None
    input = SAMPLE_CORPUS if input is None else input
    path = db.warehouse_path(warehouse)
    if not input.is_dir():
        fail(f"{input}: input folder does not exist or is not a folder", 2)
    if manifest is not None:
        _check_manifest(manifest)
    if runner not in ("process", "dask"):
        fail(f"unknown runner {runner!r}: use process or dask", 2)
    if dask_address and runner != "dask":
        fail("--dask-address needs --runner dask", 2)
    _hold_run_lock(ctx, path)
    if bundled_samples:
        files = sum(1 for p in SAMPLE_CORPUS.glob("*.txt"))
        report_problem(
            "note",
            f"no --input given: loading the bundled sample corpus ({input}, {files} files) into {path}",
        )
    _check_writable(path)
    reports_dir = reports or db.default_reports(path)
    _check_reports_folder(reports_dir)
    # Everything checked: the temporary Prefect server starts first (~5 s until it answers, in
    # its own process), and this process imports Prefect, the flow and GX meanwhile.
    server = spawn_unless_configured()
    # Prefect sets up its logging, its own levels included, when prefect.main is first imported:
    # here, before --log-level applies its levels, not in the thread below, while they apply.
    import prefect.main  # noqa: F401
    from govtargets.flows import progress

    # The flow and GX, which its validation tasks import when first used, take seconds to import.
    loading = ThreadPoolExecutor(max_workers=1).submit(_import_flow_and_validation)
    paths = {
        "input": str(input.resolve()),
        "warehouse": str(path.resolve()),
        "reports": str(reports_dir.resolve()),
    }
    temporary = False
    try:
        with (
            logs_at_chosen_level(),
            live_display() as (display, log_queue),
            prefect_api(server) as temporary,
            progress.watching(display.update if display else lambda snapshot: None, log_queue),
        ):
            summary = loading.result().pipeline(
                input_dir=str(input),
                warehouse=str(path),
                full_refresh=full_refresh,
                batch_mb=batch_mb,
                reports=str(reports_dir),
                manifest=str(manifest) if manifest else None,
                runner=runner,
                workers=workers,
                dask_address=dask_address,
            )
    except Exception as error:  # noqa: BLE001 - the CLI boundary: any failure becomes one clear line
        if as_json:
            failed = failure_json(str(error), time.monotonic() - started, paths, bundled_samples)
            typer.echo(json.dumps(failed, ensure_ascii=False, indent=1))
        fail(f"pipeline failed: {error}")
    finally:
        if temporary and OUTPUT.level:
            # The temporary server logs its stop when the process exits, after this command: the
            # level chosen holds until then.
            set_log_level(OUTPUT.level)
    warnings = read_run_warnings(path, summary)
    if as_json:
        done = summary_json(summary, warnings, time.monotonic() - started, paths, bundled_samples)
        typer.echo(json.dumps(done, ensure_ascii=False, indent=1))
        return
    table = Table(title="govtargets run", show_header=False)
    for key in (
        "documents", "unchanged", "renamed", "removed", "records", "loaded", "quarantined", "rejected", "warehouse"
    ):  # fmt: skip
        table.add_row(key, str(summary.get(key)))
    table.add_row("elapsed", f"{time.monotonic() - started:.1f} s")  # start-up included, as the user waited
    console.print(table)
    # On a line of its own, unwrapped, so that it can be copied or clicked.
    data_docs = summary["data_docs"] or "not built (see the log)"
    console.print(f"Data Docs: {data_docs}", soft_wrap=True, highlight=False)
    for warning in warnings:
        report_problem("warning", warning["message"])


def logs_at_chosen_level():
    """--log-level/--quiet for this process and the ones it starts. Entered once Prefect has set up
    its logging (importing the flow does), which would otherwise set its own levels again."""
    return log_level(OUTPUT.level) if OUTPUT.level else nullcontext()


@contextmanager
def live_display():
    """On a terminal (unless --quiet): the run's live display, logs above it, and the queue worker
    processes send their log records to. Elsewhere: nothing, and Prefect's own log lines."""
    from govtargets.flows.terminal import RunDisplay, logs_above

    if not err.is_terminal or OUTPUT.quiet:
        yield None, None
        return
    with logs_above(err) as log_queue, RunDisplay(err) as display:
        yield display, log_queue


def read_run_warnings(path: Path, summary: dict) -> list[dict]:
    """The run's warnings: from the warehouse it has just written (read-only) and its summary."""
    from govtargets.flows.run_summary import run_warnings

    con = db.connect(path, read_only=True)
    try:
        return run_warnings(con, summary["run_id"], summary.get("unknown_metadata") or {})
    finally:
        con.close()


@app.command()
def serve(
    input: Annotated[Path | None, typer.Option("--input", "-i", help="Folder of report files")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Run prefect.yaml's deployments (the daily schedule, the on-demand full re-extraction) from
    this process until stopped; --input/--warehouse replace their parameters."""
    from govtargets.flows.schedule import runner_deployments
    from prefect import serve as serve_deployments

    overrides = {}
    if input is not None:
        overrides["input_dir"] = str(input.resolve())
    if warehouse is not None or os.environ.get(db.WAREHOUSE_ENV):
        overrides["warehouse"] = str(db.warehouse_path(warehouse).resolve())
    with logs_at_chosen_level(), prefect_api():
        serve_deployments(*runner_deployments(overrides=overrides))


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
        print_table(table)


def print_table(table: Table) -> None:
    """On a terminal, fitted to its width; to a pipe or a file, as wide as the table needs, so that
    no value is cut (rich would otherwise assume 80 columns)."""
    if console.is_terminal:
        console.print(table)
        return
    width = Measurement.get(console, console.options.update(width=UNLIMITED_WIDTH), table).maximum
    Console(file=console.file, width=max(1, width)).print(table)


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse")],
    warehouse: WarehouseOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table",
    write: Annotated[
        bool, typer.Option("--write", help="Open read-write, with file access (default: read-only, no files)")
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait while another process writes the warehouse")
    ] = 30.0,
) -> None:
    """Run SQL against the warehouse: read-only, and without access to any other file, unless --write."""
    if format not in ("table", "csv", "json"):
        fail(f"unknown format {format!r}: use table, csv or json", 2)
    path = db.warehouse_path(warehouse)
    try:
        if write:  # a writer, like a run: not while one runs (its result would overwrite the change)
            ctx.with_resource(db.run_lock(path, wait, _say_waiting))
            con = db.connect(path, wait=wait, on_wait=_say_waiting)
        else:
            con = db.connect_query_only(path, wait=wait, on_wait=_say_waiting)
    except db.WarehouseError as error:
        fail(str(error))
    try:
        relation = con.sql(query)
        if relation is not None:
            _print_frame(relation.pl(), format)
    except duckdb.Error as error:
        hint = "" if write else " (sql is read-only and reads no other files: --write lifts both)"
        fail(f"query failed: {error}{hint}")
    finally:
        con.close()


def read_gold(path: Path) -> tuple[pl.DataFrame, dict]:
    """Gold records of a folder (its *.jsonl files, and scopes.json if the annotation covers
    parts of documents) or of one .jsonl file."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        fail(f"{path}: no gold .jsonl files", 2)
    try:
        gold = pl.concat([pl.read_ndjson(f, infer_schema_length=None) for f in files], how="diagonal_relaxed")
    except pl.exceptions.PolarsError as error:
        fail(f"{path}: cannot read the gold records: {error}", 2)
    scopes_file = (path if path.is_dir() else path.parent) / "scopes.json"
    scopes = {}
    if scopes_file.exists():
        raw = json.loads(scopes_file.read_text(encoding="utf-8"))
        scopes = {
            doc: None if spans is None else [(s["from"], s["until"]) for s in spans]
            for doc, spans in raw.items()
        }
    return gold, scopes


def _record_line(tag: str, row: dict, document: str) -> str:
    return (
        f"  {tag} {document} {row['kind']} {row['year']} {row['indicator']} {row['value']} {row['unit']} "
        f"{row['qualifier']!r} {row['stretch_value']} | {row['evidence']}"
    )


# The columns `extract --format table` shows; csv and json give every column of `targets`.
EXTRACT_TABLE_COLUMNS = (
    "source_name", "year", "kind", "indicator", "value", "unit", "qualifier", "stretch_value", "evidence",
)  # fmt: skip


@app.command("extract")
def extract_command(
    files: Annotated[list[Path], typer.Argument(help="Report files (any encoding the pipeline reads)")],
    format: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table",
    region: Annotated[str | None, typer.Option(help="Region of every file, instead of the detected")] = None,
    year: Annotated[int | None, typer.Option(help="Plan year of every file, instead of the detected")] = None,
    doc_type: Annotated[
        str | None,
        typer.Option(help="work_report | key_tasks_notice | news_summary, instead of the detected"),
    ] = None,
) -> None:
    """Print the records of report files, extracted in this process: no warehouse, no Prefect.

    The records a run would load (same transforms, same row validation). table: the main columns;
    csv and json: every column of `targets`. A file that cannot be read is reported and the others
    still print (exit code 1)."""
    import warnings

    from govtargets.transforms.documents import ManifestError

    import govtargets

    if format not in ("table", "csv", "json"):
        fail(f"unknown format {format!r}: use table, csv or json", 2)
    frames, failed = [], 0
    for path in files:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", govtargets.GovtargetsWarning)
            try:
                frames.append(govtargets.extract(path, region=region, year=year, doc_type=doc_type))
            except ManifestError as error:
                fail(str(error), 2)
            except govtargets.UnusableDocument as error:
                failed += report_problem("error", str(error))
            except OSError as error:
                failed += report_problem("error", f"{path}: cannot read: {error.strerror or error}")
        for warning in caught:
            if issubclass(warning.category, govtargets.GovtargetsWarning):
                report_problem("warning", str(warning.message))
    records = pl.concat(frames) if frames else pl.DataFrame()
    _print_frame(records.select(EXTRACT_TABLE_COLUMNS) if format == "table" and frames else records, format)
    if failed:
        raise typer.Exit(1)


@app.command()
def score(
    gold: Annotated[
        Path,
        typer.Option(help="Gold records: a folder of .jsonl files (and scopes.json), or one .jsonl file"),
    ] = SAMPLE_GOLD,
    warehouse: WarehouseOption = None,
    show: Annotated[int, typer.Option(help="How many misses, false hits and wrong records to list")] = 30,
) -> None:
    """Precision and recall of the warehouse's records against gold records, per document and
    with the errors counted by field."""
    from govtargets.transforms.scoring import score as score_records

    gold_rows, scopes = read_gold(gold)
    try:
        con = db.connect(db.warehouse_path(warehouse), read_only=True)
    except db.WarehouseError as error:
        fail(str(error))
    predicted = db.query(con, "select * from targets")
    texts = db.query(
        con, "select d.source_name, t.text from current_documents d join document_texts t using (doc_id)"
    )
    con.close()
    result = score_records(predicted, texts, gold_rows, scopes)
    for level in (result.value, result.record):
        console.print(
            f"[bold]{level.level}-level[/]: precision {level.precision:.3f}  recall {level.recall:.3f}  "
            f"F1 {level.f1:.3f}  (tp {level.true_positives}, predicted in scope {level.predicted}, gold {level.gold})"
        )
    table = Table(title="per document")
    for column in result.documents.columns:
        table.add_column(column, justify="left" if column == "document" else "right")
    for row in result.documents.iter_rows():
        table.add_row(*(f"{v:.2f}" if isinstance(v, float) else "-" if v is None else str(v) for v in row))
    console.print(table)
    console.print("errors by field: " + ", ".join(f"{name} {n}" for name, n in result.errors.items()))
    for g in result.value.misses[:show]:
        console.print(_record_line("miss ", g, g["doc"]), markup=False)
    for p in result.value.false_hits[:show]:
        console.print(_record_line("false", p, p["source_name"]), markup=False)
    for g, p, fields in result.wrong[:show]:
        got = ", ".join(f"{name} {p[name]!r} (gold {g[name]!r})" for name in fields)
        console.print(f"  wrong {g['doc']} {g['indicator']} {g['value']} {g['unit']}: {got}", markup=False)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for index.html and plotly.min.js")],
    warehouse: WarehouseOption = None,
) -> None:
    """Write a static HTML report (charts and tables, works offline) of the warehouse (read-only)."""
    from govtargets.flows.report import (
        write_report,  # Plotly is slow to import: only when a report is asked for
    )

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
    """Write every table and view of the warehouse to one Parquet or CSV file each, and _schema.json
    describing their columns (read-only). CSV text cells are made safe for spreadsheets."""
    from govtargets.flows.export import FORMATS, SCHEMA_FILE, export_warehouse

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
    # one unwrapped line: the path stays copyable
    typer.echo(f"wrote {len(exported)} files and {SCHEMA_FILE} (what each file's columns are) to {out_dir}")


def entry() -> None:
    """The `govtargets` command: `app`, then Python's exit without the interpreter's teardown.

    Once a command is done, Python joins its threads, runs its exit handlers (Prefect drains its
    log and event workers, the temporary server stops, logging flushes), then tears down every
    module one by one: ~1.4 s after a run (GX, pandas, Prefect), for nothing the operating system
    does not do when the process exits. The first part is kept, the teardown skipped."""
    try:
        app()
        code = 0
    except SystemExit as done:  # how typer ends every command
        code = exit_code(done)
    threading._shutdown()  # as Python's own exit, in its order: threads, then exit handlers
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def exit_code(done: SystemExit) -> int:
    """The process's exit status for `done`, as Python makes it."""
    if done.code is None or isinstance(done.code, int):
        return done.code or 0
    print(done.code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    entry()

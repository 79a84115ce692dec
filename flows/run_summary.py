"""What `govtargets run` reports when a run is over: its counts, its paths, how long it took, and
the warnings a user should see — expectations that warned and files rejected, read back from the
warehouse the run wrote (read-only), and documents whose region, year or type stayed unknown."""

from __future__ import annotations

import json

import duckdb

COUNTS = (
    "files",
    "documents",
    "unchanged",
    "renamed",
    "removed",
    "records",
    "loaded",
    "quarantined",
    "rejected",
)
# Files named per warning: enough to find them, few enough for one line.
NAMES_PER_WARNING = 5


def run_warnings(con: duckdb.DuckDBPyConnection, run_id: str, unknown: dict[str, list[str]]) -> list[dict]:
    """One dict per warning of the run, each with `kind` and a readable `message`; `unknown` is the
    run's documents whose metadata stayed unknown (file -> fields, the flow's summary says)."""
    return (
        expectation_warnings(con, run_id)
        + rejected_files(con, run_id)
        + removed_files(con, run_id)
        + unknown_metadata(unknown)
    )


def expectation_warnings(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    rows = con.execute(
        """select suite, rule, expectation, column_name, unexpected_count, details from validation_results
           where run_id = ? and severity = 'warning' and not success order by suite, rule""",
        [run_id],
    ).fetchall()
    warnings = []
    for suite, rule, expectation, column, unexpected, details in rows:
        files = _files_named(details)
        where = f" ({', '.join(files[:NAMES_PER_WARNING])}{', …' if len(files) > NAMES_PER_WARNING else ''})"
        warnings.append(
            {
                "kind": "expectation",
                "suite": suite,
                "rule": rule,
                "expectation": expectation,
                "column": column,
                "unexpected_count": unexpected,
                "files": files,
                "message": f"{suite}.{rule}: {unexpected} unexpected{where if files else ''}",
            }
        )
    return warnings


def _files_named(details: str | None) -> list[str]:
    try:
        rows = json.loads(details or "{}").get("unexpected_rows") or []
    except json.JSONDecodeError:
        return []
    return sorted({row["source_name"] for row in rows if isinstance(row, dict) and row.get("source_name")})


def rejected_files(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    rows = con.execute(
        "select path, reason, detail from rejected_files where run_id = ? order by path", [run_id]
    ).fetchall()
    return [
        {
            "kind": "rejected_file",
            "path": path,
            "reason": reason,
            "detail": detail,
            "message": f"{path}: rejected, {reason}: {detail}",
        }
        for path, reason, detail in rows
    ]


def removed_files(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """Documents whose file this run no longer found in the input folder (documents.removed_in_run)."""
    rows = con.execute(
        "select source_path from documents where removed_in_run = ? order by source_path", [run_id]
    ).fetchall()
    return [
        {
            "kind": "removed_file",
            "source_path": source_path,
            "message": f"{source_path}: no longer in the input folder; its document is marked removed "
            "and left out of the views (its records are kept)",
        }
        for (source_path,) in rows
    ]


def unknown_metadata(unknown: dict[str, list[str]]) -> list[dict]:
    return [
        {
            "kind": "unknown_metadata",
            "source_name": source_name,
            "missing": missing,
            "message": f"{source_name}: {', '.join(missing)} unknown; give it with --manifest",
        }
        for source_name, missing in sorted(unknown.items())
    ]


def unknown_metadata_log_lines(unknown: dict[str, list[str]]) -> list[str]:
    """What the flow logs about documents whose metadata stayed unknown: a line per set of missing
    fields, with how many files and the first few by name. A line per file (a folder of news
    stories can have thousands) took ~1.7 ms each in the flow and filled the log, the console and
    the Prefect server with one message; the run's summary (`unknown_metadata`) names every file."""
    by_fields: dict[tuple[str, ...], list[str]] = {}
    for source_name, missing in sorted(unknown.items()):
        by_fields.setdefault(tuple(missing), []).append(source_name)
    lines = []
    for missing, files in by_fields.items():
        more = len(files) - NAMES_PER_WARNING
        named = ", ".join(files[:NAMES_PER_WARNING]) + (f" and {more} more" if more > 0 else "")
        lines.append(
            f"{', '.join(missing)} unknown in {len(files)} file{'s' * (len(files) > 1)} (not in the text; "
            f"a --manifest can give it), whose records have no {' and no '.join(missing)}: {named}"
        )
    return lines


def summary_json(
    summary: dict, warnings: list[dict], elapsed_seconds: float, paths: dict, bundled_samples: bool
) -> dict:
    """The one JSON object `run --json` prints for a completed run."""
    return {
        "status": "completed",
        "run_id": summary["run_id"],
        "counts": {name: summary.get(name) for name in COUNTS},
        "warnings": warnings,
        "elapsed_seconds": round(elapsed_seconds, 3),
        "paths": paths | {"data_docs": summary["data_docs"]},
        "input_is_bundled_samples": bundled_samples,
    }


def failure_json(error: str, elapsed_seconds: float, paths: dict, bundled_samples: bool) -> dict:
    """The JSON object of a run that failed (the command exits with 1)."""
    return {
        "status": "failed",
        "error": error,
        "elapsed_seconds": round(elapsed_seconds, 3),
        "paths": paths,
        "input_is_bundled_samples": bundled_samples,
    }

"""A CLI that scripts well: --version, --quiet/--log-level, run --json, the bundled-samples notice,
the live display on a terminal with the logs above it, and a run's Prefect artifacts."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from govtargets.flows import cli
from govtargets.flows.cli import app
from govtargets.flows.run_summary import run_warnings
from govtargets.flows.terminal import (
    PREFECT_CONSOLE_LEVEL_ENV,
    PREFECT_LEVEL_ENV,
    console_handlers,
    log_level,
)
from govtargets.warehouse import db
from rich.console import Console
from typer.testing import CliRunner

runner = CliRunner()
GOVTARGETS = Path(sys.executable).parent / "govtargets"  # the console script of this environment


def test_version_prints_the_installed_version():
    from importlib import metadata

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"govtargets {metadata.version('govtargets')}\n"


def test_the_command_exits_with_its_status_and_everything_it_printed(tmp_path):
    """The console script skips the interpreter's teardown (flows/cli.entry): what a command
    printed must still arrive, and its exit status be the command's."""
    version = subprocess.run(
        [str(GOVTARGETS), "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert (version.returncode, version.stdout.startswith("govtargets ")) == (0, True)
    missing = tmp_path / "missing"
    refused = subprocess.run(
        [str(GOVTARGETS), "run", "-i", str(missing), "-w", str(tmp_path / "w.duckdb")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert f"{missing}: input folder does not exist" in refused.stderr


def test_an_unknown_log_level_is_refused():
    result = runner.invoke(app, ["--log-level", "loud", "sql", "select 1"])
    assert result.exit_code == 2 and "unknown log level 'loud'" in result.stderr


def test_log_level_filters_the_console_and_is_undone_afterwards(monkeypatch):
    monkeypatch.delenv(PREFECT_CONSOLE_LEVEL_ENV, raising=False)
    handler = logging.StreamHandler(sys.stderr)
    root = logging.getLogger()
    root.addHandler(handler)
    prefect_level = logging.getLogger("prefect").level
    before = os.environ.get(PREFECT_LEVEL_ENV)
    try:
        with log_level("WARNING"):
            assert handler.level == logging.WARNING
            assert os.environ[PREFECT_CONSOLE_LEVEL_ENV] == "WARNING"
            # the loggers still log INFO, for the Prefect server; only the console filters
            assert (
                os.environ[PREFECT_LEVEL_ENV] == "INFO" and logging.getLogger("prefect").level == logging.INFO
            )
        with log_level("DEBUG"):
            assert handler.level == logging.DEBUG and logging.getLogger("prefect").level == logging.DEBUG
        assert handler.level == logging.NOTSET
        assert PREFECT_CONSOLE_LEVEL_ENV not in os.environ
        assert os.environ.get(PREFECT_LEVEL_ENV) == before
        assert logging.getLogger("prefect").level == prefect_level
    finally:
        root.removeHandler(handler)


def test_run_warnings_name_what_a_user_should_look_at(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    db.migrate(con)
    details = json.dumps(
        {"rule": "yields_records", "unexpected_rows": [{"doc_id": "d2", "source_name": "b.txt"}]}
    )
    con.execute(
        """insert into validation_results (run_id, suite, rule, expectation, column_name, severity, success,
                                           unexpected_count, element_count, details) values
           ('r1', 'corpus_coverage', 'yields_records', 'expect_column_values_to_be_between', 'n_records',
            'warning', false, 1, 2, ?),
           ('r1', 'targets_rows', 'unit_known', 'expect_column_values_to_match_regex', 'unit', 'row', false,
            1, 9, '{}')""",
        [details],
    )
    con.execute(
        "insert into rejected_files (path, doc_id, reason, detail, run_id) "
        "values ('in/c.txt', null, 'empty', 'the file has no content', 'r1')"
    )
    warnings = run_warnings(con, "r1", {"b.txt": ["region", "doc_type"]})
    con.close()
    assert [w["message"] for w in warnings] == [
        "corpus_coverage.yields_records: 1 unexpected (b.txt)",
        "in/c.txt: rejected, empty: the file has no content",
        "b.txt: region, doc_type unknown; give it with --manifest",
    ]
    assert [w["kind"] for w in warnings] == ["expectation", "rejected_file", "unknown_metadata"]


def test_unknown_metadata_is_logged_once_per_set_of_fields_with_the_first_files_named():
    """A folder of news stories can lack the region of thousands of files: the log says so in a
    line per set of missing fields, not a line per file (the run's summary names every file)."""
    from govtargets.flows.run_summary import unknown_metadata_log_lines

    unknown = {f"news/{number:04d}.txt": ["region"] for number in range(2000)}
    unknown |= {"a.txt": ["region", "doc_type"]}
    assert unknown_metadata_log_lines(unknown) == [
        (
            "region, doc_type unknown in 1 file (not in the text; a --manifest can give it), whose records "
            "have no region and no doc_type: a.txt"
        ),
        (
            "region unknown in 2000 files (not in the text; a --manifest can give it), whose records have "
            "no region: news/0000.txt, news/0001.txt, news/0002.txt, news/0003.txt, news/0004.txt and 1995 more"
        ),
    ]
    assert unknown_metadata_log_lines({}) == []


# --- runs through the CLI (one Prefect test harness for the session) -----------------------------


@pytest.fixture(scope="module")
def json_run(prefect_harness, tmp_path_factory) -> dict:
    """`govtargets run --json` without --input, in this process: the bundled samples."""
    warehouse = tmp_path_factory.mktemp("json-run") / "w.duckdb"
    result = runner.invoke(app, ["run", "--json", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    return {"result": result, "warehouse": warehouse}


def test_run_json_is_one_summary_on_stdout(json_run):
    summary = json.loads(json_run["result"].stdout)
    assert summary["status"] == "completed"
    assert summary["counts"] | {"records": None, "loaded": None} == {
        "files": 5, "documents": 5, "unchanged": 0, "renamed": 0, "removed": 0, "records": None, "loaded": None,
        "quarantined": 0, "rejected": 0,
    }  # fmt: skip
    assert summary["counts"]["records"] == summary["counts"]["loaded"] > 0
    assert summary["elapsed_seconds"] > 0 and isinstance(summary["warnings"], list)
    warehouse = json_run["warehouse"]
    assert summary["paths"]["warehouse"] == str(warehouse.resolve())
    assert summary["paths"]["data_docs"].endswith(f"reports/{warehouse.name}/data_docs/index.html")
    assert summary["input_is_bundled_samples"] is True
    con = db.connect(warehouse, read_only=True)
    try:
        assert con.execute("select run_id from runs").fetchall() == [(summary["run_id"],)]
    finally:
        con.close()


def test_run_without_input_says_it_loads_the_bundled_samples(json_run):
    assert "note: no --input given: loading the bundled sample corpus" in json_run["result"].stderr
    assert str(json_run["warehouse"]) in json_run["result"].stderr.replace("\n", "")


@pytest.fixture
def one_report(sample_corpus, tmp_path) -> Path:
    """A folder with the smallest sample report, 000 (德州 2020): a run of it is quick."""
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(min(sample_corpus.glob("*.txt"), key=lambda p: p.stat().st_size), folder)
    return folder


def test_quiet_json_run_in_a_subprocess_prints_json_only_and_no_logs(one_report, cli_prefect_home, tmp_path):
    """As a script would call it, on a machine without a Prefect server (the run starts a temporary
    one, which logs its stop at exit): stdout parses as JSON, stderr holds no INFO log line."""
    env = {name: value for name, value in os.environ.items() if name != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(cli_prefect_home), "PREFECT_LOGGING_LEVEL": "INFO"}
    command = [
        str(GOVTARGETS),
        "--quiet",
        "run",
        "--json",
        "-i",
        str(one_report),
        "-w",
        str(tmp_path / "w.db"),
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"]["documents"] == 1 and summary["input_is_bundled_samples"] is False
    assert "INFO" not in result.stderr, result.stderr


def test_a_run_that_fails_prints_a_json_failure_and_exits_1(
    prefect_harness, sample_corpus, tmp_path, monkeypatch
):
    from govtargets.flows import pipeline

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "run_pipeline", broken)
    result = runner.invoke(app, ["run", "--json", "-i", str(sample_corpus), "-w", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    failure = json.loads(result.stdout)
    assert failure["status"] == "failed" and "disk full" in failure["error"]
    assert failure["paths"]["input"] == str(sample_corpus.resolve())
    assert "pipeline failed: disk full" in result.stderr


def test_on_a_terminal_one_live_display_advances_with_the_logs_above_it(
    prefect_harness, one_report, tmp_path, monkeypatch
):
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=140, color_system=None)
    monkeypatch.setattr(cli, "err", terminal)
    import prefect.main  # noqa: F401 - Prefect's console handler set up, as the CLI has it, to compare with

    handlers_before = console_handlers()
    command = ["--log-level", "INFO", "run", "-i", str(one_report), "-w", str(tmp_path / "w.duckdb")]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line) for line in screen.getvalue().splitlines()]
    # the display: a row per stage that moves when a batch is done (over many batches:
    # tests/test_orchestration.py), and the files
    for row in (r"ingest\s.*\s0/1 batches", r"ingest\s+━+\s+1/1 batches", r"extract & validate\s+━+\s+1/1"):
        assert any(re.match(row, line) for line in lines), row
    assert any(re.match(r"files\s+━+\s+1/1 files", line) for line in lines)
    # the logs above it, through rich's handler: the flow's own lines and those of worker processes
    assert any("Flow run '" in line and "Beginning flow run" in line for line in lines)
    assert any("Task run 'ingest-batch-0000' - 1 files read: 1 documents" in line for line in lines)
    # a file read as a document is a line at DEBUG only: a line per file was ~1.8 ms of the run's work
    assert not [line for line in lines if " - 000_" in line and " chars" in line]
    # no log line glued to the display ("0/5 0:00:0520:55:41.799 | INFO")
    assert not [line for line in lines if re.search(r"(batches|files)\s+\d+:\d\d:\d\d\S", line)]
    assert console_handlers() == handlers_before  # Prefect's console handler is back


# --- the flow's Prefect artifacts and one count of expectations everywhere ------------------------


def test_the_flow_creates_its_artifacts(sample_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    run_id = sample_run["summary"]["run_id"]  # other tests may run again on this warehouse
    con = db.connect(sample_run["warehouse"], read_only=True)
    try:
        flow_run_id = con.execute("select flow_run_id from runs where run_id = ?", [run_id]).fetchone()[0]
        n_results = con.execute(
            "select count(*) from validation_results where run_id = ?", [run_id]
        ).fetchone()[0]
    finally:
        con.close()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    by_key = {artifact.key: artifact for artifact in artifacts}
    assert {"pipeline-summary", "data-quality", "pipeline-progress"} <= set(by_key)
    assert sample_run["summary"]["run_id"] in by_key["pipeline-summary"].data
    assert by_key["pipeline-progress"].data == 100.0
    quality = by_key["data-quality"].data
    rows = json.loads(quality) if isinstance(quality, str) else quality
    assert len(rows) == n_results  # one row per expectation, as validation_results has


def test_expectation_counts_agree_in_suites_warehouse_data_docs_and_report(sample_run, tmp_path):
    from govtargets.expectations import suites
    from govtargets.flows.report import suite_outcomes

    run_id = sample_run["summary"]["run_id"]  # other tests may run again on this warehouse
    con = db.connect(sample_run["warehouse"], read_only=True)
    try:
        results = con.sql("select * from validation_results where run_id = ?", params=[run_id]).pl()
    finally:
        con.close()
    stored = dict(results.group_by("suite").len().rows())
    report = suite_outcomes(results)  # the report's count of a run's expectations
    declared = {name: len(build().expectations) for name, build in suites.BUILDERS.items()}
    assert stored == declared
    # the suites have expectations of one type on one column (the range checks on `value`): counted
    # by (type, column), as validation_results once was, targets_rows would look smaller than it is
    rows_suite = suites.BUILDERS[suites.TARGETS_ROWS]().expectations
    kinds = {(e.expectation_type, e.meta.get("column") or getattr(e, "column", None)) for e in rows_suite}
    assert len(kinds) < declared[suites.TARGETS_ROWS]
    assert {row["suite"]: row["passed"] + row["failed"] for row in report.to_dicts()} == declared
    site = sample_run["warehouse"].parent / "reports" / sample_run["warehouse"].name / "data_docs"
    pages = list((site / "validations").glob(f"*/{run_id}/*/*.html"))
    assert pages
    for page in pages:
        suite = page.relative_to(site / "validations").parts[0]
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        shown = re.search(r"Evaluated Expectations\s+(\d+)", text)
        assert shown and int(shown.group(1)) == declared[suite], page


# --- the temporary Prefect server ------------------------------------------------------------------


class StartedEarly:
    """A temporary server as `spawn_unless_configured` returns it, without its process."""

    api_url = "http://127.0.0.1:9/api"

    def __init__(self):
        self.waited = self.stopped = False

    def wait_until_ready(self, timeout):
        self.waited = True

    def stop(self):
        self.stopped = True


def test_a_server_started_early_is_stopped_when_a_profile_names_a_server(prefect_harness):
    """The CLI starts its temporary server before it imports Prefect, so before it can read a
    profile: when the settings then name a server (the test harness's here), that one is used."""
    from govtargets.flows.prefect_server import prefect_api
    from prefect.settings import PREFECT_API_URL

    configured, spawned = PREFECT_API_URL.value(), StartedEarly()
    with prefect_api(spawned) as temporary:
        assert PREFECT_API_URL.value() == configured
    assert temporary is False and spawned.stopped and not spawned.waited


def test_with_a_temporary_server_every_process_uses_it_and_flows_send_no_heartbeats(monkeypatch):
    """Heartbeats let a server mark a flow run whose process died as crashed; a temporary server
    dies with the process, and ending a flow waited up to a second for their thread."""
    from govtargets.flows.prefect_server import prefect_api
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # what prefect_api sets stays in this test
    spawned = StartedEarly()
    try:
        with temporary_settings(restore_defaults={PREFECT_API_URL}), prefect_api(spawned) as temporary:
            assert temporary is True and spawned.waited and not spawned.stopped
            assert PREFECT_API_URL.value() == os.environ["PREFECT_API_URL"] == spawned.api_url
            assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().flows.heartbeat_frequency is not None
    finally:
        # prefect_api also pointed Prefect's global settings (its threads') at the server
        monkeypatch.undo()
        refresh_global_settings_context()

"""Issue 14: faults injected as a user's machine has them — a run killed (kill -9) at every stage,
readers holding the warehouse open during a run, a full disk, arbitrary text — and what must hold:
the warehouse exactly as before, nothing left behind (processes, files, Data Docs), the next run as
good as a clean one, and every run's status written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil
import pytest
from conftest import assert_same_contents, contents, run_lock_held_elsewhere, small_corpus
from govtargets.warehouse import db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOVTARGETS = Path(sys.executable).with_name("govtargets")


def edited_corpus(corpus: Path, folder: Path) -> Path:
    """The next batch: both files edited (they supersede their old versions) and one new file."""
    shutil.copytree(corpus, folder)
    for path in sorted(folder.glob("*.txt")):
        path.write_text(path.read_text(encoding="utf-8") + "\n新增绿地1万亩。\n", encoding="utf-8")
    first = min(folder.glob("*.txt"))
    (folder / "new.txt").write_text(
        first.read_text(encoding="utf-8") + "\n新改建农村公路600公里。\n", encoding="utf-8"
    )
    return folder


def statuses(warehouse: Path) -> list[str]:
    con = db.connect(warehouse, read_only=True)
    try:
        return [row[0] for row in con.execute("select status from runs order by started_at").fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def batches(prefect_harness, sample_corpus, tmp_path_factory) -> dict:
    """A warehouse after a first batch, and what it holds after the next batch, run without a fault."""
    from govtargets.flows.pipeline import pipeline

    root = tmp_path_factory.mktemp("faults")
    corpus = small_corpus(sample_corpus, root / "corpus")
    base = root / "base" / "w.duckdb"
    pipeline(input_dir=str(corpus), warehouse=str(base))
    following = edited_corpus(corpus, root / "next")
    reference = root / "reference" / "w.duckdb"
    reference.parent.mkdir()
    shutil.copy(base, reference)
    pipeline(input_dir=str(following), warehouse=str(reference))
    return {
        "base": base,
        "next": following,
        "reference": contents(reference),
        "reference_size": reference.stat().st_size,
    }


def warehouse_from(base: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, folder / "w.duckdb")
    return folder / "w.duckdb"


# --- kill -9 ------------------------------------------------------------------------------------


# Where a run is killed, and the Prefect server it reports to: its own temporary one, as on a
# machine without a server, or a server the environment names, as with a persistent one (the test
# harness's here), which must outlive the run.
KILL_POINTS = (
    ("ingest", "temporary"),
    ("stage", "temporary"),
    ("publish", "configured"),
    ("rename", "configured"),
)


@dataclass
class Killed:
    warehouse: Path
    before: bytes  # the warehouse file before the run
    returncode: int
    processes: list[tuple[int, str]]  # the run's process tree when it was killed: pid, command line
    survivors: list[int]


def start_run_to_kill(
    point: str, corpus: Path, warehouse: Path, prefect_home: Path, api_url: str | None
) -> subprocess.Popen:
    """`govtargets run`, as a user starts it (its own temporary Prefect server unless `api_url`
    names one, worker processes), told to hold at `point`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_API")}
    env |= {"PREFECT_API_URL": api_url} if api_url else {}
    env |= {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a busy machine: slow, not broken
        db.TEST_PAUSE_ENV: f"{point}:600",
    }
    command = [
        str(GOVTARGETS),
        "run",
        "--input",
        str(corpus),
        "--warehouse",
        str(warehouse),
        "--workers",
        "1",
        "--batch-mb",  # a batch per file: more than one batch, so the run starts its worker process
        "0.001",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill_when_held(point: str, process: subprocess.Popen) -> tuple[int, list, list]:
    """SIGKILL the run once it says it holds at `point`; its process tree's survivors counted."""
    watchdog = threading.Timer(300, process.kill)  # never hang the suite if the point is not reached
    watchdog.start()
    tree, processes, lines = [], [], []
    try:
        for line in process.stderr:
            lines.append(line)
            if f"{db.TEST_PAUSE_ENV}: at {point}" in line:
                tree = psutil.Process(process.pid).children(recursive=True)
                # read before the kill: once the run is dead its children exit and their command
                # lines are gone
                processes = [(p.pid, " ".join(p.cmdline())) for p in tree]
                process.send_signal(signal.SIGKILL)
                break
        process.wait()
    finally:
        watchdog.cancel()
    assert tree, f"the run did not reach {point}: {''.join(lines[-30:])}"
    _, alive = psutil.wait_procs(tree, timeout=60)
    return process.returncode, processes, [p.pid for p in alive]


def killed_run(point: str, batches: dict, home: Path, folder: Path, api_url: str | None) -> Killed:
    """A run killed at `point` on a copy of the first batch's warehouse. One test per point, so
    that pytest -n spreads them over its workers (each takes ~20 s of a run starting up)."""
    warehouse = warehouse_from(batches["base"], folder)
    before = warehouse.read_bytes()
    process = start_run_to_kill(point, batches["next"], warehouse, home, api_url)
    return Killed(warehouse, before, *kill_when_held(point, process))


def data_docs_runs(reports: Path) -> set[str]:
    """The run names Data Docs have pages for."""
    validations = reports / "data_docs" / "validations"
    return (
        {run.name for suite in validations.iterdir() for run in suite.iterdir()}
        if validations.exists()
        else set()
    )


@pytest.mark.parametrize(("point", "server"), KILL_POINTS)
def test_a_run_killed_at_any_point_leaves_the_warehouse_as_it_was_and_nothing_behind(
    batches, cli_prefect_home, point, server, tmp_path
):
    """Finding 5: every kill orphaned the temporary Prefect server, left staging tables in the file,
    and Data Docs showed runs that were never published. Killed while ingesting (in a worker),
    staging, inside the publish transaction, or just before the copy replaces the warehouse."""
    from govtargets.flows.pipeline import pipeline
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value() if server == "configured" else None
    killed = killed_run(point, batches, cli_prefect_home, tmp_path / "killed", api_url)
    warehouse, folder = killed.warehouse, killed.warehouse.parent
    assert killed.returncode == -signal.SIGKILL
    servers = [command for _, command in killed.processes if "uvicorn" in command]
    # a server of its own only without one configured (the CLI starts it before it reads settings)
    assert len(servers) == (server == "temporary"), killed.processes
    assert len(killed.processes) > len(servers), killed.processes  # and a worker
    assert killed.survivors == [], f"orphans: {killed.processes}"
    assert warehouse.read_bytes() == killed.before  # not one byte: the run worked on a copy
    assert (folder / "w.duckdb.work").is_dir()

    summary = pipeline(input_dir=str(batches["next"]), warehouse=str(warehouse))
    assert statuses(warehouse) == ["completed", "abandoned", "completed"]  # the killed run, recorded
    assert_same_contents(contents(warehouse), batches["reference"])  # as if it had never been
    assert not (folder / "w.duckdb.work").exists()  # its copy and staged files deleted
    assert sorted(p.name for p in folder.iterdir()) == ["reports", "w.duckdb", "w.duckdb.run.lock"]
    assert data_docs_runs(folder / "reports" / "w.duckdb") == {summary["run_id"]}  # none of the killed run


def test_a_run_killed_after_its_publish_leaves_only_a_folder_the_next_run_clears(tmp_path):
    """Between the publish and the removal of its folder a run builds its Data Docs from the suite
    results kept there: killed then, it leaves the folder without a copy (the copy is the published
    warehouse now), which the next run deletes without recording any run as abandoned."""
    from govtargets.warehouse import runfiles

    warehouse = tmp_path / "w.duckdb"
    left = runfiles.RunFiles(warehouse, runfiles.work_folder(warehouse), stamp=None)
    folder = left.folder
    folder.mkdir()
    left.suite_results("batch-0000").write_text("[]", encoding="utf-8")
    assert runfiles.clear_leftovers(folder, warehouse.name) is None
    assert not folder.exists()


# --- readers ------------------------------------------------------------------------------------

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from govtargets.warehouse import db

    warehouse, mode, stop = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    query = "select (select count(*) from documents), (select count(*) from runs), " \\
            "(select count(*) from targets)"
    seen, errors = [], []
    held = db.connect_query_only(warehouse) if mode == "hold" else None
    print("open", flush=True)
    while not stop.exists():
        try:
            con = held or db.connect_query_only(warehouse)
            try:
                seen.append(con.execute(query).fetchall()[0])
            finally:
                if held is None:
                    con.close()
        except Exception as error:
            errors.append(repr(error))
        time.sleep(0.05)
    print(json.dumps({"seen": seen, "errors": errors}), flush=True)
    """
)


def state(warehouse: Path) -> tuple[int, int, int]:
    con = db.connect(warehouse, read_only=True)
    try:
        counts = "select (select count(*) from documents), (select count(*) from runs), (select count(*) from targets)"
        return con.execute(counts).fetchall()[0]
    finally:
        con.close()


def test_readers_and_a_run_coexist(batches, tmp_path):
    """Finding 3: a reader held open during a run made it fail (and its row stay 'running'); a
    quarter of the reads during a run were refused. Now: one reader holds the warehouse open for the
    whole run, another opens and closes it in a loop; the run completes, every read succeeds and
    sees either the state before the run or the state after it, never anything in between."""
    from govtargets.flows.pipeline import pipeline

    warehouse = warehouse_from(batches["base"], tmp_path)
    before, stop = state(warehouse), tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, str(warehouse), mode, str(stop)], stdout=subprocess.PIPE, text=True
        )
        for mode in ("hold", "loop")
    }
    try:
        for reader in readers.values():
            assert reader.stdout.readline().strip() == "open"
        summary = pipeline(input_dir=str(batches["next"]), warehouse=str(warehouse))
        after = state(warehouse)
    finally:
        stop.touch()
        results = {mode: json.loads(reader.communicate(timeout=120)[0]) for mode, reader in readers.items()}
    assert summary["documents"] == 3 and statuses(warehouse) == ["completed", "completed"]
    assert after != before
    for mode, result in results.items():
        assert result["errors"] == [], mode
        assert result["seen"], mode
        assert {tuple(seen) for seen in result["seen"]} <= {before, after}, mode
    assert {tuple(seen) for seen in results["hold"]["seen"]} == {before}  # its snapshot, undisturbed
    assert_same_contents(contents(warehouse), batches["reference"])


def test_a_failed_run_writes_its_status_while_a_reader_holds_the_warehouse(batches, tmp_path, monkeypatch):
    """A run that fails a structural expectation loads nothing, records `failed` even with a reader
    holding the warehouse open, and its Data Docs say that nothing was loaded."""
    import govtargets.expectations.validate as validate_module
    import govtargets.flows.pipeline as flow_module
    from govtargets.expectations.validate import validate_documents

    def failing(documents):
        outcome = validate_documents(documents)
        outcome.structural_failures = ["a structural expectation failed (injected)"]
        return outcome

    monkeypatch.setattr(validate_module, "validate_documents", failing)  # the flow imports it when used
    warehouse = warehouse_from(batches["base"], tmp_path)
    before = contents(warehouse, ignore=())
    reader = duckdb.connect(str(warehouse), read_only=True)  # in this very process, the whole time
    try:
        with pytest.raises(flow_module.StructuralValidationError, match="injected"):
            flow_module.pipeline(input_dir=str(batches["next"]), warehouse=str(warehouse))
        assert reader.execute("select count(*) from documents").fetchall() == [(before["documents"].height,)]
    finally:
        reader.close()
    assert statuses(warehouse) == ["completed", "failed"]
    assert_same_contents(
        contents(warehouse, relations=tuple(n for n in before if n != "runs"), ignore=()),
        {n: f for n, f in before.items() if n != "runs"},
    )
    (failed_run,) = data_docs_runs(tmp_path / "reports" / "w.duckdb")
    assert failed_run.endswith("-failed-nothing-loaded")
    assert not (tmp_path / "w.duckdb.work").exists()


def test_the_run_lock_is_taken_before_anything_starts(tmp_path, monkeypatch):
    """Finding 5: a second run started 4 s after the first passed the pre-check, started its own
    Prefect server and failed 20 s later."""
    from govtargets.flows import cli, prefect_server
    from typer.testing import CliRunner

    def no_server():
        raise AssertionError("a Prefect server was started")

    monkeypatch.setattr(prefect_server, "TemporaryServer", no_server)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    warehouse = tmp_path / "w.duckdb"
    (tmp_path / "in").mkdir()
    with run_lock_held_elsewhere(warehouse):
        result = CliRunner().invoke(
            cli.app, ["run", "--input", str(tmp_path / "in"), "--warehouse", str(warehouse)]
        )
    assert result.exit_code == 1
    assert "another govtargets run is loading this warehouse" in result.output
    assert not warehouse.exists() and not (tmp_path / "w.duckdb.work").exists()


def test_a_change_made_by_another_writer_during_a_run_is_not_overwritten(batches, tmp_path, monkeypatch):
    """Another DuckDB client writes the warehouse while a run works on its copy: the run does not
    publish over it (it fails, saying why), and the change is kept."""
    from govtargets.flows.pipeline import pipeline

    warehouse = warehouse_from(batches["base"], tmp_path)
    pause = db.pause_for_tests

    def write_meanwhile(point: str) -> None:
        if point == "rename":
            con = duckdb.connect(str(warehouse))
            con.execute(
                "insert into runs (run_id, started_at, status) values ('by-hand', now(), 'completed')"
            )
            con.close()
        pause(point)

    monkeypatch.setattr(db, "pause_for_tests", write_meanwhile)
    with pytest.raises(db.WarehouseError, match="changed by another process"):
        pipeline(input_dir=str(batches["next"]), warehouse=str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    runs = dict(con.execute("select run_id, status from runs").fetchall())
    con.close()
    assert runs.pop("by-hand") == "completed" and sorted(runs.values()) == ["completed", "failed"]
    assert not (tmp_path / "w.duckdb.work").exists()


# --- space --------------------------------------------------------------------------------------


def test_staging_left_in_the_warehouse_by_older_versions_is_dropped_and_its_space_reclaimed(
    batches, tmp_path
):
    """Finding 5: staging tables of killed runs stayed in the file (6 -> 88 MB, never reclaimed)."""
    from govtargets.flows.pipeline import pipeline

    warehouse = warehouse_from(batches["base"], tmp_path)
    con = duckdb.connect(str(warehouse))  # what a run killed before this version left
    con.execute("create schema staging")
    con.execute(
        "create table staging.document_texts as select range::varchar || repeat('文', 400) as text from range(200000)"
    )
    con.close()
    bloated = warehouse.stat().st_size
    pipeline(input_dir=str(batches["next"]), warehouse=str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    schemas = {
        row[0]
        for row in con.execute(
            "select schema_name from duckdb_schemas() where database_name = 'w'"
        ).fetchall()
    }
    con.close()
    assert "staging" not in schemas
    assert bloated > 3 * batches["reference_size"]
    assert warehouse.stat().st_size < 1.5 * batches["reference_size"]  # as if it had never been
    assert_same_contents(contents(warehouse), batches["reference"])


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a file system with little room: a small tmpfs where the machine lets us mount one."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, check=False
    ).returncode == 0  # fmt: skip
    yield mount_point, mounted
    if mounted:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def resize(mount_point: Path, size_bytes: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size_bytes}", str(mount_point)], check=True)


LIMITED_RUN = textwrap.dedent(
    """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
    from govtargets.flows.pipeline import pipeline
    pipeline(input_dir=sys.argv[1], warehouse=sys.argv[2])
    """
)


def test_a_full_disk_fails_the_run_cleanly_and_the_next_run_recovers(batches, small_disk, tmp_path):
    """The disk fills while the run stages and publishes: the run fails with a message that says so,
    the warehouse holds what it held, the run is recorded as failed, and once there is room again
    the next run gives what a clean run gives. On a small tmpfs (a real ENOSPC) where the machine
    allows mounting one, else with a file size limit (EFBIG) for the run's process."""
    from govtargets.flows.pipeline import pipeline
    from prefect.settings import PREFECT_API_URL

    folder, mounted = small_disk
    corpus = tmp_path / "corpus"
    shutil.copytree(batches["next"], corpus)
    report = next(corpus.glob("*.txt")).read_text(encoding="utf-8")
    (corpus / "big.txt").write_text(  # a batch that needs several MB more than the warehouse has
        "\n".join(report.replace("6%", f"{n % 9 + 1}%") for n in range(30)), encoding="utf-8"
    )
    size = batches["base"].stat().st_size
    room = 2 * size + 2**20  # the warehouse, one copy of it and a little: not what the batch adds
    if mounted:
        resize(folder, room)
    warehouse = warehouse_from(batches["base"], folder)
    before = contents(warehouse, ignore=())
    if mounted:
        with pytest.raises(db.WarehouseError, match=r"the disk is full"):
            pipeline(input_dir=str(corpus), warehouse=str(warehouse))
    else:
        failed = subprocess.run(
            [sys.executable, "-c", LIMITED_RUN, str(corpus), str(warehouse), str(room - size)],
            env=os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()},
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert failed.returncode != 0 and "File too large" in failed.stderr, failed.stderr[-3000:]
    assert statuses(warehouse) == ["completed", "failed"]
    unchanged = tuple(name for name in before if name != "runs")
    assert_same_contents(
        contents(warehouse, relations=unchanged, ignore=()), {n: before[n] for n in unchanged}
    )
    assert sorted(p.name for p in folder.iterdir()) == ["w.duckdb", "w.duckdb.run.lock"]  # nothing left

    if mounted:
        resize(folder, 256 * 2**20)
    pipeline(input_dir=str(batches["next"]), warehouse=str(warehouse))
    assert statuses(warehouse) == ["completed", "failed", "completed"]
    assert_same_contents(contents(warehouse), batches["reference"])


# --- arbitrary text through the whole extraction --------------------------------------------------

FRAGMENTS = (
    "地区生产总值", "增长", "下降", "6.5", "5", "%", "个百分点", "万元", "亿元", "万人", "以上", "左右", "以内",
    "力争", "达到", "完成", "目标", "主要预期目标是", "2024年", "今年", "去年", "一、", "(二)", "1.", "。",
    "，", "；", "：", "、", "\n", " ", "“", "”", "《", "》", "—", "五十六", "三分之一", "1/3", "牵头单位:",
    "市发展改革委", "德州市", "聊城市", "第十八届人民代表大会第三次会议", "今年以来", "1—4月份", "\t",
)  # fmt: skip
report_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4), st.characters()), min_size=0, max_size=120
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=report_text)
def test_extraction_never_fails_and_every_span_is_inside_its_document(raw):
    """Any text, through normalization, structure, records, units, clauses and keywords: no
    exception, and every record's span (and every clause's) inside the document's text."""
    from govtargets.flows.batch import extract_records
    from govtargets.transforms.documents import DOCUMENT_SCHEMA, documents_frame
    from govtargets.transforms.normalize import normalize_text
    from govtargets.transforms.structure import document_metadata

    text = normalize_text(raw)
    row = {name: None for name in DOCUMENT_SCHEMA} | {
        "doc_id": "fuzz", "source_name": "fuzz.txt", "source_path": "fuzz.txt", "encoding": "utf-8",
        "script": "simplified", "n_chars": len(text), "text": text, **document_metadata(text),
    }  # fmt: skip
    extracted = extract_records(documents_frame([row]))
    for record in extracted.targets.iter_rows(named=True):
        assert 0 <= record["char_start"] <= record["char_end"] <= len(text), record
    for clause in extracted.clauses.iter_rows(named=True):
        assert 0 <= clause["char_start"] <= clause["char_end"] <= len(text), clause
    for statement in extracted.qualitative.iter_rows(named=True):
        assert 0 <= statement["char_start"] <= len(text), statement


@settings(max_examples=150, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=2000), report_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    suffix=st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx"]),
)
def test_reading_any_bytes_gives_text_or_a_reason(data, suffix):
    """Any bytes, as any format: a document or a RejectedInput with a reason, nothing else."""
    from govtargets.transforms.decode import RejectedInput
    from govtargets.transforms.documents import document_row

    try:
        row = document_row("x" + suffix, data)
    except RejectedInput as rejected:
        assert rejected.reason and rejected.detail
    else:
        assert row["text"] and row["decode_errors"] >= 0

"""Issue 7: batching, runners, duplicates, progress, deployments and `govtargets serve`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT
from govtargets.warehouse import db

# Everything a run loads, compared without what differs by construction between two runs.
CONTENT_TABLES = (
    "documents",
    "document_texts",
    "targets",
    "quarantine",
    "qualitative_targets",
    "target_units",
    "clauses",
    "rejected_files",
    "validation_results",
)
RUN_SPECIFIC = ("run_id", "ingested_at")
# GX's observed values (samples of unexpected rows, proportions) describe one batch each, and a
# warning on a proportion ("most records have an indicator code") is judged batch by batch. What
# must add up to a single batch's are the structural and row-level outcomes and their counts.
BATCH_SPECIFIC = {"validation_results": ("details",)}
WARNING_OUTCOME = ("success", "unexpected_count")


def warehouse_content(warehouse: Path) -> dict[str, pl.DataFrame]:
    con = db.connect(warehouse, read_only=True)
    try:
        content = {}
        for table in CONTENT_TABLES:
            frame = db.query(con, f"select * from {table}")
            frame = frame.drop(
                [c for c in RUN_SPECIFIC if c in frame.columns], *BATCH_SPECIFIC.get(table, ())
            )
            if table == "validation_results":
                warning = pl.col("severity") == "warning"
                frame = frame.with_columns(
                    pl.when(~warning).then(pl.col(c)).alias(c) for c in WARNING_OUTCOME
                )
            content[table] = frame.sort(frame.columns, nulls_last=True)
        return content
    finally:
        con.close()


def assert_same_content(left: Path, right: Path, but: tuple[str, ...] = ()) -> None:
    expected, actual = warehouse_content(left), warehouse_content(right)
    for table in (t for t in CONTENT_TABLES if t not in but):
        assert actual[table].height == expected[table].height, table
        assert actual[table].equals(expected[table]), f"{table} differs"


def test_plan_batches_groups_files_up_to_the_size(tmp_path):
    from govtargets.flows.inputs import plan_batches

    sizes = [300, 300, 500, 1200, 100]
    for number, size in enumerate(sizes):
        (tmp_path / f"{number}.txt").write_bytes(b"x" * size)
    batches = plan_batches(tmp_path, [f"{number}.txt" for number in range(5)], batch_mb=0.001)  # 1000 bytes
    assert [list(b.source_paths) for b in batches] == [
        ["0.txt", "1.txt"],
        ["2.txt"],
        ["3.txt"],
        ["4.txt"],
    ]
    assert [b.number for b in batches] == [0, 1, 2, 3]
    assert list(batches[0].files()) == [(tmp_path / "0.txt", "0.txt"), (tmp_path / "1.txt", "1.txt")]


def test_texts_are_read_back_batch_by_batch_with_their_settled_metadata(tmp_path):
    """The flow keeps metadata only; each batch's texts come back from the run's folder, joined to
    the metadata settled across the run, without the documents set aside (a duplicate)."""
    from govtargets.flows.pipeline import with_texts
    from govtargets.transforms.documents import DOCUMENT_SCHEMA
    from govtargets.warehouse.runfiles import RunFiles

    work = RunFiles(tmp_path / "w.duckdb", tmp_path, None)
    spooled = [
        {"doc_id": ["a", "b"], "source_path": ["1.txt", "2.txt"], "text": ["甲", "乙"]},
        {"doc_id": ["a", "c"], "source_path": ["3.txt", "4.txt"], "text": ["甲", "丙"]},  # 3.txt: a copy
    ]
    for number, texts in enumerate(spooled):
        pl.DataFrame(texts).write_parquet(work.texts(number))
    metadata = {name: dtype for name, dtype in DOCUMENT_SCHEMA.items() if name != "text"}
    settled = pl.DataFrame(
        {"doc_id": ["c", "a", "b"], "source_path": ["4.txt", "1.txt", "2.txt"], "year": [2021, 2020, None]},
        schema_overrides={"year": pl.Int32},
    )
    settled = settled.select(
        [pl.col(n) if n in settled.columns else pl.lit(None, dtype=t).alias(n) for n, t in metadata.items()]
    ).with_columns(ingested_at=pl.lit("now"))
    batches = with_texts(work, list(range(len(spooled))), settled)
    first = next(batches)  # lazily: one batch's texts at a time
    assert first.select("doc_id", "text", "year").rows() == [("a", "甲", 2020), ("b", "乙", None)]
    assert first.columns == [*DOCUMENT_SCHEMA, "ingested_at"]
    assert [b.select("doc_id", "source_path").rows() for b in batches] == [[("c", "4.txt")]]


def test_the_extract_stage_counts_only_batches_with_a_document_left():
    """A batch of only rejected files or copies gives no extraction task: the live display's
    extract stage must still reach its total."""
    from govtargets.flows.pipeline import Ingested, batches_with_documents

    def batch(*keys):
        frame = pl.DataFrame(list(keys), schema={"doc_id": pl.Utf8, "source_path": pl.Utf8}, orient="row")
        return Ingested(frame, pl.DataFrame())

    settled = pl.DataFrame([("a", "1.txt"), ("c", "4.txt")], schema=["doc_id", "source_path"], orient="row")
    ingested = [batch(("a", "1.txt")), batch(("a", "3.txt")), batch(), batch(("c", "4.txt"), ("d", "5.txt"))]
    assert batches_with_documents(ingested, settled) == [0, 3]  # two batches go on


def test_the_flow_submits_no_more_than_its_batches_in_flight(monkeypatch):
    """What the flow holds is bounded by the batches in flight, however many batches a run has,
    and what each finished batch left in reference cycles is collected before the next is taken."""
    from govtargets.flows import pipeline
    from govtargets.flows.pipeline import in_order

    collections = []
    monkeypatch.setattr(pipeline.gc, "collect", lambda: collections.append(len(pending)))

    pending = []
    most = 0

    class Future:
        def __init__(self, value):
            self.value = value

        def result(self):
            pending.remove(self)
            return self.value

    class Runner:
        def submit(self, task, parameters):
            nonlocal most
            pending.append(Future(task(**parameters)))
            most = max(most, len(pending))
            return pending[-1]

    results = in_order(Runner(), lambda n: n * n, ({"n": n} for n in range(50)), in_flight=3)
    assert list(results) == [n * n for n in range(50)]
    assert most == 3 and not pending
    # once between two batches: none before the first (a collection costs ~0.2-0.4 s in a big process)
    assert len(collections) == 49


def test_a_run_collects_only_what_it_made_and_thaws_the_rest_after():
    """While a run works, what existed before it (the imports) is out of the cycle collector's
    way; what the run itself leaves in cycles is still collected; afterwards nothing stays frozen."""
    import gc
    import weakref

    from govtargets.expectations import validate  # noqa: F401 - imported: the run's own import makes nothing
    from govtargets.flows.pipeline import collections_skipping_imports

    class Node:
        pass

    def cycle() -> weakref.ref:
        node = Node()
        node.itself = node
        return weakref.ref(node)

    frozen_before = gc.get_freeze_count()
    gc.disable()  # no automatic collection between making the first cycle and the run's start
    try:
        before_the_run = cycle()
        with collections_skipping_imports():
            assert gc.get_freeze_count() > frozen_before
            made_by_the_run = cycle()
            gc.collect()
            assert made_by_the_run() is None  # collected
            assert before_the_run() is not None  # frozen: not even looked at
    finally:
        gc.enable()
    assert gc.get_freeze_count() == frozen_before
    gc.collect()
    assert before_the_run() is None


def test_a_worker_on_this_machine_stages_its_clauses_and_leaves_the_rest_in_the_runs_folder(tmp_path):
    """Clauses go to the warehouse as extracted: a worker that can reach the run's folder stages
    them itself, leaves the other frames there and sends back where they are (no frames pickled);
    the flow reads back the records a worker without the folder would have sent, and removes them."""
    from conftest import SAMPLE_CORPUS
    from govtargets.flows.batch import Extracted
    from govtargets.flows.pipeline import extract_batch, taken_from_folder
    from govtargets.transforms.documents import document_row, documents_frame
    from govtargets.warehouse import runfiles

    path = min(SAMPLE_CORPUS.glob("*.txt"))
    documents = documents_frame([document_row(path.name, path.read_bytes())])
    work = runfiles.RunFiles(tmp_path / "w.duckdb", tmp_path / "w.duckdb.work", None)
    sent = extract_batch.fn(3, documents, "run-id", work)
    whole = extract_batch.fn(3, documents, "run-id", None)  # a worker that cannot reach the folder
    assert sent == work.extracted(3) and sent.is_dir()
    assert taken_from_folder(whole) is whole
    taken = taken_from_folder(sent)
    assert not sent.exists()  # read once, then gone: the run's folder does not grow with the run
    assert not whole.clauses.is_empty()
    assert pl.read_parquet(work.staging / "clauses" / "batch-0003.parquet").equals(whole.clauses)
    assert taken.clauses.is_empty() and taken.clauses.schema == whole.clauses.schema
    for name in ("documents", "targets", "qualitative", "units", "keywords"):
        assert getattr(taken, name).equals(getattr(whole, name)), name
        assert getattr(taken, name).schema == getattr(whole, name).schema, name
    assert isinstance(taken, Extracted)


@pytest.mark.parametrize(
    ("runner", "address", "shared"),
    [("process", None, True), ("dask", None, True), ("dask", "tcp://10.0.0.7:8786", False)],
)
def test_only_workers_on_this_machine_are_given_the_runs_folder(tmp_path, runner, address, shared):
    from govtargets.flows.pipeline import Settings

    settings = Settings(tmp_path, tmp_path / "w.duckdb", tmp_path, False, 4.0, None, runner, 2, address)
    assert settings.workers_share_disk is shared


def test_a_run_id_is_never_all_digits_which_data_docs_would_read_as_a_time(monkeypatch, tmp_path):
    import uuid

    from govtargets.expectations.data_docs import build_data_docs
    from govtargets.flows import pipeline

    drawn = iter([uuid.UUID("82254028112447405e0b6f1a2c3d4e5f"), uuid.UUID("8225402811244a40" + "0" * 16)])
    with monkeypatch.context() as patched:  # uuid4 is the module's: GX draws ids too
        patched.setattr(pipeline.uuid, "uuid4", lambda: next(drawn))
        assert pipeline.new_run_id() == "8225402811244a40"  # the all-digit draw is not used
    # why: GX renders no result page for a run named by a long number
    from govtargets.expectations.validate import validate_documents

    documents = pl.DataFrame({"doc_id": ["a"]})
    results = validate_documents(documents).suite_results
    for name, pages in (("8225402811244740", 0), ("8225402811244a40", 1)):
        index = build_data_docs(tmp_path / name, name, results)
        assert len(list((index.parent / "validations").glob(f"*/{name}/*/*.html"))) == pages


def test_duplicate_files_are_set_aside_naming_the_first():
    from govtargets.transforms.documents import split_duplicates

    documents = pl.DataFrame({"doc_id": ["x", "y", "x"], "path": ["b/2.txt", "a.txt", "a/1.txt"]})
    unique, duplicates = split_duplicates(documents)
    assert sorted(unique["path"].to_list()) == ["a.txt", "a/1.txt"]
    assert duplicates.to_dicts() == [
        {"path": "b/2.txt", "doc_id": "x", "reason": "duplicate", "detail": "same bytes as a/1.txt"}
    ]


@pytest.fixture(scope="module")
def batched_run(sample_run, tmp_path_factory) -> dict:
    """The sample corpus and a copy of one of its files, one file per batch, into the warehouse
    $GOVTARGETS_WAREHOUSE names (the flow's default, as the CLI's), its progress recorded."""
    from govtargets.flows import progress
    from govtargets.flows.pipeline import pipeline

    root = tmp_path_factory.mktemp("batched")
    corpus = root / "corpus"
    shutil.copytree(sample_run["corpus"], corpus)
    original = min(corpus.glob("*.txt"))
    shutil.copy(original, corpus / "zz_copy.txt")
    warehouse = root / "batched.duckdb"
    snapshots: list[progress.Snapshot] = []
    with pytest.MonkeyPatch.context() as patch, progress.watching(snapshots.append):
        patch.setenv(db.WAREHOUSE_ENV, str(warehouse))
        summary = pipeline(input_dir=str(corpus), batch_mb=0.001)
    return {
        "summary": summary,
        "warehouse": warehouse,
        "snapshots": snapshots,
        "corpus": corpus,
        "original": original,
    }


def test_one_file_per_batch_gives_the_same_warehouse(sample_run, batched_run):
    """Many batches (years inferred across them, validation results summed over them, progress
    reported as they land) load exactly what one batch loads, the copy aside. The flow's default
    warehouse is $GOVTARGETS_WAREHOUSE, as the CLI's is."""
    from govtargets.flows import progress

    summary, warehouse = batched_run["summary"], batched_run["warehouse"]
    assert summary["documents"] == 5 and summary["warehouse"] == str(warehouse)
    assert summary["elapsed_seconds"] > 0
    assert_same_content(sample_run["warehouse"], warehouse, but=("rejected_files",))
    seen = [(s.files_done, s.files_total) for s in batched_run["snapshots"]]
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    # each stage advances one batch at a time, from none to all of its batches (the copy is set
    # aside when the run plans what to read: its bytes are those of a file planned before it)
    for stage, batches in ((progress.INGEST, 5), (progress.EXTRACT, 5)):
        counts = [
            (st.done, st.total) for s in batched_run["snapshots"] for st in s.stages if st.name == stage
        ]
        done = list(dict.fromkeys(d for d, _ in counts))
        assert done == list(range(counts[-1][1] + 1)) and counts[-1][1] == batches, stage


def test_a_copied_file_is_rejected_as_a_duplicate(batched_run):
    summary, corpus = batched_run["summary"], batched_run["corpus"]
    assert summary["documents"] == 5 and summary["rejected"] == 1
    con = db.connect(batched_run["warehouse"], read_only=True)
    rejected = db.query(con, "select path, reason, detail from rejected_files").to_dicts()
    con.close()
    assert rejected == [
        {
            "path": str(corpus / "zz_copy.txt"),
            "reason": "duplicate",
            "detail": f"same bytes as {batched_run['original']}",
        }
    ]


def test_dask_runner_gives_the_same_warehouse(sample_run, tmp_path):
    from govtargets.flows.pipeline import pipeline

    warehouse = tmp_path / "dask.duckdb"
    summary = pipeline(
        input_dir=str(sample_run["corpus"]), warehouse=str(warehouse), batch_mb=0.05, runner="dask", workers=2
    )
    assert summary["documents"] == 5
    assert_same_content(sample_run["warehouse"], warehouse)


def test_deployments_in_prefect_yaml_register_with_their_schedules(prefect_harness, tmp_path):
    """`prefect deploy --all`, as a user runs it, against the test server."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    env = {**os.environ, "PREFECT_API_URL": api_url}
    prefect = Path(sys.executable).with_name("prefect")
    subprocess.run(
        [str(prefect), "work-pool", "create", "govtargets-process", "--type", "process"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    deployed = subprocess.run(
        [str(prefect), "--no-prompt", "deploy", "--all"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    with get_client(sync_client=True) as client:
        daily = client.read_deployment_by_name("pipeline/daily-incremental")
        full = client.read_deployment_by_name("pipeline/full-reextract")
    assert daily.work_pool_name == "govtargets-process"
    assert [(s.schedule.cron, s.schedule.timezone) for s in daily.schedules] == [
        ("0 6 * * *", "Asia/Shanghai")
    ]
    assert daily.parameters == {
        "input_dir": "samples/corpus",
        "warehouse": "data/govtargets.duckdb",
        "full_refresh": False,
    }
    assert full.schedules == [] and full.parameters["full_refresh"] is True
    assert daily.entrypoint == full.entrypoint == "flows/pipeline.py:pipeline"


def test_serve_runs_the_declared_deployments(prefect_harness, tmp_path):
    """`govtargets serve` registers prefect.yaml's deployments and stays up to run them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.settings import PREFECT_API_URL

    warehouse = tmp_path / "served.duckdb"
    govtargets = Path(sys.executable).with_name("govtargets")
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    served = subprocess.Popen(
        [str(govtargets), "serve", "--warehouse", str(warehouse)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        names = DeploymentFilter(name=DeploymentFilterName(any_=["daily-incremental", "full-reextract"]))
        deployments = []
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while time.monotonic() < deadline and served.poll() is None:
                deployments = client.read_deployments(deployment_filter=names)
                if sum(d.parameters.get("warehouse") == str(warehouse.resolve()) for d in deployments) == 2:
                    break
                time.sleep(1)
        assert served.poll() is None, served.communicate()[0]
        assert len(deployments) == 2
        by_name = {d.name: d for d in deployments}
        daily = by_name["daily-incremental"]
        assert [s.schedule.cron for s in daily.schedules] == ["0 6 * * *"]
        assert daily.parameters["warehouse"] == str(warehouse.resolve())
        assert daily.parameters["input_dir"] == str(ROOT / "samples" / "corpus")
        assert by_name["full-reextract"].parameters["full_refresh"] is True
    finally:
        served.terminate()
        served.wait(timeout=60)


@pytest.mark.parametrize("bad", [["--runner", "spark"], ["--dask-address", "tcp://127.0.0.1:1"]])
def test_run_rejects_a_bad_runner_choice(bad, tmp_path):
    from govtargets.flows.cli import app
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["run", "--warehouse", str(tmp_path / "w.duckdb"), *bad])
    assert result.exit_code == 2


def test_an_empty_input_folder_is_a_run_that_loads_nothing(prefect_harness, tmp_path):
    from govtargets.flows.pipeline import pipeline

    (tmp_path / "empty").mkdir()
    summary = pipeline(input_dir=str(tmp_path / "empty"), warehouse=str(tmp_path / "w.duckdb"))
    assert (summary["files"], summary["documents"], summary["records"]) == (0, 0, 0)


def test_a_run_of_one_batch_works_in_the_flows_process_and_more_batches_in_workers(tmp_path):
    """Worker processes cost seconds of imports before their first task: a single batch does not
    pay them. The runner and the number of workers come from the flow's parameters."""
    from govtargets.flows.pipeline import Settings, batch_task_runner
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    def settings(runner: str) -> Settings:
        return Settings(tmp_path, tmp_path / "w.duckdb", tmp_path, False, 4.0, None, runner, 3, None)

    assert isinstance(batch_task_runner(settings("process"), n_batches=1), ThreadPoolTaskRunner)
    many = batch_task_runner(settings("process"), n_batches=2)
    assert isinstance(many, ProcessPoolTaskRunner) and settings("process").in_flight == 6
    assert type(batch_task_runner(settings("dask"), n_batches=1)).__name__ == "DaskTaskRunner"


@pytest.fixture(scope="module")
def modules_of_the_flow() -> list[str]:
    """The modules a fresh process holds once it has imported the flow module, as a worker does
    (Prefect sends it the flow) and as the flow's own process does."""
    script = (
        "import json, sys; import govtargets.flows.pipeline as pipeline; "
        "assert pipeline.ingest_batch and pipeline.extract_batch and pipeline.start_worker; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_worker_process_imports_no_great_expectations(modules_of_the_flow):
    """Workers import the flow module (Prefect sends them the flow) and validate nothing: it must
    leave GX (~250 MB and ~4 s in every worker) to the flow's process, which validates."""
    assert [m for m in modules_of_the_flow if m.split(".")[0] in ("great_expectations", "pandas")] == []


def test_the_flow_module_loads_no_jieba_table_it_does_not_use(modules_of_the_flow):
    """jieba.posseg's tag table (~50 MB) and jieba.analyse's TF-IDF table (~47 MB) are not loaded
    by importing the flow (nor, below, by extracting: the project reads jieba's files itself)."""
    assert [m for m in ("jieba.posseg", "jieba.analyse") if m in modules_of_the_flow] == []


def test_a_workers_extraction_loads_neither_jieba_posseg_nor_jieba_analyse(tmp_path):
    """A worker tags with the tag table read from jieba's dictionary (lexicon.py) and weighs
    keywords with jieba's IDF file read into a frame (keywords.py): importing jieba.posseg or
    jieba.analyse would load their own copies again (~50 and ~47 MB in every worker)."""
    from conftest import SAMPLE_CORPUS

    script = (
        "import json, sys; from pathlib import Path; "
        "from govtargets.flows.batch import extract_records; "
        "from govtargets.transforms.documents import document_row, documents_frame; "
        f"path = min(Path({str(SAMPLE_CORPUS)!r}).glob('*.txt')); "
        "extracted = extract_records(documents_frame([document_row(path.name, path.read_bytes())])); "
        "assert extracted.targets.height and extracted.keywords.height; "
        "print(json.dumps([m for m in ('jieba.posseg', 'jieba.analyse') if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []

"""Shared fixtures: one Prefect test server per session, one pipeline run on the sample corpus."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = ROOT / "samples" / "corpus"
SAMPLE_GOLD = ROOT / "samples" / "gold"

# Prefect keeps its database and settings under PREFECT_HOME: never the user's. Each pytest-xdist
# worker has its own: the temporary servers of the CLI runs tests start keep their database there,
# and two servers on one SQLite file lock each other out.
os.environ["PREFECT_HOME"] = str(
    Path(os.environ.get("PREFECT_HOME") or tempfile.mkdtemp(prefix="govtargets-prefect-"))
    / os.environ.get("PYTEST_XDIST_WORKER", "")
)
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def cli_prefect_home(tmp_path_factory) -> Path:
    """The PREFECT_HOME of the `govtargets` commands tests start as subprocesses (each starts its
    own temporary Prefect server, one at a time in a pytest process): shared, so that only the first
    creates and migrates the server's database (~10 s)."""
    return tmp_path_factory.mktemp("cli-prefect-home")


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """A copy of the sample corpus's report files (tests may add files to their own copies)."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in SAMPLE_CORPUS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def sample_run(prefect_harness, sample_corpus, tmp_path_factory) -> dict:
    """The `pipeline` flow run once on the sample corpus into a fresh warehouse."""
    from govtargets.flows.pipeline import pipeline

    warehouse = tmp_path_factory.mktemp("warehouse") / "govtargets.duckdb"
    summary = pipeline(input_dir=str(sample_corpus), warehouse=str(warehouse))
    return {"summary": summary, "warehouse": warehouse, "corpus": sample_corpus}


def read_gold(name: str) -> list[dict]:
    import json

    return [
        json.loads(line) for line in (SAMPLE_GOLD / name).read_text(encoding="utf-8").splitlines() if line
    ]


@contextlib.contextmanager
def run_lock_held_elsewhere(warehouse: Path):
    """The warehouse's run lock held by another process, as a run would hold it (a process's own
    lock is re-entrant, so holding it here would not keep this process's runs out)."""
    script = (
        "import sys, time; from pathlib import Path; from govtargets.warehouse import db\n"
        "with db.run_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


# --- what a warehouse holds, to compare two of them -------------------------------------------------

DATA_TABLES = (
    "documents",
    "targets",
    "quarantine",
    "qualitative_targets",
    "target_units",
    "document_texts",
    "clauses",
    "document_keywords",
    "rejected_files",
)
VIEWS = ("current_documents", "headline_targets", "target_vs_achievement", "unit_workload", "doc_keywords")
RUN_COLUMNS = ("run_id", "ingested_at")  # differ between runs by design


def contents(warehouse, relations=DATA_TABLES + VIEWS, ignore=RUN_COLUMNS) -> dict:
    """Every row of every relation, in a canonical order, without the columns that name the run."""
    from govtargets.warehouse import db

    con = db.connect(warehouse, read_only=True)
    try:
        frames = {
            name: db.query(con, f"select * from {name}").drop(ignore, strict=False) for name in relations
        }
    finally:
        con.close()
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in frames.items()}


def assert_same_contents(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for name, frame in left.items():
        assert frame.equals(right[name]), f"{name} differs"


def small_corpus(sample_corpus, folder, names=("000", "001")):
    folder.mkdir()
    for path in sorted(sample_corpus.glob("*.txt")):
        if path.name[:3] in names:
            shutil.copy(path, folder / path.name)
    return folder

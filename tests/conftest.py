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

# Prefect keeps its database and settings under PREFECT_HOME: never the user's.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="govtargets-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


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

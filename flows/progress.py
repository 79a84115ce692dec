"""How far a run is, for whoever watches: a Prefect progress artifact for the UI, and listeners
the CLI registers to drive its live display (the flow runs in the CLI's own process).

A run has stages that work batch by batch (ingest, then extract & validate); each finished batch
advances its stage, and the files it finishes advance the file count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prefect.artifacts import create_progress_artifact, update_progress_artifact

INGEST = "ingest"
EXTRACT = "extract & validate"


@dataclass(frozen=True)
class Stage:
    name: str
    done: int
    total: int


@dataclass(frozen=True)
class Snapshot:
    """Where the run is: files done of all files, and each stage's batches done of its batches."""

    files_done: int
    files_total: int
    stages: tuple[Stage, ...]


Listener = Callable[[Snapshot], None]


@dataclass
class _Progress:
    total: int = 0
    done: int = 0
    stages: dict[str, list[int]] = field(default_factory=dict)  # name -> [done, total]
    artifact_id: object = None

    def snapshot(self) -> Snapshot:
        stages = tuple(Stage(name, done, total) for name, (done, total) in self.stages.items())
        return Snapshot(self.done, self.total, stages)


_current = _Progress()
_listeners: list[Listener] = []
_worker_logs: list = []  # queues that worker processes send their console log records to


@contextmanager
def watching(listener: Listener, worker_logs=None) -> Iterator[None]:
    """Call `listener(snapshot)` whenever the run in this process makes progress; worker_logs: a
    queue (multiprocessing manager's) for worker processes' console log records, so that they
    appear above the watcher's live display (flows/terminal.py) instead of through it."""
    _listeners.append(listener)
    if worker_logs is not None:
        _worker_logs.append(worker_logs)
    try:
        yield
    finally:
        _listeners.remove(listener)
        if worker_logs is not None:
            _worker_logs.remove(worker_logs)


def worker_logs():
    """The queue worker processes of a run in this process send console logs to, or None."""
    return _worker_logs[-1] if _worker_logs else None


def start(total_files: int) -> None:
    _current.total, _current.done, _current.stages = total_files, 0, {}
    _current.artifact_id = create_progress_artifact(
        progress=0.0, key="pipeline-progress", description="Input files processed (%)"
    )
    _notify()


def plan(stage: str, batches: int) -> None:
    """The stage will work in `batches` batches."""
    _current.stages[stage] = [0, batches]
    _notify()


def batch_done(stage: str, files: int = 0) -> None:
    """One batch of the stage is finished, and with it `files` files are done."""
    counts = _current.stages[stage]
    counts[0] = min(counts[1], counts[0] + 1)
    advance(files)


def advance(files: int) -> None:
    _current.done = min(_current.total, _current.done + files)
    if files and _current.artifact_id is not None and _current.total:
        update_progress_artifact(_current.artifact_id, progress=100.0 * _current.done / _current.total)
    _notify()


def finish() -> None:
    _current.artifact_id = None


def _notify() -> None:
    snapshot = _current.snapshot()
    for listener in _listeners:
        listener(snapshot)

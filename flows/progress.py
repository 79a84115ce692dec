"""How far a run is, for whoever watches: a Prefect progress artifact for the UI, and a callback
the CLI registers to drive its rich progress bar (the flow runs in the CLI's own process)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prefect.artifacts import create_progress_artifact, update_progress_artifact

Listener = Callable[[int, int], None]  # (files done, files in all)


@dataclass
class _Progress:
    total: int = 0
    done: int = 0
    artifact_id: object = None


_current = _Progress()
_listeners: list[Listener] = []


@contextmanager
def watching(listener: Listener) -> Iterator[None]:
    """Call `listener(done, total)` whenever the run in this process makes progress."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def start(total_files: int) -> None:
    _current.total, _current.done = total_files, 0
    _current.artifact_id = create_progress_artifact(
        progress=0.0, key="pipeline-progress", description="Input files processed (%)"
    )
    _notify()


def advance(files: int) -> None:
    _current.done = min(_current.total, _current.done + files)
    if _current.artifact_id is not None and _current.total:
        update_progress_artifact(_current.artifact_id, progress=100.0 * _current.done / _current.total)
    _notify()


def finish() -> None:
    _current.artifact_id = None


def _notify() -> None:
    for listener in _listeners:
        listener(_current.done, _current.total)

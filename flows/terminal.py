"""What a command shows on stderr: the log level, and for `run` on a terminal one live progress
display with the log lines printed above it by rich's logging handler.

A live display owns the terminal's last lines, so nothing may write to the terminal behind its
back: the Prefect console handler of this process is swapped for a RichHandler on the display's
console, and worker processes (which have their own) send their records over a queue to that
same handler instead of writing to the inherited stderr.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from logging.handlers import QueueHandler, QueueListener
from typing import Self

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
QUIET_LEVEL = "WARNING"
# Prefect's logging.yml: its loggers' level, and its console handler's, for processes started later
# (worker processes, the temporary server) — PREFECT_LOGGING_[PATH]_[TO]_[KEY] overrides an item.
PREFECT_LEVEL_ENV = "PREFECT_LOGGING_LEVEL"
PREFECT_CONSOLE_LEVEL_ENV = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
# The loggers logging.yml gives ${PREFECT_LOGGING_LEVEL}; the others inherit from `prefect`.
PREFECT_LOGGERS = ("prefect", "prefect.extra", "prefect.client", "prefect.infrastructure")
# Loggers of a worker process that write to its stderr (prefect._internal does not propagate).
CONSOLE_LOGGERS = ("", "prefect._internal")
# The line a Prefect console handler writes, less the time and level RichHandler puts in columns.
FORMAT = "%(name)s - %(message)s"
FLOW_RUN_FORMAT = "Flow run %(flow_run_name)r - %(message)s"
TASK_RUN_FORMAT = "Task run %(task_run_name)r - %(message)s"


# ------------------------------------------------------------------------------------ log level


@contextmanager
def log_level(level: str) -> Iterator[None]:
    """Show log records from `level` up on stderr, in this process and in those it starts, until
    the block ends (see set_log_level)."""
    undo = set_log_level(level)
    try:
        yield
    finally:
        undo()


def set_log_level(level: str) -> Callable[[], None]:
    """Show log records from `level` up on stderr, in this process and in those it starts; returns
    what undoes it.

    Prefect's loggers log from INFO, or from `level` when that is lower (DEBUG): the Prefect server
    and its UI keep a run's INFO lines whatever the console shows; the console handlers filter."""
    number = logging.getLevelNamesMapping()[level]
    logger_level = min(number, logging.INFO)
    saved_env = {name: os.environ.get(name) for name in (PREFECT_LEVEL_ENV, PREFECT_CONSOLE_LEVEL_ENV)}
    saved_levels = {name: logging.getLogger(name).level for name in PREFECT_LOGGERS}
    handlers = [handler for _, handler in console_handlers()]
    saved_handler_levels = [handler.level for handler in handlers]
    os.environ[PREFECT_CONSOLE_LEVEL_ENV] = level
    for handler in handlers:
        handler.setLevel(number)
    os.environ[PREFECT_LEVEL_ENV] = logging.getLevelName(logger_level)
    for name in PREFECT_LOGGERS:
        logging.getLogger(name).setLevel(logger_level)

    def undo() -> None:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, saved in saved_levels.items():
            logging.getLogger(name).setLevel(saved)
        for handler, saved in zip(handlers, saved_handler_levels, strict=True):
            handler.setLevel(saved)

    return undo


def console_handlers() -> list[tuple[logging.Logger, logging.Handler]]:
    """(logger, handler) for each handler that writes this process's log records to its stderr."""
    return [
        (logger, handler)
        for logger in map(logging.getLogger, CONSOLE_LOGGERS)
        for handler in logger.handlers
        if _writes_to_console(handler)
    ]


def _writes_to_console(handler: logging.Handler) -> bool:
    if type(handler).__name__ == "PrefectConsoleHandler":  # whatever stream it was given
        return True
    return (
        isinstance(handler, logging.StreamHandler)
        and not isinstance(handler, logging.FileHandler)
        and handler.stream in (sys.stderr, sys.__stderr__)
    )


# ------------------------------------------------------------------------ logs above the display


def rich_log_handler(console: Console, level: int) -> RichHandler:
    """Prefect's console lines (`Task run 'ingest-batch-0000' - …`), time and level in columns."""
    from prefect.logging.formatters import PrefectFormatter

    handler = RichHandler(
        level=level, console=console, show_path=False, markup=False, log_time_format="%H:%M:%S"
    )
    handler.setFormatter(PrefectFormatter(FORMAT, flow_run_fmt=FLOW_RUN_FORMAT, task_run_fmt=TASK_RUN_FORMAT))
    return handler


@contextmanager
def logs_above(console: Console) -> Iterator[queue.Queue]:
    """Log records of this process and of worker processes go to one RichHandler on `console`.

    Yields the queue that worker processes send their records to (see send_console_logs_to)."""
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()  # Prefect's own handlers must exist before they can be swapped out
    replaced = console_handlers()
    level = min((handler.level for _, handler in replaced), default=logging.NOTSET)
    handler = rich_log_handler(console, level)
    # the root logger gets it even without a console handler to replace (logging set up by someone else)
    receivers = dict.fromkeys([logging.getLogger(), *(logger for logger, _ in replaced)])
    for logger in receivers:
        logger.addHandler(handler)
    for logger, old in replaced:
        logger.removeHandler(old)
    # A manager's queue, not a multiprocessing.Queue: Prefect pickles the flow's context, task
    # runner and worker initargs included, for every task it submits, and only a proxy pickles.
    manager = multiprocessing.get_context("spawn").Manager()
    records = manager.Queue()
    listener = QueueListener(records, handler, respect_handler_level=True)
    listener.start()
    try:
        yield records
    finally:
        listener.stop()  # the records still queued are handled first
        manager.shutdown()
        for logger in receivers:
            logger.removeHandler(handler)
        for logger, old in replaced:
            logger.addHandler(old)


def send_console_logs_to(records: queue.Queue) -> None:
    """In a worker process: what would be written to its stderr goes to the flow's process."""
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()
    forward = QueueHandler(records)
    for logger, handler in console_handlers():
        logger.removeHandler(handler)
        if forward not in logger.handlers:
            logger.addHandler(forward)


# ------------------------------------------------------------------------------- live progress


class RunDisplay:
    """One live display of a run: a row per stage that advances per batch, and the files done."""

    def __init__(self, console: Console):
        self.progress = Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[what]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.rows: dict[str, TaskID] = {}

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.progress.stop()

    def update(self, snapshot) -> None:
        """A progress.Snapshot of the run: each stage's batches, then the files done."""
        rows = [(stage.name, stage.done, stage.total, "batches") for stage in snapshot.stages]
        rows.append(("files", snapshot.files_done, snapshot.files_total, "files"))
        for name, done, total, what in rows:
            if name not in self.rows:
                self.rows[name] = self.progress.add_task(name, total=total, what=what)
            self.progress.update(self.rows[name], completed=done, total=total)

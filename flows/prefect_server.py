"""The temporary Prefect API server a command starts when no server is configured.

Prefect starts such a server itself (`SubprocessASGIServer` in prefect.server.api.server), but
only after importing its whole server application in the calling process: 2.3 s of CPU on the core
where the CLI is importing the flow meanwhile, and a server left running by a run killed with -9.
So the CLI starts it itself, as Prefect does (the same uvicorn command and settings, Prefect 3.8):
at once, in a process that the kernel stops when the CLI dies, while this process imports the
flow. The CLI's start-up before the flow can begin: 8.3 s -> 5.0 s (a two-file run, two cores).
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

STARTUP_TIMEOUT = 90  # seconds; Prefect waits 20 by default, too short on a busy two-core machine
STOP_TIMEOUT = 5  # seconds for a graceful stop before the server is killed
# Runs a command so that the kernel sends it SIGTERM when the process that started it dies, however
# it dies (kill -9 included): prctl(PR_SET_PDEATHSIG) survives exec. Arguments: that process's pid,
# then the command.
DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys; ctypes.CDLL(None).prctl(1, signal.SIGTERM); "
    "os.getppid() == int(sys.argv[1]) or sys.exit(1); os.execv(sys.argv[2], sys.argv[2:])"
)
# What Prefect sets for its temporary server (SubprocessASGIServer._run_uvicorn_command): no UI,
# and the ephemeral server's services only (it records task runs).
EPHEMERAL_SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryServer:
    """A Prefect API server on a free local port, for the life of this process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float) -> None:
        """Start the server and wait until it answers."""
        import prefect
        from prefect.settings import get_current_settings

        command = [
            sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
            "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
            "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip
        env = (
            # its telemetry can only fail on a machine without internet access, with an error in every
            # log; a setting of the user's wins
            {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
            | os.environ
            | EPHEMERAL_SERVER_ENV
            | get_current_settings().to_environment_variables(exclude_unset=True)
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", DIE_WITH_PARENT, str(os.getpid()), *command], env=env
        )
        # Registered after Prefect's own exit handlers: it stops after Prefect has sent it its logs.
        atexit.register(self.stop)
        self._wait_until_ready(timeout)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"the temporary Prefect server exited with code {self.process.returncode}"
                    )
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"the temporary Prefect server did not answer within {timeout:.0f} s "
            "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS sets the wait)"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextmanager
def prefect_api() -> Iterator[bool]:
    """Without a configured Prefect server, start one temporary server for the whole command and
    point every process at it (otherwise each worker process would start a server of its own).
    Yields whether it started one."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL"):
        yield False
        return
    server = TemporaryServer()
    server.start(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", STARTUP_TIMEOUT)))
    # Every process and thread must use it: the workers inherit the environment; Prefect's own
    # threads here (its events and logs workers) read the global settings, made from the
    # environment when Prefect was imported; this thread may be in a settings context already.
    # A thread left without the address would start a temporary server of its own.
    os.environ["PREFECT_API_URL"] = server.api_url
    refresh_global_settings_context()
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield True

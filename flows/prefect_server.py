"""The temporary Prefect API server a command starts when no server is configured.

Prefect starts such a server itself (`SubprocessASGIServer` in prefect.server.api.server), but
only after importing its whole server application in the calling process: 2.3 s of CPU on the core
where the CLI is importing the flow meanwhile, and a server left running by a run killed with -9.
So the CLI starts it itself, as Prefect does (the same uvicorn command and settings, Prefect 3.8):
at once, in a process that the kernel stops when the CLI dies, while this process imports the
flow. The CLI's start-up before the flow can begin: 8.3 s -> 5.0 s (a two-file run, two cores).
`govtargets run` starts it before it imports Prefect at all (`spawn_unless_configured`), ~1.5 s
sooner: it answers when the CLI's imports are done.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

# prefect's package folder's parent, found without importing prefect (~1.5 s): uvicorn's --app-dir
PREFECT_PARENT_FOLDER = Path(importlib.util.find_spec("prefect").origin).parent.parent

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

    def spawn(self, settings_env: dict[str, str] | None = None) -> TemporaryServer:
        """Start the server's process and return at once; `wait_until_ready` waits for it to answer.
        settings_env: Prefect settings this process holds beyond its environment and profile,
        which the server reads itself."""
        command = [
            sys.executable, "-m", "uvicorn", "--app-dir", str(PREFECT_PARENT_FOLDER),
            "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
            "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip
        env = (
            # its telemetry can only fail on a machine without internet access, with an error in every
            # log; a setting of the user's wins
            {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
            | os.environ
            | EPHEMERAL_SERVER_ENV
            | (settings_env or {})
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", DIE_WITH_PARENT, str(os.getpid()), *command], env=env
        )
        # Registered after Prefect's own exit handlers: it stops after Prefect has sent it its logs.
        atexit.register(self.stop)
        return self

    def wait_until_ready(self, timeout: float) -> None:
        """Wait until the server answers; stop it and raise if it does not within `timeout` s."""
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


def spawn_unless_configured() -> TemporaryServer | None:
    """A temporary server, started now (it takes ~5 s to answer, on the other core, while this
    process imports Prefect and the flow), unless the environment names a server. A server named
    only in a Prefect profile is known once Prefect is imported: `prefect_api` then stops this one."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    # Nothing in this process has changed a Prefect setting yet (Prefect is not imported): the
    # server reads the same environment and profile as this process would.
    return TemporaryServer().spawn()


@contextmanager
def prefect_api(spawned: TemporaryServer | None = None) -> Iterator[bool]:
    """Without a configured Prefect server, one temporary server for the whole command (`spawned`
    if the command started it early, else started here), every process pointed at it (otherwise
    each worker process would start a server of its own). Yields whether it is a temporary server."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    if PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL"):
        if spawned is not None:
            spawned.stop()  # a profile names a server
        yield False
        return
    server = spawned or TemporaryServer().spawn(
        get_current_settings().to_environment_variables(exclude_unset=True)
    )
    server.wait_until_ready(
        float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", STARTUP_TIMEOUT))
    )
    # Every process and thread must use it: the workers inherit the environment; Prefect's own
    # threads here (its events and logs workers) read the global settings, made from the
    # environment when Prefect was imported; this thread may be in a settings context already.
    # A thread left without the address would start a temporary server of its own.
    os.environ["PREFECT_API_URL"] = server.api_url
    refresh_global_settings_context()
    # No flow run heartbeats: they let a server mark a run whose process died as crashed, and this
    # server dies with the process; ending a flow waits up to a second for the heartbeat thread.
    updates = {PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    with temporary_settings(updates=updates):
        yield True

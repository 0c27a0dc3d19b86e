"""A moto server on loopback, started and stopped by PID (same approach as runtime/tests/servers.py).

The server binds 127.0.0.1 on a free port, logs to a temporary directory, is waited for with a
bounded readiness check and is always stopped (terminate, then kill) when the context exits.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
READY_TIMEOUT = 30.0


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM the server if the test process dies without teardown."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        with contextlib.suppress(OSError), open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-chars:]
        return ""

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def enforce_iam(self) -> None:
        """From the next request on, moto authenticates and authorizes every request against IAM.

        ``POST /moto-api/reset-auth`` with ``0`` sets INITIAL_NO_AUTH_ACTION_COUNT to 0 and resets
        the request counter (moto's own API, not an AWS call).
        """
        # text/plain: with urllib's default form content type the server parses the body as a form
        # and moto finds it empty (HTTP 500).
        request = urllib.request.Request(
            self.url + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request, timeout=10).close()


@contextlib.contextmanager
def moto_server(initial_no_auth_action_count: int) -> Iterator[Server]:
    work_dir = tempfile.mkdtemp(prefix="xcomkit-e2e-moto-")
    port = free_port()
    log_path = os.path.join(work_dir, "moto.log")
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(initial_no_auth_action_count)}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=work_dir,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
    server = Server(port, process, log_path)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if not server.running:
                raise RuntimeError(f"moto exited early:\n{server.log_tail()}")
            try:
                urllib.request.urlopen(server.url + "/moto-api/", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError as err:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto not ready on {server.url} after {READY_TIMEOUT}s: {err}") from err
                time.sleep(0.2)
        yield server
    finally:
        server.stop()
        shutil.rmtree(work_dir, ignore_errors=True)

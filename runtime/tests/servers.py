"""Real storage servers on loopback, started and stopped by PID for the tests.

Each server binds 127.0.0.1 on a free port, keeps its data in a temporary directory, is waited for
with a bounded readiness check and is always stopped in teardown (terminate, then kill). Its log is
kept for the secret scan before the directory is removed (:func:`keep_logs`).
"""

from __future__ import annotations

import contextlib
import os
import re
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

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
AZURITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"
READY_TIMEOUT = 30.0
# werkzeug's access log line: 127.0.0.1 - - [date] "PUT /bucket/key HTTP/1.1" 200 -
_REQUEST_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.[01]" \d{3}')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Azurite's well-known development account (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# Where the tests keep the logs they write into temporary directories, for the secret scan
# (scripts/test.sh sets it to out/test-logs/<suite>; unset, nothing is kept).
LOG_DIR_VAR = "XCOMKIT_TEST_LOG_DIR"
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_.=-]+")


def keep_logs(source: str | os.PathLike, label: str) -> Path | None:
    """Copies every ``*.log`` file below ``source`` (or ``source`` itself, a file) to
    ``$XCOMKIT_TEST_LOG_DIR/<label>/`` with its relative path, before the temporary directory that
    holds it is removed: server logs, Airflow task logs, DAG-run logs. Logs only, never data, and only
    when the variable is set; the destination, or None when nothing was kept."""
    root = os.environ.get(LOG_DIR_VAR)
    source = Path(source)
    if not root or not source.exists():
        return None
    parts = [_LABEL_UNSAFE.sub("_", part)[:120] for part in label.split("/") if part]
    # "." and ".." become "_": the destination is never above the folder
    dest = Path(root).joinpath(*("_" if part.strip(".") == "" else part for part in parts))
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*.log") if p.is_file())
    for file in files:
        target = dest / (file.name if file == source else file.relative_to(source))
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    return dest if files else None


def keep_tmp_path_logs(node) -> None:
    """For an autouse fixture after its test (``request.node``): the ``*.log`` files the test wrote
    below its ``tmp_path`` (run.log, ...), kept as ``tmp/<test name>``."""
    tmp = node.funcargs.get("tmp_path")
    if tmp is not None:
        keep_logs(tmp, f"tmp/{node.name}")


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGTERM this server if the test process dies without teardown."""
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
    name: str
    port: int
    process: subprocess.Popen
    data_dir: str
    log_path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Stop this server by its PID (terminate, then kill after 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def log_tail(self, chars: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return self.log()[-chars:]
        return ""

    def requests(self) -> list[tuple[str, str]]:
        """moto only: every request it has logged so far, as (method, path), oldest first."""
        found = []
        for line in self.log().splitlines():
            match = _REQUEST_LINE.search(_ANSI.sub("", line))
            if match:
                found.append((match.group(1), match.group(2)))
        return found

    def enforce_iam(self) -> None:
        """moto only: from the next request on, authenticate and authorize every request against IAM."""
        moto_reset_auth(self.url, 0)


def moto_reset_auth(url: str, budget: int) -> None:
    """moto's own ``POST /moto-api/reset-auth`` (not an AWS call): sets INITIAL_NO_AUTH_ACTION_COUNT to
    ``budget`` and resets the request counter, so the next ``budget`` requests go through without
    IAM and every one after is authenticated and authorized; ``0`` enforces IAM from the next request
    on. The body must be sent as text/plain: with urllib's default form content type moto parses it
    as a form, finds it empty and answers 500."""
    request = urllib.request.Request(
        url + "/moto-api/reset-auth",
        data=str(budget).encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request, timeout=10).close()


def _wait_http(server: Server, path: str = "/") -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not server.running:
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            urllib.request.urlopen(server.url + path, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError as err:
            last = err
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.name} not ready on {server.url} after {READY_TIMEOUT}s: {last}")


@contextlib.contextmanager
def run_server(name: str, argv_for_port, ready_path: str = "/", env: dict | None = None) -> Iterator[Server]:
    data_dir = tempfile.mkdtemp(prefix=f"xcomkit-{name}-")
    port = free_port()
    log_path = os.path.join(data_dir, "server.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            argv_for_port(port, data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=data_dir,
            env={**os.environ, **(env or {})},
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    server = Server(name, port, process, data_dir, log_path)
    try:
        _wait_http(server, ready_path)
        yield server
    finally:
        server.stop()
        keep_logs(log_path, f"servers/{os.path.basename(data_dir)}")
        shutil.rmtree(data_dir, ignore_errors=True)


# How each server is started: the one source for these tests, scripts/bench-runtime.py and the
# end-to-end suite's ``xcomkit local up`` (e2e/localcloud/servers.py loads this file by path).
MOTO_READY_PATH = "/moto-api/"
GCS_READY_PATH = "/storage/v1/b"


def moto_argv(port: int) -> list[str]:
    return [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]


def gcs_emulator_argv(port: int) -> list[str]:
    return [
        str(VENV_BIN / "gcp-storage-emulator"),
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--in-memory",
        "--quiet",
    ]


def azurite_argv(port: int, location: str) -> list[str]:
    # --skipApiVersionCheck: azure-storage-blob may be newer than Azurite's API version;
    # --loose: ignore headers Azurite does not implement instead of failing the request.
    return [
        str(AZURITE_BIN),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--location",
        location,
        "--silent",
        "--skipApiVersionCheck",
        "--loose",
    ]


def moto_server(initial_no_auth_action_count: int | None = None) -> contextlib.AbstractContextManager[Server]:
    """moto; with ``initial_no_auth_action_count`` IAM enforcement starts after that many requests."""
    env = None
    if initial_no_auth_action_count is not None:
        env = {"INITIAL_NO_AUTH_ACTION_COUNT": str(initial_no_auth_action_count)}
    return run_server("moto", lambda port, _dir: moto_argv(port), ready_path=MOTO_READY_PATH, env=env)


def gcs_emulator() -> contextlib.AbstractContextManager[Server]:
    return run_server(
        "gcp-storage-emulator", lambda port, _dir: gcs_emulator_argv(port), ready_path=GCS_READY_PATH
    )


def azurite() -> contextlib.AbstractContextManager[Server]:
    return run_server("azurite", azurite_argv)


def azurite_connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )

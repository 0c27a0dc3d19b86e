"""The local cloud's servers, started detached so they outlive ``xcomkit local up``.

Each binds 127.0.0.1 on a free port and is waited for with a bounded readiness check. What runs is
recorded by PID, with the process's start time (from /proc) and its command line, so that
``local down`` stops exactly the process it started (terminate, then kill) and never a process that
later reused the PID. How each server is started (its command line, the Azurite binary, the
readiness path) comes from the runtime tests' ``runtime/tests/servers.py``, the one source for the
tests, the benchmark and ``local up``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def runtime_test_servers():
    """``runtime/tests/servers.py``, loaded by path once, under a name of its own (both folders call
    their module ``servers``). e2e/servers.py takes it from here."""
    name = "xcomkit_runtime_test_servers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "runtime" / "tests" / "servers.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up by name
        spec.loader.exec_module(module)
    return sys.modules[name]


_COMMANDS = runtime_test_servers()
AZURITE_BIN = _COMMANDS.AZURITE_BIN
# In a test run (XCOMKIT_TEST_LOG_DIR set), the servers' logs are copied there before ``local down``
# removes them, for the secret scan; otherwise it does nothing.
keep_logs = _COMMANDS.keep_logs


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@dataclass
class RunningServer:
    name: str
    pid: int
    port: int
    start_time: str
    log: str
    data_dir: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """Running, and the same process that was started (not a later one with the same PID)."""
        return _start_time(self.pid) == self.start_time

    def stop(self) -> bool:
        """Stops it by PID: SIGTERM, then SIGKILL after a bounded wait. False if it was not running."""
        if not self.alive():
            return False
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            _reap(self.pid)
            if not self.alive():
                return True
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)
        _reap(self.pid)
        return True

    def as_dict(self) -> dict:
        return {**asdict(self), "url": self.url}


def _reap(pid: int) -> None:
    """Collect the exit status if the server is this process's child (a zombie would look alive)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _wait(server: RunningServer, path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        _reap(server.pid)
        if not server.alive():
            raise RuntimeError(f"{server.name} exited early; its log ({server.log}):\n{_tail(server.log)}")
        try:
            urllib.request.urlopen(server.url + path, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is up
        except OSError as err:
            last = err
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.name} not ready on {server.url} after {READY_TIMEOUT:.0f}s: {last}\n{_tail(server.log)}")


def _tail(path: str, chars: int = 2000) -> str:
    try:
        return Path(path).read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def start(
    name: str, argv: list[str], data_dir: Path, *, ready_path: str = "/", env: dict[str, str] | None = None, port: int
) -> RunningServer:
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=data_dir,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # not in the caller's process group: Ctrl-C there does not stop it
        )
    started = _start_time(process.pid)
    if started is None:
        raise RuntimeError(f"{name} exited at once; its log ({log}):\n{_tail(str(log))}")
    server = RunningServer(name, process.pid, port, started, str(log), str(data_dir))
    _wait(server, ready_path)
    return server


def moto(data_dir: Path) -> RunningServer:
    """moto with IAM enforcement armed but deferred: every request is let through until
    ``enforce_iam`` switches it on after set-up."""
    port = free_port()
    return start(
        "moto",
        _COMMANDS.moto_argv(port),
        data_dir,
        ready_path=_COMMANDS.MOTO_READY_PATH,
        env={"INITIAL_NO_AUTH_ACTION_COUNT": "1000000"},
        port=port,
    )


def enforce_iam(server: RunningServer) -> None:
    """moto's own reset-auth with ``0``: from the next request on, every request is authenticated and
    authorized against IAM."""
    _COMMANDS.moto_reset_auth(server.url, 0)


def gcs_emulator(data_dir: Path) -> RunningServer:
    port = free_port()
    return start(
        "gcs",
        _COMMANDS.gcs_emulator_argv(port),
        data_dir,
        ready_path=_COMMANDS.GCS_READY_PATH,
        port=port,
    )


def azurite(data_dir: Path, accounts: str) -> RunningServer:
    if not AZURITE_BIN.exists():
        raise RuntimeError(f"Azurite is not installed ({AZURITE_BIN.relative_to(REPO)}): run bash scripts/install.sh")
    port = free_port()
    return start(
        "azurite",
        _COMMANDS.azurite_argv(port, str(data_dir / "data")),
        data_dir,
        env={"AZURITE_ACCOUNTS": accounts},
        port=port,
    )

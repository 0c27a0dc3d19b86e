"""Runs of one DAG, each in its own Airflow process, forked from a parent that has already imported
the third-party libraries those runs need (pandas, pyarrow, SQLAlchemy, FastAPI, the cloud SDKs).

About two thirds of a ``dag.test()`` run's CPU time is spent importing modules, most of them not
Airflow's. Importing them once and forking shares that work between the runs without sharing any
Airflow state: the parent never imports a module of the ``airflow`` or ``airflow_xcomkit``
namespaces, so each child reads its configuration, secrets backend and XCom backend from its own
environment, from scratch, exactly as a fresh interpreter would. The parent's environment is the
platform's part that every run has in common (``ambient.env``); a run whose environment differs from
it in anything but Airflow's own variables is not forked but started as a fresh interpreter, since a
preloaded module may have read that variable at import.

Which modules to preload is learnt: each child records the modules it imported, and the next
parent preloads them (``preload-modules.txt`` under the quickstart's home, keyed by the interpreter
and Airflow's version). A stale or missing list only costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Namespaces that read Airflow's configuration: never imported before a child has its environment.
AIRFLOW_NAMESPACES = ("airflow", "airflow_xcomkit")
# Modules of this program and of the DAG file: they belong to the child.
OWN_MODULES = ("__main__", "e2e_dag_module", "run_dag", "quickstart", "roundtrip", "localcloud", "conftest")
# Before any run has recorded its modules: the heaviest third-party imports of a run.
SEED = (
    "pandas",
    "pyarrow",
    "numpy",
    "sqlalchemy.orm",
    "fastapi",
    "starlette.applications",
    "pydantic",
    "httpx",
    "anyio",
    "structlog",
    "jinja2",
    "rich.console",
    "botocore.session",
    "boto3",
    "s3fs",
    "azure.storage.blob",
    "azure.identity",
    "adlfs",
    "google.cloud.storage",
    "google.auth",
)


def is_airflow_setting(name: str) -> bool:
    """Variables only Airflow reads (``AIRFLOW__*``, ``AIRFLOW_CONN_*``, ``AIRFLOW_HOME``, ...)."""
    return name.startswith("AIRFLOW")


def may_fork(run_env: Mapping[str, str], parent_env: Mapping[str, str]) -> bool:
    """A run may share the parent's preloaded modules when it differs from the parent's environment
    only in Airflow's own variables: those are read by Airflow alone, which the parent never imported."""
    names = {k for k in {*run_env, *parent_env} if not is_airflow_setting(k)}
    return all(run_env.get(k) == parent_env.get(k) for k in names)


def preloadable(name: str) -> bool:
    top = name.split(".", 1)[0]
    return top not in AIRFLOW_NAMESPACES and top not in OWN_MODULES and not name.startswith("_")


def read_module_list(path: Path, key: str) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return list(SEED)
    return [m for m in lines[1:] if preloadable(m)] if lines and lines[0] == f"# {key}" else list(SEED)


def write_module_list(path: Path, key: str, names: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join([f"# {key}", *sorted(n for n in names if preloadable(n))]) + "\n")
    tmp.replace(path)


def preload(names: list[str]) -> tuple[int, int]:
    """Imports what it can of ``names`` (a module that fails to import is the child's business)."""
    loaded = failed = 0
    for name in names:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            loaded += 1
        except BaseException:
            failed += 1
    leaked = sorted(m for m in sys.modules if m.split(".", 1)[0] in AIRFLOW_NAMESPACES)
    if leaked:
        raise RuntimeError(f"preloading imported Airflow modules ({leaked[:3]}...): the runs would share its state")
    return loaded, failed


@dataclass
class Job:
    name: str
    env: dict[str, str]
    cwd: Path
    log: Path
    # The child's work; returns its exit code. Called only in a forked child.
    target: Callable[[], int]
    # The same work as a fresh interpreter, for a run that may not fork.
    argv: list[str]
    exit_code: int | None = None
    seconds: float = 0.0
    cpu: float = 0.0
    forked: bool = False
    started: float = field(default=0.0, repr=False)


def _child(job: Job, modules_out: Path) -> None:
    code = 1
    try:
        os.chdir(job.cwd)
        os.environ.clear()
        os.environ.update(job.env)
        fd = os.open(job.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        code = job.target()
        modules_out.write_text("\n".join(sorted(sys.modules)) + "\n")
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _spawn(job: Job) -> int:
    with open(job.log, "wb") as log:
        return subprocess.Popen(job.argv, env=job.env, cwd=job.cwd, stdout=log, stderr=subprocess.STDOUT).pid


def run_all(jobs: list[Job], parent_env: Mapping[str, str], parallel: int, timeout: float) -> set[str]:
    """Runs ``jobs``, ``parallel`` at a time, each bounded by ``timeout`` seconds (then killed by its
    PID). Fills in each job's exit code, wall and CPU seconds; returns the modules the forked children
    imported. Call it with ``os.environ`` equal to ``parent_env`` and no other thread running."""
    if threading.active_count() != 1:
        raise RuntimeError("fork with other threads running would copy their locks in whatever state they are")
    pending, running, modules = list(jobs), {}, set()
    try:
        while pending or running:
            while pending and len(running) < parallel:
                job = pending.pop(0)
                job.started = time.monotonic()
                job.forked = may_fork(job.env, parent_env)
                out = job.log.with_name(job.log.name + ".modules")
                if job.forked:
                    pid = os.fork()
                    if pid == 0:
                        _child(job, out)
                else:
                    pid = _spawn(job)
                running[pid] = (job, out)
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if pid == 0:
                now = time.monotonic()
                for other, (job, _) in running.items():
                    if now - job.started > timeout:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(other, signal.SIGKILL)
                time.sleep(0.05)
                continue
            job, out = running.pop(pid)
            job.exit_code = os.waitstatus_to_exitcode(status)
            job.seconds = time.monotonic() - job.started
            job.cpu = usage.ru_utime + usage.ru_stime
            if out.exists():
                modules.update(out.read_text().split())
                out.unlink()
    finally:
        for pid in running:  # only on an exception in this loop: leave no child behind
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    return modules

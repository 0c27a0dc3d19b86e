"""``keep_logs``: what the tests keep of their temporary directories for the secret scan of
scripts/test.sh. Every ``*.log`` file, with its relative path; no data; nothing when the variable is
unset."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from servers import LOG_DIR_VAR, keep_logs, run_server


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An AIRFLOW_HOME as a test leaves it: a task log, the metadata DB, a config file."""
    home = tmp_path / "home"
    task_log = home / "logs" / "dag_id=d" / "run_id=r" / "task_id=t" / "attempt=1.log"
    task_log.parent.mkdir(parents=True)
    task_log.write_text("task ran\n")
    (home / "airflow.db").write_bytes(b"\0" * 64)
    (home / "airflow.cfg").write_text("[core]\n")
    return home


def test_keeps_every_log_file_with_its_path_and_nothing_else(home: Path, tmp_path: Path, monkeypatch):
    kept = tmp_path / "kept"
    monkeypatch.setenv(LOG_DIR_VAR, str(kept))
    assert keep_logs(home, "airflow-home") == kept / "airflow-home"
    assert _tree(kept) == ["airflow-home/logs/dag_id=d/run_id=r/task_id=t/attempt=1.log"]


def test_a_single_file_is_kept_under_its_name_and_a_label_never_leads_out(tmp_path: Path, monkeypatch):
    kept = tmp_path / "kept"
    monkeypatch.setenv(LOG_DIR_VAR, str(kept))
    (tmp_path / "run.log").write_text("ran\n")
    keep_logs(tmp_path / "run.log", "tmp/test_x[a b/../c]")
    assert _tree(kept) == ["tmp/test_x_a_b/_/c_/run.log"]


def test_nothing_is_kept_without_the_variable(home: Path, monkeypatch):
    monkeypatch.delenv(LOG_DIR_VAR, raising=False)
    assert keep_logs(home, "airflow-home") is None


def test_a_servers_log_is_kept_when_it_stops(tmp_path: Path, monkeypatch):
    kept = tmp_path / "kept"
    monkeypatch.setenv(LOG_DIR_VAR, str(kept))
    serve = (
        "import http.server as h, sys; print('up'); "
        "h.test(h.SimpleHTTPRequestHandler, port=int(sys.argv[1]), bind='127.0.0.1')"
    )
    with run_server("probe", lambda port, _dir: [sys.executable, "-u", "-c", serve, str(port)]) as server:
        data_dir = Path(server.data_dir)
    assert not data_dir.exists()
    assert _tree(kept) == [f"servers/{data_dir.name}/server.log"]
    assert "up" in (kept / "servers" / data_dir.name / "server.log").read_text()

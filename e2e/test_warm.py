"""The quickstart's forked runs (localcloud/warm.py): a child sees exactly its own environment, the
parent never imports Airflow, a run that differs in a non-Airflow variable is a fresh interpreter,
and a run over its time is killed by its PID."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from localcloud import warm


def test_may_fork_only_when_the_run_differs_in_airflow_variables_alone():
    parent = {"PATH": "/bin", "AWS_ACCESS_KEY_ID": "AKIA1"}
    assert warm.may_fork({**parent, "AIRFLOW__CORE__XCOM_BACKEND": "x", "AIRFLOW_CONN_A": "{}"}, parent)
    assert not warm.may_fork({**parent, "AWS_ACCESS_KEY_ID": "AKIA2"}, parent)
    assert not warm.may_fork({**parent, "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false"}, parent)
    assert not warm.may_fork({"PATH": "/bin"}, parent)


def test_the_module_list_never_holds_airflow_or_the_programs_own_modules(tmp_path: Path):
    listed = tmp_path / "preload-modules.txt"
    names = {"pandas", "sqlalchemy.orm", "airflow", "airflow.sdk", "airflow_xcomkit.backend", "run_dag", "localcloud.warm"}
    warm.write_module_list(listed, "key 1", names)
    assert warm.read_module_list(listed, "key 1") == ["pandas", "sqlalchemy.orm"]
    # Another interpreter or Airflow version: the list is not trusted, the seed is used.
    assert warm.read_module_list(listed, "key 2") == list(warm.SEED)
    assert warm.read_module_list(tmp_path / "missing.txt", "key 1") == list(warm.SEED)
    assert not [m for m in warm.SEED if not warm.preloadable(m)]


def test_preload_refuses_a_module_that_pulls_in_airflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "fakeflow_core.py").write_text("X = 1\n")
    (tmp_path / "innocent_lib.py").write_text("import fakeflow_core\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(warm, "AIRFLOW_NAMESPACES", ("fakeflow_core",))
    try:
        with pytest.raises(RuntimeError, match="preloading imported Airflow modules"):
            warm.preload(["innocent_lib"])
    finally:
        sys.modules.pop("innocent_lib", None)
        sys.modules.pop("fakeflow_core", None)
    assert warm.preload(["json", "no_such_module_xyz"]) == (0, 1)


def _report_env() -> int:
    Path("seen.json").write_text(json.dumps({"env": dict(os.environ), "cwd": os.getcwd()}))
    return 3


def _hang() -> int:
    import time

    time.sleep(120)
    return 0


def _job(tmp_path: Path, name: str, env: dict[str, str], target, argv: list[str] | None = None) -> warm.Job:
    cwd = tmp_path / name
    cwd.mkdir()
    return warm.Job(name=name, env=env, cwd=cwd, log=cwd / "run.log", target=target, argv=argv or [sys.executable, "-c", "0"])


def test_children_see_their_own_environment_and_a_differing_run_is_a_fresh_interpreter(tmp_path: Path):
    parent = {"PATH": os.environ["PATH"], "SHARED": "platform"}
    forked = _job(tmp_path, "forked", {**parent, "AIRFLOW__CORE__XCOM_BACKEND": "mine"}, _report_env)
    spawned = _job(
        tmp_path,
        "spawned",
        {**parent, "SHARED": "other"},
        _report_env,
        argv=[sys.executable, "-c", "import os, sys; print(os.environ['SHARED']); sys.exit(5)"],
    )
    before = dict(os.environ)
    modules = warm.run_all([forked, spawned], parent, parallel=2, timeout=120)

    assert dict(os.environ) == before  # the parent's environment is untouched
    seen = json.loads((forked.cwd / "seen.json").read_text())
    assert seen == {"env": forked.env, "cwd": str(forked.cwd)}
    assert (forked.forked, forked.exit_code) == (True, 3)
    assert "json" in modules  # the forked child reported what it imported
    assert (spawned.forked, spawned.exit_code) == (False, 5)
    assert not (spawned.cwd / "seen.json").exists()
    assert spawned.log.read_text().strip() == "other"
    assert forked.cpu >= 0 and spawned.cpu >= 0


def test_a_run_over_its_time_is_killed(tmp_path: Path):
    job = _job(tmp_path, "slow", {"PATH": os.environ["PATH"]}, _hang)
    warm.run_all([job], {"PATH": os.environ["PATH"]}, parallel=1, timeout=1)
    assert job.exit_code == -9

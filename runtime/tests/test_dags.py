"""Real Airflow: DAGs run with dag.test() against XComKitBackend on file:/// storage."""

from __future__ import annotations

import importlib.util
import json
import sqlite3

import pandas as pd
import pytest

from conftest import DAGS_FOLDER

pytestmark = pytest.mark.usefixtures("airflow_db")


def _load_dags():
    spec = importlib.util.spec_from_file_location("xcomkit_dags", DAGS_FOLDER / "xcomkit_dags.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_dag(dag_id: str):
    dag = getattr(_load_dags(), dag_id)()
    return dag.test()


def xcom_rows(db_path: str, run) -> dict[tuple[str, int, str], object]:
    """The XCom values of one DAG run, as stored in the metadata DB."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT task_id, map_index, key, value FROM xcom WHERE dag_id = ? AND run_id = ?",
            (run.dag_id, run.run_id),
        ).fetchall()
    return {(t, m, k): json.loads(v) if isinstance(v, str | bytes) else v for t, m, k, v in rows}


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def is_reference(value) -> bool:
    return isinstance(value, dict) and value.get("__classname__") == "airflow_xcomkit.reference.StoredXCom"


def test_a_dag_passes_a_dataframe_a_dict_and_a_validation_result_through_object_storage(
    configure, local_store, airflow_db
):
    configure(f"file://{local_store}", threshold=1000)
    run = run_dag("xcomkit_types")
    assert run.state == "success"
    rows = xcom_rows(airflow_db, run)
    assert is_reference(rows[("make_frame", -1, "return_value")])
    assert is_reference(rows[("make_dict", -1, "return_value")])
    assert rows[("make_small", -1, "return_value")] == {"rows": 1}  # below the threshold: in the DB
    assert rows[("validate", -1, "return_value")] == {
        "success": True,
        "statistics": {"evaluated_expectations": 7},
    }
    assert rows[("check", -1, "return_value")] == "checked"
    files = stored_files(local_store)
    assert any(f.startswith("xcomkit_types/") and "/make_frame/-1/return_value-" in f for f in files)
    assert any(f.endswith(".parquet") for f in files)
    frame_ref = rows[("make_frame", -1, "return_value")]["__data__"]
    frame = pd.read_parquet(frame_ref["path"].removeprefix("file://"))
    assert list(frame["id"]) == list(range(500))


def test_a_mapped_task_stores_one_object_per_map_index(configure, local_store, airflow_db):
    configure(f"file://{local_store}", threshold=1000)
    run = run_dag("xcomkit_mapped")
    assert run.state == "success"
    rows = xcom_rows(airflow_db, run)
    for index in (0, 1, 2):
        assert is_reference(rows[("square", index, "return_value")])
    square_files = [f for f in stored_files(local_store) if "/square/" in f]
    assert sorted(f.split("/")[3] for f in square_files) == ["0", "1", "2"]
    assert rows[("total", -1, "return_value")] == {"total": 14}


def test_a_retried_task_purges_the_object_of_its_failed_attempt(configure, local_store, airflow_db):
    configure(f"file://{local_store}", threshold=1000)
    run = run_dag("xcomkit_retry")
    assert run.state == "success"
    rows = xcom_rows(airflow_db, run)
    reference = rows[("flaky", -1, "attempt")]
    assert is_reference(reference)
    attempt_files = [f for f in stored_files(local_store) if "/flaky/-1/attempt-" in f]
    assert len(attempt_files) == 1, attempt_files
    assert reference["__data__"]["path"] == f"file://{local_store}/{attempt_files[0]}"
    with open(local_store / attempt_files[0]) as f:
        assert json.load(f)["try_number"] == 2


def test_a_dag_on_s3_with_a_gcs_mirror_keeps_both_copies(
    s3_server, gcs_server, configure, airflow_db, request
):
    from conftest import BUCKET, GCS_CONN, S3_CONN
    from test_backend_cloud import gcs_names, key_of, s3_keys

    prefix = f"xcom/{request.node.name}"
    configure(
        f"s3://{S3_CONN}@{BUCKET}/{prefix}",
        threshold=1000,
        mirrors=[f"gs://{GCS_CONN}@{BUCKET}/{prefix}"],
    )
    run = run_dag("xcomkit_mapped")
    assert run.state == "success"
    rows = xcom_rows(airflow_db, run)
    refs = [rows[("square", i, "return_value")]["__data__"] for i in (0, 1, 2)]
    assert sorted(s3_keys(s3_server, prefix)) == sorted(key_of(r["path"]) for r in refs)
    assert sorted(gcs_names(gcs_server, prefix)) == sorted(key_of(r["mirrors"][0]) for r in refs)


def test_a_branch_with_threshold_0_keeps_skipmixin_key_in_the_db_and_a_cleared_branch_stays_skipped(
    configure, local_store, airflow_db
):
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.models.taskinstance import TaskInstance
    from airflow.ti_deps.dep_context import DepContext
    from airflow.ti_deps.deps.not_previously_skipped_dep import NotPreviouslySkippedDep
    from airflow.utils.session import create_session
    from sqlalchemy import select

    configure(f"file://{local_store}", threshold=0)
    run = run_dag("xcomkit_branch")
    assert run.state == "success"
    rows = xcom_rows(airflow_db, run)
    assert rows[("choose", -1, "skipmixin_key")] == {"followed": ["left"]}
    assert is_reference(rows[("left", -1, "return_value")])
    with create_session() as session:
        tis = {
            ti.task_id: ti
            for ti in session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == run.dag_id, TaskInstance.run_id == run.run_id
                )
            )
        }
        assert (tis["left"].state, tis["right"].state) == ("success", "skipped")
        # Clear the skipped branch, as a user does in the UI: the scheduler's dep must skip it again.
        right = tis["right"]
        right.state = None
        session.flush()
        right.task = SerializedDagModel.get_dag(run.dag_id, session=session).get_task("right")
        statuses = list(
            NotPreviouslySkippedDep().get_dep_statuses(right, session=session, dep_context=DepContext())
        )
        assert statuses and not statuses[0].passed, statuses
        assert right.state == "skipped"


def test_pushing_the_same_key_twice_in_one_try_leaves_one_object(configure, local_store, airflow_db):
    configure(f"file://{local_store}", threshold=1000)
    run = run_dag("xcomkit_double_push")
    assert run.state == "success"
    reference = xcom_rows(airflow_db, run)[("twice", -1, "result")]
    files = [f for f in stored_files(local_store) if "/twice/-1/result-" in f]
    assert len(files) == 1, files
    assert reference["__data__"]["path"] == f"file://{local_store}/{files[0]}"
    with open(local_store / files[0]) as f:
        assert json.load(f)["version"] == 2


def test_switching_a_real_airflow_from_the_stock_backend_reads_its_history(
    configure, local_store, airflow_db, monkeypatch
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    configure(f"file://{local_store}", threshold=1000)
    # Before the switch: the stock backend, in its own Airflow process, with the same [common.io].
    stock_env = {
        **os.environ,
        "AIRFLOW__CORE__XCOM_BACKEND": "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend",
    }
    out = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "dags", "test", "xcomkit_stock_producer"],
        capture_output=True,
        text=True,
        env=stock_env,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    with sqlite3.connect(airflow_db) as db:
        run_id, value = db.execute(
            "SELECT run_id, value FROM xcom WHERE dag_id = 'xcomkit_stock_producer' "
            "ORDER BY timestamp DESC LIMIT 1"
        ).fetchone()
    stock_reference = json.loads(value)
    assert isinstance(stock_reference, str) and stock_reference.startswith(f"file://{local_store}/")
    # After the switch: this backend reads the stock object in a new run of another DAG.
    monkeypatch.setenv("XCOMKIT_PRODUCER_RUN", run_id)
    run = run_dag("xcomkit_switch_consumer")
    assert run.state == "success"
    assert is_reference(xcom_rows(airflow_db, run)[("consume", -1, "return_value")])

"""A real ``airflow api-server`` on loopback: the summary the XCom tab shows, and ``airflow-xcomkit gc``
after rows are removed through the REST API and through ``airflow db clean`` (moto, GCS, Azurite).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from airflow_xcomkit.cli import gc, main, parse_age
from conftest import AZURE_CONN, BUCKET, GCS_CONN, S3_CONN
from servers import VENV_BIN, run_server
from test_backend_cloud import azure_names, gcs_names, key_of, s3_keys
from test_dags import is_reference, run_dag, xcom_rows

pytestmark = pytest.mark.usefixtures("airflow_db")


@pytest.fixture(scope="module")
def api_server(airflow_db):
    env = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API_AUTH__JWT_SECRET": "xcomkit-test-jwt-secret-not-a-real-one",
        "AIRFLOW__API__WORKERS": "1",
    }
    with run_server(
        "airflow-api-server",
        lambda port, _dir: [
            str(VENV_BIN / "airflow"),
            "api-server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        ready_path="/api/v2/monitor/health",
        env=env,
    ) as server:
        yield server


def api(server, method: str, path: str):
    request = urllib.request.Request(server.url + "/api/v2" + path, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def test_the_xcom_tab_shows_the_summary_of_a_stored_dataframe(api_server, configure, local_store, airflow_db):
    configure(f"file://{local_store}", threshold=1000)
    run = run_dag("xcomkit_types")
    assert run.state == "success"
    entry = f"/dags/{run.dag_id}/dagRuns/{run.run_id}/taskInstances/make_frame/xcomEntries/return_value"
    raw = api(api_server, "GET", entry)["value"]
    summary = (json.loads(raw) if isinstance(raw, str) else raw)["__data__"]["summary"]
    assert summary["type"] == "pandas.DataFrame" and summary["rows"] == 500
    assert summary["columns"] == {"id": "int64", "name": "str"}
    # What the XCom tab renders: the API's stringified form, summary first.
    shown = api(api_server, "GET", entry + "?deserialize=true&stringify=true")["value"]
    assert shown.startswith("airflow_xcomkit.reference.StoredXCom@version=2(summary={")
    assert "'rows': 500" in shown and "'columns': {'id': 'int64', 'name': 'str'}" in shown


def test_a_summary_is_bounded_for_a_wide_frame(configure, local_store):
    import pandas as pd

    from helpers import push

    configure(f"file://{local_store}", threshold=0)
    frame = pd.DataFrame({f"column_{'x' * 100}_{i}": [i] for i in range(200)})
    summary = push(frame)["__data__"]["summary"]
    assert len(summary["columns"]) == 50 and summary["columns_omitted"] == 150
    assert all(len(name) <= 64 for name in summary["columns"])
    assert len(json.dumps(summary)) < 5000


def _airflow(*args: str) -> None:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), *args], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]


STORES = {
    "s3": ("s3_server", lambda p: f"s3://{S3_CONN}@{BUCKET}/{p}", s3_keys),
    "gcs": ("gcs_server", lambda p: f"gs://{GCS_CONN}@{BUCKET}/{p}", gcs_names),
    "azure": ("azure_server", lambda p: f"abfs://{AZURE_CONN}@{BUCKET}/{p}", azure_names),
}


@pytest.mark.parametrize("store", list(STORES))
def test_gc_finds_the_objects_of_rows_removed_through_the_rest_api_and_db_clean(
    store, api_server, configure, airflow_db, request
):
    fixture, url_of, names = STORES[store]
    server = request.getfixturevalue(fixture)
    prefix = f"xcom/gc-{store}"
    configure(url_of(prefix), threshold=1000)
    first, second = run_dag("xcomkit_mapped"), run_dag("xcomkit_mapped")
    assert first.state == second.state == "success"
    first_keys = sorted(
        key_of(v["__data__"]["path"]) for v in xcom_rows(airflow_db, first).values() if is_reference(v)
    )
    second_keys = sorted(
        key_of(v["__data__"]["path"]) for v in xcom_rows(airflow_db, second).values() if is_reference(v)
    )
    assert len(first_keys) == len(second_keys) == 3
    assert names(server, prefix) == sorted(first_keys + second_keys)

    # Deleting a dag run through the REST API removes its rows; Airflow leaves the objects.
    api(api_server, "DELETE", f"/dags/{first.dag_id}/dagRuns/{first.run_id}")
    assert xcom_rows(airflow_db, first) == {}
    assert names(server, prefix) == sorted(first_keys + second_keys)

    # Default: a dry run that keeps everything younger than a day.
    out = io.StringIO()
    assert gc(delete=False, min_age=parse_age("1d"), out=out, err=io.StringIO()) == (0, 0)
    assert "kept 3 unreferenced objects younger than the minimum age" in out.getvalue()
    out = io.StringIO()
    count, freed = gc(delete=False, min_age=0, out=out, err=io.StringIO())
    assert count == 3 and freed > 0 and "would delete" in out.getvalue()
    assert names(server, prefix) == sorted(first_keys + second_keys)

    err = io.StringIO()
    out = io.StringIO()
    assert gc(delete=True, min_age=0, out=out, err=err) == (3, freed)
    assert f"deleted 3 objects, freed {freed} bytes" in out.getvalue()
    assert "objects checked" in err.getvalue()  # progress
    assert names(server, prefix) == second_keys  # referenced objects stay

    # airflow db clean removes the other run's rows; gc (the console script) removes its objects.
    future = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).isoformat()
    _airflow("db", "clean", "--clean-before-timestamp", future, "--tables", "xcom", "--skip-archive", "--yes")
    assert xcom_rows(airflow_db, second) == {}
    assert main(["gc", "--delete", "--min-age", "0s"]) == 0
    assert names(server, prefix) == []


def test_the_console_script_is_installed_and_dry_runs_by_default(configure, local_store):
    configure(f"file://{local_store}", threshold=0)
    out = subprocess.run(
        [str(VENV_BIN / "airflow-xcomkit"), "gc", "--min-age", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "dry run: 0 objects (0 bytes) would be deleted" in out.stdout


@pytest.mark.parametrize("text", ["1x", "", "-1d", "day"])
def test_an_invalid_min_age_is_refused_naming_the_flag(text, capsys):
    with pytest.raises(SystemExit):
        main(["gc", "--min-age", text])
    assert "--min-age" in capsys.readouterr().err

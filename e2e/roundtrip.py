"""What every cloud's round trip must show, shared by the AWS suite and the GCP/Azure suite: which
tasks' values are stored, where (the backend's documented layout under the prefix), what the
metadata DB holds, and that the stored bytes are the pushed value."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sqlite3
from pathlib import Path
from types import ModuleType

E2E_DIR = Path(__file__).resolve().parent
DAG_FILE = E2E_DIR / "dags" / "e2e_xcom_roundtrip.py"
DAG_ID = "e2e_xcom_roundtrip"
STORED_TASKS = ["push_dict", "push_frame", "push_large"]
GZIP_MAGIC = b"\x1f\x8b"
RUNTIME_REFERENCE = "airflow_xcomkit.reference.StoredXCom"


def dag_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("e2e_dag_values", DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def json_size(value: object) -> int:
    return len(json.dumps(value).encode())


def xcom_rows(home: Path, run_id: str) -> dict[str, object]:
    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute("SELECT task_id, key, value FROM xcom WHERE dag_id = ? AND run_id = ?", (DAG_ID, run_id)).fetchall()
    return {task: json.loads(value) for task, key, value in rows if key == "return_value"}


def stock_run_keys(keys: list[str], prefix: str, run_id: str) -> list[str]:
    """Stock layout: ``<prefix>/<dag_id>/<run_id>/<task_id>/<uuid>.gz``; every key under the prefix,
    and this run's objects exactly the stored tasks'."""
    assert keys and all(k.startswith(f"{prefix}/") for k in keys), keys
    run_keys = sorted(k for k in keys if k.startswith(f"{prefix}/{DAG_ID}/{run_id}/"))
    assert sorted(k.split("/")[3] for k in run_keys) == STORED_TASKS, run_keys
    assert all(k.endswith(".gz") and len(k.split("/")) == 5 for k in run_keys), run_keys
    return run_keys


def runtime_new_keys(keys: list[str], before: set[str], prefix: str) -> list[str]:
    """Runtime layout: ``<prefix>/<dag_id>/<run>/<task_id>/<map_index>/<key>-<uuid>.<ext>``."""
    new = sorted(k for k in keys if k not in before)
    assert all(k.startswith(f"{prefix}/{DAG_ID}/") for k in new), new
    assert sorted(k.split("/")[3] for k in new) == STORED_TASKS, new
    assert all(k.split("/")[4] == "-1" and k.split("/")[5].startswith("return_value-") for k in new), new
    return new


def assert_large_object(body: bytes, large: object) -> None:
    assert body[:2] == GZIP_MAGIC
    assert json.loads(gzip.decompress(body)) == large


def assert_stock_references(rows: dict[str, object], base: str, run_id: str, small: object) -> None:
    for task in STORED_TASKS:
        reference = rows[task]
        assert isinstance(reference, str) and reference.startswith(f"{base}/{DAG_ID}/{run_id}/{task}/"), (task, reference)
    assert rows["push_small"] == small
    assert rows["pull_all"] == "pulled"


def assert_runtime_references(rows: dict[str, object], base: str, small: object) -> None:
    for task in STORED_TASKS:
        reference = rows[task]
        assert isinstance(reference, dict) and reference.get("__classname__") == RUNTIME_REFERENCE, (task, reference)
        assert reference["__data__"]["path"].startswith(f"{base}/{DAG_ID}/"), (task, reference)
    assert rows["push_small"] == small
    assert rows["pull_all"] == "pulled"

"""A push or a pull of a value of N bytes holds at most 2N plus a constant.

N is the value's size in memory: a DataFrame's ``memory_usage(deep=True)``, an array's ``nbytes``,
the Python objects of a JSON value (``sys.getsizeof`` of each distinct object). Each push and each
pull runs in a fresh process, and the test counts live bytes, not RSS (which depends on what the
allocators keep cached and on the load of the machine): ``tracemalloc`` sees every Python and numpy
allocation, and pyarrow's default pool reports its lifetime peak, which minus what it held before
the operation bounds what the operation added (a pull's process never builds the value). The sum of
the two peaks is an upper bound of the operation's peak. RSS is measured by
``scripts/bench-runtime.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: Blocks in flight, numpy's 16 MiB write pieces, and the interpreter's own bookkeeping.
CONSTANT = 32 * 2**20

_CASE = r"""
import json, sys, tracemalloc
from collections import namedtuple
import numpy as np, pandas as pd, pyarrow as pa
from airflow_xcomkit.backend import XComKitBackend as Backend

kind, op, handle_file, tests_dir = sys.argv[1:5]
sys.path.insert(0, tests_dir)
from sizes import deep_size
Row = namedtuple("Row", "value")
coords = dict(key="big", dag_id="d", run_id="r", task_id="t", map_index=-1)


pool = pa.default_memory_pool()
n = 1_000_000
if op == "pull":
    with open(handle_file) as f:
        handle, size = json.load(f)
elif kind == "dataframe":
    rng = np.random.default_rng(0)
    value = pd.DataFrame({
        "id": np.arange(n, dtype="int64"),
        "amount": rng.random(n),
        "name": [f"customer-{i % 50_000:05d}" for i in range(n)],
        "at": pd.date_range("2024-01-01", periods=n, freq="s"),
    })
    size = int(value.memory_usage(deep=True).sum())
elif kind == "ndarray":
    value = np.random.default_rng(1).random(8 * 2**20)
    size = value.nbytes
else:
    rows = [{"id": i, "name": f"c-{i:07d}", "x": i / 8, "tags": ["a", "b"]} for i in range(150_000)]
    value = {"rows": rows}
    size = deep_size(value)
small = {"a": 1} if kind == "json" else (np.zeros(2) if kind == "ndarray" else pd.DataFrame({"x": [1]}))
Backend.deserialize_value(Row(Backend.serialize_value(small, **coords)))
del small

# The pool's lifetime peak minus what it holds now bounds what the operation adds on top.
arrow_before = pool.bytes_allocated()
tracemalloc.start()
if op == "push":
    handle = Backend.serialize_value(value, **coords)
else:
    back = Backend.deserialize_value(Row(handle))
python_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
arrow = pool.max_memory() - arrow_before
if op == "push":
    with open(handle_file, "w") as f:
        json.dump([handle, size], f)
print(json.dumps({"size": size, "python": python_peak, "arrow": arrow}))
"""


def _measure(kind: str, op: str, handle_file: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _CASE, kind, op, handle_file, os.path.dirname(__file__)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["dataframe", "ndarray", "json"])
def test_a_push_and_a_pull_hold_at_most_twice_the_value_plus_a_constant(kind, local_store, tmp_path):
    env = {
        **os.environ,
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH": f"file://{local_store}",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD": "0",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION": "gzip",
    }
    handle = str(tmp_path / "handle.json")
    for op in ("push", "pull"):
        m = _measure(kind, op, handle, env)
        peak = m["python"] + m["arrow"]
        assert m["size"] > 8 * 2**20, m  # large enough that the bound is not all constant
        assert peak <= 2 * m["size"] + CONSTANT, (
            f"{kind} {op}: peak {peak / 1e6:.1f} MB (Python {m['python'] / 1e6:.1f} MB, Arrow "
            f"{m['arrow'] / 1e6:.1f} MB) for N = {m['size'] / 1e6:.1f} MB: {peak / m['size']:.2f} N"
        )
        print(f"{kind} {op}: {peak / m['size']:.2f} N ({m})")

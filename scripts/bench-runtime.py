"""Benchmark of the runtime XCom backend against the stock backend, the tutorial approach and the floor.

Usage (from the repository root, after scripts/setup-python.sh):

    .venv/bin/python scripts/bench-runtime.py [--runs 5] [--storage file,s3] [--values dataframe,...]

Each value is pushed and pulled through the backend API (``serialize_value`` / ``deserialize_value``)
by (a) airflow-xcomkit, (b) the stock ``XComObjectStorageBackend``, (c) the tutorial approach
(DataFrame -> CSV temp file -> upload, JSON -> temp file -> upload, and back) and (d) raw fsspec with
the same bytes airflow-xcomkit stores (Parquet/zstd, .npy, JSON), which is the floor. Storage is a
``file://`` directory and S3 on a moto server on loopback, both with the kit's default ``gzip``
compression. It prints medians of ``--runs`` round trips (the approaches take turns within each
round, after one warm-up round trip), the ratios, the stored bytes and the peak RSS growth during a
push or a pull (freed memory is returned to the OS before each measurement), also as a multiple of
the value's size N (an array's nbytes, a DataFrame's deep memory usage, a JSON value's text). A script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import namedtuple
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = tempfile.mkdtemp(prefix="xcomkit-bench-")
os.environ.update(
    {
        "AIRFLOW_HOME": HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__XCOM_BACKEND": "airflow_xcomkit.backend.XComKitBackend",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        # Arrow allocates through malloc, so trimming before each measurement returns its freed
        # memory to the OS too and every approach starts from the same footing.
        "ARROW_DEFAULT_MEMORY_POOL": "system",
    }
)

_spec = importlib.util.spec_from_file_location(
    "xcomkit_bench_servers", ROOT / "runtime" / "tests" / "servers.py"
)
servers = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = servers
_spec.loader.exec_module(servers)

import numpy as np
import pandas as pd

Row = namedtuple("Row", "value")
COORDS = {
    "key": "return_value",
    "dag_id": "bench",
    "run_id": "manual__1",
    "task_id": "t",
    "map_index": -1,
}
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def trim() -> None:
    """Give freed memory back to the OS, so RSS growth measures this operation, not earlier ones."""
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


class PeakRss:
    """Samples RSS every 2 ms in a thread; ``growth`` is the peak above the level at entry."""

    def __enter__(self):
        trim()
        self.start = rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss())
            time.sleep(0.002)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())
        self.growth = self.peak - self.start


# --- values ----------------------------------------------------------------------------------------


def make_values(names):
    values = {}
    if "dataframe" in names:
        n = 1_000_000
        rng = np.random.default_rng(0)
        values["dataframe"] = pd.DataFrame(
            {
                "id": np.arange(n, dtype="int64"),
                "amount": rng.random(n) * 1000,
                "name": [f"customer-{i % 50_000:05d}" for i in range(n)],
                "at": pd.date_range("2024-01-01", periods=n, freq="s"),
            }
        )
    for name, size in (("json-1mb", 1_000_000), ("json-50mb", 50_000_000)):
        if name in names:
            row = {
                "id": 0,
                "name": "customer-00000",
                "amount": 123.456,
                "tags": ["a", "b"],
                "ok": True,
            }
            per_row = len(json.dumps(row)) + 2
            values[name] = {"rows": [{**row, "id": i} for i in range(size // per_row)]}
    if "ndarray" in names:
        values["ndarray"] = np.random.default_rng(1).random(100 * 1024 * 1024 // 8)
    return values


# --- the four approaches ---------------------------------------------------------------------------


def fs_of(url):
    from airflow.sdk import ObjectStoragePath

    p = ObjectStoragePath(url)
    return p.fs, p.path


class Kit:
    name = "(a) airflow-xcomkit"

    def push(self, value):
        from airflow_xcomkit.backend import XComKitBackend

        return XComKitBackend.serialize_value(value, **COORDS)

    def pull(self, handle):
        from airflow_xcomkit.backend import XComKitBackend

        return XComKitBackend.deserialize_value(Row(handle))

    def stored(self, handle):
        return handle["__data__"]["size"]

    def cleanup(self, handle):
        from airflow_xcomkit.backend import XComKitBackend

        XComKitBackend.purge(Row(handle))


class Stock:
    name = "(b) stock backend"

    def push(self, value):
        from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend

        return XComObjectStorageBackend.serialize_value(value, **COORDS)

    def pull(self, handle):
        from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend

        return XComObjectStorageBackend.deserialize_value(Row(handle))

    def stored(self, handle):
        fs, path = fs_of(handle)
        return fs.size(path)

    def cleanup(self, handle):
        fs, path = fs_of(handle)
        fs.rm_file(path)

    def supports(self, value):
        return not isinstance(value, np.ndarray)  # the stock backend refuses arrays


class Tutorial:
    name = "(c) tutorial (CSV / JSON temp file)"

    def __init__(self, base):
        self.base = base
        self.n = 0

    def push(self, value):
        self.n += 1
        fs, root = fs_of(self.base)
        with tempfile.TemporaryDirectory() as tmp:
            if isinstance(value, pd.DataFrame):
                local, name = os.path.join(tmp, "v.csv"), f"tutorial-{self.n}.csv"
                value.to_csv(local, index=False)
            else:
                local, name = os.path.join(tmp, "v.json"), f"tutorial-{self.n}.json"
                with open(local, "w") as f:
                    json.dump(value, f)
            if self.base.startswith("file://"):
                fs.makedirs(root, exist_ok=True)
            fs.put_file(local, f"{root}/{name}")
        return f"{root}/{name}"

    def pull(self, handle):
        fs, _ = fs_of(self.base)
        with tempfile.TemporaryDirectory() as tmp:
            local = os.path.join(tmp, "v")
            fs.get_file(handle, local)
            if handle.endswith(".csv"):
                return pd.read_csv(local, parse_dates=["at"])
            with open(local) as f:
                return json.load(f)

    def stored(self, handle):
        fs, _ = fs_of(self.base)
        return fs.size(handle)

    def cleanup(self, handle):
        fs, _ = fs_of(self.base)
        fs.rm_file(handle)

    def supports(self, value):
        return not isinstance(
            value, np.ndarray
        )  # the tutorial handles DataFrames and JSON


class Floor:
    name = "(d) raw fsspec, same bytes (floor)"

    def __init__(self, base):
        self.base = base
        self.n = 0

    def push(self, value):
        self.n += 1
        buf = io.BytesIO()
        if isinstance(value, pd.DataFrame):
            value.to_parquet(buf, engine="pyarrow", compression="zstd")
            name = f"floor-{self.n}.parquet"
        elif isinstance(value, np.ndarray):
            np.save(buf, value, allow_pickle=False)
            name = f"floor-{self.n}.npy"
        else:
            import gzip

            # The kit's gzip level, so the floor stores the same bytes.
            buf.write(gzip.compress(json.dumps(value).encode(), compresslevel=6))
            name = f"floor-{self.n}.json.gz"
        fs, root = fs_of(self.base)
        if self.base.startswith("file://"):
            fs.makedirs(root, exist_ok=True)
        fs.pipe_file(f"{root}/{name}", buf.getvalue())
        return f"{root}/{name}"

    def pull(self, handle):
        fs, _ = fs_of(self.base)
        data = fs.cat_file(handle)
        if handle.endswith(".parquet"):
            import pyarrow as pa
            import pyarrow.parquet as pq

            return pq.read_table(pa.BufferReader(data)).to_pandas()
        if handle.endswith(".npy"):
            return np.load(io.BytesIO(data), allow_pickle=False)
        import gzip

        return json.loads(gzip.decompress(data))

    def stored(self, handle):
        fs, _ = fs_of(self.base)
        return fs.size(handle)

    def cleanup(self, handle):
        fs, _ = fs_of(self.base)
        fs.rm_file(handle)


# --- running ---------------------------------------------------------------------------------------


def configure(base: str, compression: str) -> None:
    os.environ["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH"] = base
    os.environ["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD"] = "0"
    os.environ["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION"] = compression
    from airflow.providers.common.io.xcom import backend as stock
    from airflow_xcomkit.config import clear_caches

    clear_caches()
    for fn in (stock._get_base_path, stock._get_threshold, stock._get_compression):
        fn.cache_clear()


def round_trip(approach, value):
    """One push and one pull; returns (push s, pull s, stored bytes, push RSS growth, pull RSS growth)."""
    with PeakRss() as push_mem:
        t0 = time.perf_counter()
        handle = approach.push(value)
        t1 = time.perf_counter()
    with PeakRss() as pull_mem:
        t2 = time.perf_counter()
        back = approach.pull(handle)
        t3 = time.perf_counter()
    del back
    stored = approach.stored(handle)
    approach.cleanup(handle)
    return t1 - t0, t3 - t2, stored, push_mem.growth, pull_mem.growth


def measure_interleaved(approaches, value, runs):
    """``runs`` rounds, each running every approach once in turn, so load on a shared machine
    falls on all of them alike; medians per approach."""
    samples = {a.name: [] for a in approaches}
    round_trip(
        approaches[0], value
    )  # warm-up: first-use imports and connections, not measured
    for _ in range(runs):
        for approach in approaches:
            samples[approach.name].append(round_trip(approach, value))
    results = {}
    for name, rows in samples.items():
        pushes, pulls = [r[0] for r in rows], [r[1] for r in rows]
        results[name] = {
            "push": statistics.median(pushes),
            "pull": statistics.median(pulls),
            "total": statistics.median(
                [a + b for a, b in zip(pushes, pulls, strict=True)]
            ),
            "stored": rows[-1][2],
            "push_rss": max(r[3] for r in rows),
            "pull_rss": max(r[4] for r in rows),
        }
    return results


def value_size(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True).sum())
    return len(json.dumps(value))


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--storage", default="file,s3")
    parser.add_argument("--values", default="dataframe,json-1mb,json-50mb,ndarray")
    parser.add_argument("--compression", default="gzip")
    args = parser.parse_args()

    values = make_values(args.values.split(","))
    print(
        f"# bench-runtime: {args.runs} runs each, compression {args.compression!r}, python {sys.version.split()[0]}"
    )
    sizes = {name: value_size(value) for name, value in values.items()}
    for name in values:
        print(f"#   {name}: N = {mb(sizes[name])} (in memory; JSON: its encoded text)")
    results = {}
    with (
        tempfile.TemporaryDirectory(prefix="xcomkit-bench-store-") as local,
        servers.moto_server() as moto,
    ):
        import boto3

        boto3.client(
            "s3", endpoint_url=moto.url, region_name="us-east-1"
        ).create_bucket(Bucket="bench-bucket")
        os.environ["AIRFLOW_CONN_BENCH_S3"] = json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {"region_name": "us-east-1", "endpoint_url": moto.url},
            }
        )
        bases = {
            "file": f"file://{local}/xcom",
            "s3": "s3://bench_s3@bench-bucket/xcom",
        }
        for storage in args.storage.split(","):
            base = bases[storage]
            configure(base, args.compression)
            approaches = [
                Kit(),
                Stock(),
                Tutorial(base + "/tutorial"),
                Floor(base + "/floor"),
            ]
            for vname, value in values.items():
                usable = [
                    a
                    for a in approaches
                    if not hasattr(a, "supports") or a.supports(value)
                ]
                measured = measure_interleaved(usable, value, args.runs)
                for approach in usable:
                    r = measured[approach.name]
                    results[(storage, vname, approach.name)] = r
                    print(
                        f"{storage:4} {vname:10} {approach.name:38} total {r['total']:7.3f} s "
                        f"(push {r['push']:.3f}, pull {r['pull']:.3f})  stored {mb(r['stored']):>9}  "
                        f"peak RSS +{mb(r['push_rss'])} push, +{mb(r['pull_rss'])} pull",
                        flush=True,
                    )
    print()
    print(
        "| storage | value | approach | push+pull (median) | vs stock | vs floor | stored "
        "| peak RSS push / pull | in N |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (storage, vname, aname), r in results.items():
        stock = results.get((storage, vname, Stock.name))
        floor = results.get((storage, vname, Floor.name))
        vs_stock = (
            f"{stock['total'] / r['total']:.2f}× faster" if stock else "stock refuses"
        )
        vs_floor = f"{r['total'] / floor['total']:.2f}×" if floor else "—"
        n = sizes[vname]
        print(
            f"| {storage} | {vname} | {aname} | {r['total']:.3f} s | {vs_stock} | {vs_floor} | "
            f"{mb(r['stored'])} | +{mb(r['push_rss'])} / +{mb(r['pull_rss'])} | "
            f"{r['push_rss'] / n:.2f} N / {r['pull_rss'] / n:.2f} N |"
        )
    for storage in args.storage.split(","):
        kit = results.get((storage, "dataframe", Kit.name))
        csv = results.get((storage, "dataframe", Tutorial.name))
        if kit and csv:
            print(
                f"\n{storage}: stored DataFrame bytes, airflow-xcomkit / CSV = {kit['stored'] / csv['stored']:.3f}"
            )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(HOME, ignore_errors=True)

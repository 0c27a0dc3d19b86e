"""Benchmark of the runtime XCom backend against the stock backend, the tutorial approach and the floor.

Usage (from the repository root, after scripts/setup-python.sh):

    .venv/bin/python scripts/bench-runtime.py [--runs 5] [--storage file,s3] [--values dataframe,...]

Each value is pushed and pulled through the backend API (``serialize_value`` / ``deserialize_value``)
by (a) airflow-xcomkit, (b) the stock ``XComObjectStorageBackend``, (c) the tutorial approach
(DataFrame -> CSV temp file -> upload, JSON -> temp file -> upload, and back) and (d) raw fsspec with
the same bytes airflow-xcomkit stores (Parquet/zstd, .npy, JSON), which is the floor. Storage is a
``file://`` directory and S3 on a moto server on loopback, both with the kit's default ``gzip``
compression. It prints medians of ``--runs`` round trips (the approaches take turns within each
round, after one warm-up round trip), wall and CPU time (the process's, all threads) and their
ratios, and the stored bytes. Memory is measured in a fresh process per push and per pull
(``--skip-memory`` leaves it out, ``--skip-timing`` runs only it): the peak RSS growth of the
operation, sampled every 2 ms after freed memory was returned to the OS, as a multiple of the
value's size N in memory (an array's nbytes, a DataFrame's ``memory_usage(deep=True)``, the Python
objects of a JSON value), and whether it is within 2N + 32 MiB. A script, not a test: timings
depend on the machine.
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
    }
)

_spec = importlib.util.spec_from_file_location(
    "xcomkit_bench_servers", ROOT / "runtime" / "tests" / "servers.py"
)
servers = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = servers
_spec.loader.exec_module(servers)
_spec = importlib.util.spec_from_file_location(
    "xcomkit_bench_sizes", ROOT / "runtime" / "tests" / "sizes.py"
)
_sizes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sizes)
value_size = _sizes.value_size

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
    if "pyarrow" in sys.modules:
        # Arrow's own allocator (mimalloc in the Linux wheels, as users get it) keeps freed pages.
        sys.modules["pyarrow"].default_memory_pool().release_unused()


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
            # Every row has its own objects, as a value decoded from JSON (or built by a task) has,
            # so the value pushed and the value pulled are the same size in memory.
            def row(i):
                return {
                    "id": i,
                    "name": f"customer-{i % 50_000:05d}",
                    "amount": 100.0 + i % 1000 / 8,
                    "tags": ["a", "b"],
                    "ok": True,
                }

            per_row = len(json.dumps(row(0))) + 2
            values[name] = {"rows": [row(i) for i in range(size // per_row)]}
    if "ndarray" in names:
        values["ndarray"] = np.random.default_rng(1).random(100 * 1024 * 1024 // 8)
    return values


# --- the four approaches ---------------------------------------------------------------------------


def fs_of(url):
    from airflow.sdk import ObjectStoragePath

    p = ObjectStoragePath(url)
    return p.fs, p.path


class Approach:
    def supports(self, value):
        return True


class BackendApproach(Approach):
    """An XCom backend class driven through its API; imported on first use, after the config is set."""

    def backend(self):
        raise NotImplementedError

    def push(self, value):
        return self.backend().serialize_value(value, **COORDS)

    def pull(self, handle):
        return self.backend().deserialize_value(Row(handle))


class Kit(BackendApproach):
    name = "(a) airflow-xcomkit"

    def backend(self):
        from airflow_xcomkit.backend import XComKitBackend

        return XComKitBackend

    def stored(self, handle):
        return handle["__data__"]["size"]

    def cleanup(self, handle):
        self.backend().purge(Row(handle))


class Stock(BackendApproach):
    name = "(b) stock backend"

    def backend(self):
        from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend

        return XComObjectStorageBackend

    def stored(self, handle):
        fs, path = fs_of(handle)
        return fs.size(path)

    def cleanup(self, handle):
        fs, path = fs_of(handle)
        fs.rm_file(path)

    def supports(self, value):
        return not isinstance(value, np.ndarray)  # the stock backend refuses arrays


class DirectApproach(Approach):
    """Objects written straight with fsspec under ``base``, one new name per push."""

    def __init__(self, base):
        self.base = base
        self.n = 0

    def target(self, stem, suffix):
        """The filesystem and a fresh object path for the next push (its folder made on file://)."""
        self.n += 1
        fs, root = fs_of(self.base)
        if self.base.startswith("file://"):
            fs.makedirs(root, exist_ok=True)
        return fs, f"{root}/{stem}-{self.n}{suffix}"

    def stored(self, handle):
        fs, _ = fs_of(self.base)
        return fs.size(handle)

    def cleanup(self, handle):
        fs, _ = fs_of(self.base)
        fs.rm_file(handle)


class Tutorial(DirectApproach):
    name = "(c) tutorial (CSV / JSON temp file)"

    def push(self, value):
        with tempfile.TemporaryDirectory() as tmp:
            if isinstance(value, pd.DataFrame):
                local, suffix = os.path.join(tmp, "v.csv"), ".csv"
                value.to_csv(local, index=False)
            else:
                local, suffix = os.path.join(tmp, "v.json"), ".json"
                with open(local, "w") as f:
                    json.dump(value, f)
            fs, path = self.target("tutorial", suffix)
            fs.put_file(local, path)
        return path

    def pull(self, handle):
        fs, _ = fs_of(self.base)
        with tempfile.TemporaryDirectory() as tmp:
            local = os.path.join(tmp, "v")
            fs.get_file(handle, local)
            if handle.endswith(".csv"):
                return pd.read_csv(local, parse_dates=["at"])
            with open(local) as f:
                return json.load(f)

    def supports(self, value):
        return not isinstance(
            value, np.ndarray
        )  # the tutorial handles DataFrames and JSON


class Floor(DirectApproach):
    name = "(d) raw fsspec, same bytes (floor)"

    def push(self, value):
        buf = io.BytesIO()
        if isinstance(value, pd.DataFrame):
            value.to_parquet(buf, engine="pyarrow", compression="zstd")
            suffix = ".parquet"
        elif isinstance(value, np.ndarray):
            np.save(buf, value, allow_pickle=False)
            suffix = ".npy"
        else:
            import gzip

            # The kit's gzip level, so the floor stores the same bytes.
            buf.write(gzip.compress(json.dumps(value).encode(), compresslevel=6))
            suffix = ".json.gz"
        fs, path = self.target("floor", suffix)
        fs.pipe_file(path, buf.getvalue())
        return path

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
    """One push and one pull; returns (push s, pull s, stored bytes)."""
    t0 = time.perf_counter()
    handle = approach.push(value)
    t1 = time.perf_counter()
    back = approach.pull(handle)
    t2 = time.perf_counter()
    del back
    stored = approach.stored(handle)
    approach.cleanup(handle)
    return t1 - t0, t2 - t1, stored


def measure_interleaved(approaches, value, runs):
    """``runs`` rounds, each running every approach once in turn, so load on a shared machine
    falls on all of them alike; medians per approach (wall clock and the process's CPU time)."""
    samples = {a.name: [] for a in approaches}
    round_trip(
        approaches[0], value
    )  # warm-up: first-use imports and connections, not measured
    for _ in range(runs):
        for approach in approaches:
            cpu = time.process_time()
            push, pull, stored = round_trip(approach, value)
            samples[approach.name].append(
                (push, pull, stored, time.process_time() - cpu)
            )
    results = {}
    for name, rows in samples.items():
        pushes, pulls = [r[0] for r in rows], [r[1] for r in rows]
        results[name] = {
            "push": statistics.median(pushes),
            "pull": statistics.median(pulls),
            "total": statistics.median(
                [a + b for a, b in zip(pushes, pulls, strict=True)]
            ),
            "cpu": statistics.median([r[3] for r in rows]),
            "stored": rows[-1][2],
        }
    return results


def approaches_for(base):
    return {
        "kit": Kit(),
        "stock": Stock(),
        "tutorial": Tutorial(base + "/tutorial"),
        "floor": Floor(base + "/floor"),
    }


def memory_case(case: str, base: str, compression: str) -> None:
    """In a fresh process: the peak RSS growth of one push or one pull of one value by one approach.

    For a pull, the value is pushed first and dropped, and freed memory is returned to the OS, so
    the growth is what the pull itself needs, the returned value included.
    """
    vname, key, op = case.split(":")
    configure(base, compression)
    approach = approaches_for(base)[key]
    value = make_values([vname])[vname]
    # Warm-up with a small value of the same kind: imports, connections, first-use caches.
    small = (
        value[:10]
        if isinstance(value, pd.DataFrame | np.ndarray)
        else {"rows": value["rows"][:10]}
    )
    approach.cleanup(approach.push(small))
    warm = approach.push(small)
    approach.pull(warm)
    approach.cleanup(warm)
    del small
    if op == "push":
        with PeakRss() as mem:
            handle = approach.push(value)
    else:
        handle = approach.push(value)
        del value
        with PeakRss() as mem:
            back = approach.pull(handle)
        del back
    approach.cleanup(handle)
    print(json.dumps({"growth": mem.growth}))


def measure_memory(storage, base, vname, key, op, compression, env) -> int:
    import subprocess

    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory-case",
            f"{vname}:{key}:{op}",
            "--base",
            base,
            "--compression",
            compression,
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(
            f"memory case {vname}:{key}:{op} on {storage} failed:\n{out.stderr[-3000:]}"
        )
    return json.loads(out.stdout.strip().splitlines()[-1])["growth"]


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


#: The memory goal: a push or a pull of a value of N bytes needs at most 2N plus this constant.
MEMORY_CONSTANT = 32 * 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--storage", default="file,s3")
    parser.add_argument("--values", default="dataframe,json-1mb,json-50mb,ndarray")
    parser.add_argument("--compression", default="gzip")
    parser.add_argument(
        "--skip-memory", action="store_true", help="timings and stored bytes only"
    )
    parser.add_argument("--skip-timing", action="store_true", help="memory only")
    parser.add_argument(
        "--memory-case", help=argparse.SUPPRESS
    )  # internal: one fresh-process measurement
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_case:
        memory_case(args.memory_case, args.base, args.compression)
        return 0

    names = args.values.split(",")
    values = make_values(names)
    print(
        f"# bench-runtime: {args.runs} runs each, compression {args.compression!r}, python {sys.version.split()[0]}"
    )
    sizes = {name: value_size(value) for name, value in values.items()}
    texts = {
        name: len(json.dumps(v))
        for name, v in values.items()
        if not isinstance(v, np.ndarray | pd.DataFrame)
    }
    for name in values:
        extra = f", JSON text {mb(texts[name])}" if name in texts else ""
        print(f"#   {name}: N = {mb(sizes[name])} in memory{extra}")
    if args.skip_timing:
        values = {}  # the children build their own; the parent's copies only cost memory
    results = {}
    memory = {}
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
            keyed = approaches_for(base)
            for vname in names:
                value = values.get(vname)
                usable = [(key, a) for key, a in keyed.items() if a.supports(value)]
                if not args.skip_timing:
                    measured = measure_interleaved(
                        [a for _, a in usable], value, args.runs
                    )
                for key, approach in usable:
                    r = measured[approach.name] if not args.skip_timing else {}
                    results[(storage, vname, approach.name)] = r
                    if not args.skip_memory:
                        memory[(storage, vname, approach.name)] = tuple(
                            measure_memory(
                                storage,
                                base,
                                vname,
                                key,
                                op,
                                args.compression,
                                os.environ.copy(),
                            )
                            for op in ("push", "pull")
                        )
                    line = f"{storage:4} {vname:10} {approach.name:38}"
                    if r:
                        line += (
                            f" total {r['total']:7.3f} s (push {r['push']:.3f}, pull {r['pull']:.3f}, "
                            f"cpu {r['cpu']:.3f})  stored {mb(r['stored']):>9}"
                        )
                    if memory.get((storage, vname, approach.name)):
                        push_mem, pull_mem = memory[(storage, vname, approach.name)]
                        n = sizes[vname]
                        line += f"  peak RSS +{mb(push_mem)} push ({push_mem / n:.2f} N), +{mb(pull_mem)} pull ({pull_mem / n:.2f} N)"
                    print(line, flush=True)
    print()
    if not args.skip_timing:
        print(
            "| storage | value | approach | push+pull (median) | vs stock | vs floor | CPU vs stock | CPU vs floor | stored |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for (storage, vname, aname), r in results.items():
            stock = results.get((storage, vname, Stock.name))
            floor = results.get((storage, vname, Floor.name))
            vs_stock = (
                f"{stock['total'] / r['total']:.2f}× faster"
                if stock
                else "stock refuses"
            )
            vs_floor = f"{r['total'] / floor['total']:.2f}×" if floor else "—"
            cpu_stock = f"{stock['cpu'] / r['cpu']:.2f}× faster" if stock else "—"
            cpu_floor = f"{r['cpu'] / floor['cpu']:.2f}×" if floor else "—"
            if aname == Stock.name:
                vs_stock = cpu_stock = "—"
            print(
                f"| {storage} | {vname} | {aname} | {r['total']:.3f} s | {vs_stock} | {vs_floor} | "
                f"{cpu_stock} | {cpu_floor} | {mb(r['stored'])} |"
            )
        for storage in args.storage.split(","):
            kit = results.get((storage, "dataframe", Kit.name))
            csv = results.get((storage, "dataframe", Tutorial.name))
            if kit and csv:
                print(
                    f"\n{storage}: stored DataFrame bytes, airflow-xcomkit / CSV = {kit['stored'] / csv['stored']:.3f}"
                )
    if memory:
        print()
        print(
            "| storage | value | approach | peak RSS push | peak RSS pull | push / N | pull / N "
            f"| within 2N + {MEMORY_CONSTANT // 2**20} MiB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        failed = []
        for (storage, vname, aname), (push_mem, pull_mem) in memory.items():
            n = sizes[vname]
            ok = max(push_mem, pull_mem) <= 2 * n + MEMORY_CONSTANT
            if aname == Kit.name and not ok:
                failed.append(f"{storage} {vname}")
            print(
                f"| {storage} | {vname} | {aname} | +{mb(push_mem)} | +{mb(pull_mem)} | "
                f"{push_mem / n:.2f} | {pull_mem / n:.2f} | {'yes' if ok else 'NO'} |"
            )
        print(
            f"\nairflow-xcomkit within 2N + {MEMORY_CONSTANT // 2**20} MiB on every push and pull: "
            + ("yes" if not failed else "NO: " + ", ".join(failed))
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(HOME, ignore_errors=True)

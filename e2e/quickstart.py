"""The quickstart's last step: the sample DAG in a real Airflow, on every cloud of the local cloud,
with the stock and with the runtime backend, then a table of what landed where.

Each run is its own Airflow process with its own AIRFLOW_HOME, copied from one migrated once and
reused while the Airflow version stays the same, so runs can go side by side and a second quickstart
migrates nothing. The Airflow settings are only those ``xcomkit env`` wrote; the platform's part
(endpoints, local credentials) comes from the ``ambient.env`` of ``xcomkit local up``. The runs are
forked from this process once it has imported the third-party libraries they use, and nothing of
Airflow (``localcloud/warm.py`` says why that is safe); ``--no-fork`` starts each as a fresh
interpreter instead.

    python e2e/quickstart.py --state-dir .xcomkit/local --settings out/local --home .xcomkit/quickstart
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(E2E_DIR))

from localcloud import inspect, warm  # noqa: E402
from roundtrip import DAG_FILE, DAG_ID, RUNTIME_REFERENCE, xcom_rows  # noqa: E402

VENV_BIN = Path(sys.executable).parent
CLOUDS = ["aws", "gcp", "azure"]
BACKENDS = ["stock", "xcomkit"]
SCHEME = {"aws": "s3", "gcp": "gs", "azure": "abfs"}
# Not inherited from the caller: Airflow settings and cloud credentials come only from the files.
DROPPED = ("AIRFLOW", "AWS_", "AZURE_", "GOOGLE_", "GCSFS_", "STORAGE_EMULATOR_HOST")


def infra_env(home: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    return {
        **base,
        "AIRFLOW_HOME": str(home),
        # Explicit: the copied airflow.cfg would still name the template's database.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAG_FILE.parent),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


def airflow_version() -> str:
    from importlib.metadata import version

    return version("apache-airflow")


def template_home(root: Path) -> Path:
    """A migrated AIRFLOW_HOME, made once per Airflow version."""
    template = root / "template"
    stamp = template / ".airflow-version"
    if stamp.exists() and stamp.read_text() == airflow_version() and (template / "airflow.db").exists():
        return template
    shutil.rmtree(template, ignore_errors=True)
    template.mkdir(parents=True)
    result = subprocess.run(  # noqa: PLW1510
        [str(VENV_BIN / "airflow"), "db", "migrate"], env=infra_env(template), capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise SystemExit(f"airflow db migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    stamp.write_text(airflow_version())
    return template


def dotenv(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def run_dag_in_child() -> int:
    """The forked child's work: what ``run_dag.py`` does as a script."""
    import run_dag

    return run_dag.main(str(DAG_FILE), DAG_ID)


def dag_job(cloud: str, backend: str, home: Path, settings: Path, ambient: dict[str, str]) -> warm.Job:
    env = {**infra_env(home), **ambient, **dotenv(settings)}
    return warm.Job(
        name=f"{cloud}-{backend}",
        env=env,
        cwd=home,
        log=home / "dag-run.log",
        target=run_dag_in_child,
        argv=[sys.executable, str(E2E_DIR / "run_dag.py"), str(DAG_FILE), DAG_ID],
    )


def outcome(cloud: str, backend: str, job: warm.Job) -> dict:
    out = {"cloud": cloud, "backend": backend, "seconds": job.seconds, "cpu": job.cpu, "log": job.log}
    try:
        last = json.loads(job.log.read_text().strip().splitlines()[-1])
        out.update(state=last["state"], run_id=last["run_id"])
    except (OSError, IndexError, ValueError, KeyError, TypeError):
        out.update(state=f"error (exit {job.exit_code})", run_id=None)
    return out


def stored_paths(home: Path, run_id: str | None) -> list[str]:
    """The object paths the run's XCom rows reference (stock: the path; runtime: its envelope's)."""
    if not run_id:
        return []
    paths = []
    for value in xcom_rows(home, run_id).values():
        if isinstance(value, str) and "://" in value:
            paths.append(value)
        elif isinstance(value, dict) and value.get("__classname__") == RUNTIME_REFERENCE:
            paths.append(value["__data__"]["path"])
    return paths


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", required=True, type=Path)
    parser.add_argument("--settings", required=True, type=Path, help="directory of dev.<cloud>.<backend>.env")
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--no-fork", action="store_true", help="start every run as a fresh interpreter (slower)")
    args = parser.parse_args(argv)
    args.home = args.home.resolve()  # Airflow refuses a relative SQLite path

    state = json.loads((args.state_dir / "state.json").read_text())
    ambient = inspect.read_ambient(state["ambient"])
    template = template_home(args.home)
    jobs = []
    for cloud in CLOUDS:
        if cloud not in state["deployed"]:
            continue
        for backend in BACKENDS:
            home = args.home / f"{cloud}-{backend}"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(template, home, ignore=shutil.ignore_patterns("airflow.cfg", "logs"))
            settings = args.settings / f"{state['env']}.{cloud}.{backend}.env"
            jobs.append((cloud, backend, dag_job(cloud, backend, home, settings, ambient)))

    # The parent holds the platform's part only; each child adds its own Airflow settings.
    parent_env = {**{k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}, **ambient}
    os.environ.clear()
    os.environ.update(parent_env)
    if args.no_fork:
        parent_env = {}  # no run matches it: every run is a fresh interpreter
    else:
        started = time.monotonic()
        module_list = args.home / "preload-modules.txt"
        key = f"{sys.executable} apache-airflow {airflow_version()}"
        loaded, _ = warm.preload(warm.read_module_list(module_list, key))
        print(f"preloaded {loaded} third-party modules for the runs in {time.monotonic() - started:.1f} s (no Airflow module)")
    # Side by side, one per core: each run is one Airflow process that keeps a core busy.
    modules = warm.run_all([j for _, _, j in jobs], parent_env, parallel=max(2, os.cpu_count() or 2), timeout=300)
    if modules and not args.no_fork:
        warm.write_module_list(module_list, key, modules)
    results = [outcome(cloud, backend, job) for cloud, backend, job in jobs]

    rows, failed, listed_objects = [], 0, {}
    for r in results:
        deployed = state["deployed"][r["cloud"]]
        home = args.home / f"{r['cloud']}-{r['backend']}"
        paths = stored_paths(home, r.get("run_id"))
        if r["cloud"] not in listed_objects:  # one listing per bucket, after all its runs
            prefix = f"{deployed['prefix']}/{DAG_ID}/"
            listed_objects[r["cloud"]] = dict(inspect.list_objects(r["cloud"], deployed, ambient, prefix=prefix))
        sizes = listed_objects[r["cloud"]]
        keys = [p.split("@", 1)[1].split("/", 1)[1] for p in paths]
        total = sum(sizes.get(k, 0) for k in keys)
        present = sum(1 for k in keys if k in sizes)
        where = os.path.commonpath(keys) + "/" if keys else "-"
        container = f"{deployed['account']}/{deployed['bucket']}" if r["cloud"] == "azure" else deployed["bucket"]
        ok = r["state"] == "success" and present == len(keys) > 0
        failed += not ok
        rows.append(
            [
                r["cloud"],
                r["backend"],
                r["state"],
                f"{present}",
                f"{total:,}",
                f"{r['seconds']:.1f}s",
                f"{r['cpu']:.1f}s",
                f"{SCHEME[r['cloud']]}://{container}/{where}" if keys else "-",
            ]
        )
        if not ok:
            rows[-1][2] += f" (log: {r['log']})"
    header = ["cloud", "backend", "run state", "objects", "bytes", "run", "CPU", "where (under the prefix)"]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

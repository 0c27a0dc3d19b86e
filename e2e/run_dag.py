"""Runs one DAG of ``e2e/dags`` with ``dag.test()``; executed in a subprocess with the env under test.

Prints one JSON line, ``{"state": ..., "run_id": ..., "dag_id": ...}``, as its last line of output.
"""

from __future__ import annotations

import importlib.util
import json
import sys


def main(dag_file: str, dag_id: str) -> int:
    spec = importlib.util.spec_from_file_location("e2e_dag_module", dag_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dag = getattr(module, dag_id)()
    run = dag.test()
    state = getattr(run.state, "value", run.state)
    print(json.dumps({"state": str(state), "run_id": run.run_id, "dag_id": run.dag_id}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

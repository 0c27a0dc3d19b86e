import os
import subprocess
import sys

PROBE = """
import sys
import airflow_xcomkit.backend
from airflow.sdk.execution_time.xcom import XCom
heavy = sorted(
    m for m in sys.modules
    if ".hooks" in m or m.startswith("airflow.providers.") and ".fs" in m
    or m.split(".")[0] in {"s3fs", "gcsfs", "adlfs", "boto3", "pandas", "numpy", "pyarrow"}
)
print(f"{XCom.__module__}.{XCom.__qualname__}")
print(",".join(heavy) or "-")
"""


def test_importing_the_backend_first_resolves_it_and_imports_no_hook_or_heavy_library():
    # A fresh interpreter whose first import is the backend module: the import-cycle case.
    env = {**os.environ, "AIRFLOW__CORE__XCOM_BACKEND": "airflow_xcomkit.backend.XComKitBackend"}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env)
    resolved, heavy = (
        out.stdout.strip().split("\n") if "\n" in out.stdout.strip() else (out.stdout.strip(), "")
    )
    assert resolved == "airflow_xcomkit.backend.XComKitBackend"
    assert heavy == "-"
    assert "does not define" not in out.stderr

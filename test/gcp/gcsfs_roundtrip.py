"""One XCom push, pull and purge through Airflow's stock object-storage backend and the real gcsfs.

Run by gcsfs-roundtrip.integration.test.ts with the environment xcomkit emits for a GCP binding (plus
an anonymous connection pointed at the fake GCS server). Prints one JSON line: the gcsfs class in
use, the reference, and whether the value read back equals the one written.
"""

import json
import sys
from types import SimpleNamespace

from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend as Backend
from airflow.sdk import ObjectStoragePath

value = {"rows": list(range(300)), "label": "xcom round trip"}
stored = Backend.serialize_value(
    value, key="return_value", task_id="push", dag_id="example_dag", run_id="manual__2026-01-01", map_index=-1
)
reference = stored if isinstance(stored, str) else json.loads(stored)
read_back = Backend.deserialize_value(SimpleNamespace(value=stored))
Backend.purge(SimpleNamespace(value=reference))
fs = ObjectStoragePath(reference).fs
print(
    json.dumps(
        {"fs_class": f"{type(fs).__module__}.{type(fs).__name__}", "reference": reference, "equal": read_back == value}
    )
)
sys.stdout.flush()

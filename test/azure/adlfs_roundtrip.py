"""One XCom push, pull and purge through Airflow's stock object-storage backend and the real adlfs.

Run by adlfs-roundtrip.integration.test.ts with the settings xcomkit emits for an Azure binding; the
connection is a connection string to the recording proxy in front of Azurite. The container is created
first, directly against Azurite (Terraform creates it in a deployment), so the proxy sees only the
backend's own requests. Prints one JSON line: the reference and whether the value read back is equal.
"""

import json
import os
import sys
from types import SimpleNamespace

from azure.storage.blob import BlobServiceClient

BlobServiceClient.from_connection_string(os.environ["AZURITE_DIRECT"]).create_container(os.environ["XCOM_CONTAINER"])

from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend as Backend  # noqa: E402

value = {"rows": list(range(300)), "label": "xcom round trip"}
stored = Backend.serialize_value(
    value, key="return_value", task_id="push", dag_id="example_dag", run_id="manual__2026-01-01", map_index=-1
)
reference = stored if isinstance(stored, str) else json.loads(stored)
read_back = Backend.deserialize_value(SimpleNamespace(value=stored))
Backend.purge(SimpleNamespace(value=reference))
print(json.dumps({"reference": reference, "equal": read_back == value}))
sys.stdout.flush()

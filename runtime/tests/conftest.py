"""Shared fixtures: an isolated AIRFLOW_HOME, per-test storage settings, real storage servers.

Airflow reads ``[core] xcom_backend`` when its task SDK is imported, so the environment is set
here, before any test module imports Airflow.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="xcomkit-airflow-home-")
DAGS_FOLDER = Path(__file__).resolve().parent / "dags"
os.environ.update(
    {
        "AIRFLOW_HOME": _AIRFLOW_HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__XCOM_BACKEND": "airflow_xcomkit.backend.XComKitBackend",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # serde imports only allow-listed classes on read: the test modules' dataclasses and models.
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES": "airflow.* test_value_table.* xcomkit_dags.*",
        # Dummy credentials: the local servers accept any key, and nothing may reach a real cloud.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        # gcsfs (2026.x) defaults to its "extended" filesystem, which probes the bucket over gRPC with
        # TLS; GCS emulators speak plain HTTP only, so the tests use the classic JSON-API filesystem.
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
    }
)
for _var in (
    "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH",
    "AIRFLOW__XCOMKIT__MIRRORS",
    "AIRFLOW__XCOMKIT__INTEGRITY_KEY",
    "AIRFLOW__XCOMKIT__MAX_SIZE",
):
    os.environ.pop(_var, None)

from servers import (  # noqa: E402
    AZURITE_BIN,
    azurite,
    azurite_connection_string,
    gcs_emulator,
    keep_logs,
    keep_tmp_path_logs,
    moto_server,
)

S3_CONN = "aws_xcoms"
GCS_CONN = "gcp_xcoms"
AZURE_CONN = "azure_xcoms"
BUCKET = "xcom-bucket"


def _interrupt_on_sigterm(signum, frame):
    # Turn SIGTERM (a CI time-out, ``timeout``) into KeyboardInterrupt so fixture teardown runs
    # and every server started by the tests is stopped.
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _interrupt_on_sigterm)


def pytest_sessionfinish(session, exitstatus):
    keep_logs(_AIRFLOW_HOME, "airflow-home")  # Airflow's task logs, for the secret scan
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def _keep_tmp_path_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """The ``*.log`` files a test wrote below its ``tmp_path``, kept for the secret scan."""
    yield
    keep_tmp_path_logs(request.node)


class StorageConfig:
    """Sets the backend's options through the environment, as a deployment would, per test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self._mp = monkeypatch

    def __call__(
        self,
        path: str,
        *,
        threshold: int = 0,
        compression: str = "",
        mirrors: list[str] | None = None,
        allowed_types: str | None = None,
        verify_integrity: bool | None = None,
        integrity_key: str | None = None,
        max_size: int | None = None,
    ) -> None:
        from airflow_xcomkit.config import clear_caches

        self._mp.setenv("AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH", path)
        self._mp.setenv("AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD", str(threshold))
        self._mp.setenv("AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION", compression)
        self._mp.setenv("AIRFLOW__XCOMKIT__MIRRORS", json.dumps(mirrors or []))
        if allowed_types is None:
            self._mp.delenv("AIRFLOW__XCOMKIT__ALLOWED_TYPES", raising=False)
        else:
            self._mp.setenv("AIRFLOW__XCOMKIT__ALLOWED_TYPES", allowed_types)
        if verify_integrity is None:
            self._mp.delenv("AIRFLOW__XCOMKIT__VERIFY_INTEGRITY", raising=False)
        else:
            self._mp.setenv("AIRFLOW__XCOMKIT__VERIFY_INTEGRITY", str(verify_integrity).lower())
        for name, option in (("INTEGRITY_KEY", integrity_key), ("MAX_SIZE", max_size)):
            if option is None:
                self._mp.delenv(f"AIRFLOW__XCOMKIT__{name}", raising=False)
            else:
                self._mp.setenv(f"AIRFLOW__XCOMKIT__{name}", str(option))
        clear_caches()


@pytest.fixture
def configure(monkeypatch) -> Iterator[StorageConfig]:
    from airflow_xcomkit.config import clear_caches

    yield StorageConfig(monkeypatch)
    clear_caches()


@pytest.fixture
def local_store(tmp_path) -> Path:
    """A fresh directory for file:/// storage."""
    d = tmp_path / "store"
    d.mkdir()
    return d


def _set_conn(mp: pytest.MonkeyPatch, conn_id: str, conn: dict) -> None:
    mp.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


@pytest.fixture(scope="session")
def s3_server():
    """A moto S3 server with one bucket, reachable through the Airflow connection ``aws_xcoms``."""
    import boto3

    with moto_server() as server, pytest.MonkeyPatch.context() as mp:
        boto3.client(
            "s3",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)
        _set_conn(
            mp,
            S3_CONN,
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {"region_name": "us-east-1", "endpoint_url": server.url},
            },
        )
        yield server


@pytest.fixture
def s3(s3_server, configure, request):
    """The moto server and a prefix of the test's own, configured as the XCom path (threshold 0)."""
    prefix = f"xcom/{request.node.name}"
    configure(f"s3://{S3_CONN}@{BUCKET}/{prefix}", threshold=0)
    return s3_server, prefix


@pytest.fixture(scope="session")
def gcs_server():
    """A GCS emulator with one bucket, reachable through the Airflow connection ``gcp_xcoms``."""
    with gcs_emulator() as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORAGE_EMULATOR_HOST", server.url)
        request = urllib.request.Request(
            f"{server.url}/storage/v1/b?project=test",
            data=json.dumps({"name": BUCKET}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()
        _set_conn(
            mp,
            GCS_CONN,
            {
                "conn_type": "google_cloud_platform",
                "extra": {"is_anonymous": True, "project": "test", "gcs.endpoint": server.url},
            },
        )
        yield server


@pytest.fixture(scope="session")
def azure_server():
    """Azurite with one container, reachable through the Airflow connection ``azure_xcoms``."""
    if not AZURITE_BIN.exists():
        where = AZURITE_BIN.relative_to(AZURITE_BIN.parents[2])
        reason = f"Azurite not installed at {where}; run scripts/install.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)  # CI installs it: a missing server there is a defect, not a skip
        pytest.skip(reason)
    from azure.storage.blob import BlobServiceClient

    with azurite() as server, pytest.MonkeyPatch.context() as mp:
        conn_str = azurite_connection_string(server.port)
        BlobServiceClient.from_connection_string(conn_str).create_container(BUCKET)
        _set_conn(mp, AZURE_CONN, {"conn_type": "wasb", "extra": {"connection_string": conn_str}})
        yield server


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """Run ``airflow db migrate`` once per session into the temporary AIRFLOW_HOME."""
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=300,
    )
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///")

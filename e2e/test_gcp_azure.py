"""The kit's promise on GCP and Azure, end to end, through ``xcomkit local up``'s own code.

The dev environment's CDKTF synth is deployed by ``localcloud.local.up`` into the GCS emulator and
Azurite (names, container, lifecycle where the server stores it), its outputs are read by
``xcomkit env`` exactly as ``terraform output -json`` would be, and a real Airflow with the stock
and with the runtime backend pushes and pulls a large JSON value, a dict and a DataFrame. The
servers enforce no IAM: what they cannot check is listed by ``local up`` and proven by the
template-level tests (test/gcp/iam.test.ts, test/azure/abac.test.ts).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, DagRunResult, read_xcomkit_env, run_dag
from localcloud import inspect
from localcloud.local import down, up
from roundtrip import (
    assert_large_object,
    assert_runtime_references,
    assert_stock_references,
    dag_module,
    runtime_new_keys,
    stock_run_keys,
    xcom_rows,
)

CLOUDS = ["gcp", "azure"]
BACKENDS = {
    "stock": "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend",
    "xcomkit": "airflow_xcomkit.backend.XComKitBackend",
}
SCHEME = {"gcp": "gs", "azure": "abfs"}
CONN_ID = {"gcp": "gcp_xcoms", "azure": "azure_xcoms"}


@dataclass
class LocalCloud:
    state: dict[str, Any]
    ambient: dict[str, str]

    def deployed(self, cloud: str) -> dict[str, Any]:
        return self.state["deployed"][cloud]

    def keys(self, cloud: str) -> list[str]:
        return [k for k, _ in inspect.list_objects(cloud, self.deployed(cloud), self.ambient)]


@pytest.fixture(scope="session")
def cdktf_out(work_dir: Path) -> Path:
    """CDKTF synth of the shipped dev environment (the same synth `npm run quickstart` makes)."""
    out = work_dir / "cdktf.out"
    result = subprocess.run(  # noqa: PLW1510 (the return code is asserted with the output)
        ["npx", "tsx", "bin/terraform.ts", "dev"],
        cwd=REPO,
        env={**os.environ, "CDKTF_OUTDIR": str(out)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"CDKTF synth failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return out


@pytest.fixture(scope="session")
def local_cloud(cdktf_out: Path, work_dir: Path) -> Iterator[LocalCloud]:
    state_dir = work_dir / "local"
    state = up("dev", work_dir / "no-cdk-out", cdktf_out, state_dir, CLOUDS)
    try:
        yield LocalCloud(state, inspect.read_ambient(state["ambient"]))
    finally:
        stopped = down(state_dir)
        assert all(was_running for _, was_running in stopped), stopped


@pytest.fixture(scope="session")
def runs(
    local_cloud: LocalCloud, work_dir: Path, airflow_home: Path
) -> dict[tuple[str, str], tuple[dict[str, str], DagRunResult, list[str]]]:
    """Every cloud x backend: xcomkit's settings, the DAG run, and the keys present before it."""
    out = {}
    for cloud in CLOUDS:
        for backend in BACKENDS:
            before = local_cloud.keys(cloud)
            outputs = Path(local_cloud.deployed(cloud)["outputs"])
            env = read_xcomkit_env(outputs, work_dir, f"{cloud}-{backend}", "--backend", backend)
            out[(cloud, backend)] = (env, run_dag(airflow_home, env, local_cloud.ambient), before)
    return out


def _base(local_cloud: LocalCloud, cloud: str) -> str:
    return f"{SCHEME[cloud]}://{CONN_ID[cloud]}@{local_cloud.deployed(cloud)['bucket']}/xcom"


@pytest.mark.parametrize("cloud", CLOUDS)
def test_local_up_deploys_the_synthesized_names(local_cloud: LocalCloud, cdktf_out: Path, cloud):
    body = json.loads((cdktf_out / "stacks" / f"{cloud}-dev" / "cdk.tf.json").read_text())
    resource = {"gcp": "google_storage_bucket", "azure": "azurerm_storage_container"}[cloud]
    (synthesized,) = (r["name"] for r in body["resource"][resource].values())
    outputs = json.loads(Path(local_cloud.deployed(cloud)["outputs"]).read_text())
    assert set(outputs) == set(body["output"]), "terraform output -json has one entry per stack output"
    resolved = json.loads(outputs["airflow_binding"]["value"])
    assert resolved["storage"]["bucket"] == local_cloud.deployed(cloud)["bucket"] == synthesized
    assert "${" not in outputs["airflow_binding"]["value"]


# Terraform's lifecycle_rule condition fields and the GCS JSON API's names for them (written out here,
# not taken from the deploy code, so a deploy that drops or renames one fails the read-back).
GCS_CONDITION = {
    "age": "age",
    "matches_prefix": "matchesPrefix",
    "days_since_noncurrent_time": "daysSinceNoncurrentTime",
    "num_newer_versions": "numNewerVersions",
}


def test_gcs_lifecycle_rules_read_back_are_the_stacks(local_cloud: LocalCloud, cdktf_out: Path):
    """What the emulator stores for the bucket (it never runs the rules): the synthesized lifecycle
    rules, read back through the JSON API the way the AWS test reads GetBucketLifecycleConfiguration."""
    body = json.loads((cdktf_out / "stacks" / "gcp-dev" / "cdk.tf.json").read_text())
    (bucket,) = body["resource"]["google_storage_bucket"].values()
    synthesized = bucket["lifecycle_rule"]
    assert synthesized, "the stack declares lifecycle rules"
    url = f"{local_cloud.ambient['STORAGE_EMULATOR_HOST']}/storage/v1/b/{local_cloud.deployed('gcp')['bucket']}"
    with urllib.request.urlopen(url, timeout=10) as response:
        stored = json.loads(response.read())
    rules = stored.get("lifecycle", {}).get("rule", [])
    assert len(rules) == len(synthesized), stored.get("lifecycle")
    for got, rule in zip(rules, synthesized, strict=True):
        assert got["action"]["type"] == rule["action"]["type"]
        condition = rule["condition"]
        expected = {api: condition[tf] for tf, api in GCS_CONDITION.items() if condition.get(tf) not in (None, [])}
        if condition.get("with_state") in {"LIVE", "ARCHIVED"}:
            expected["isLive"] = condition["with_state"] == "LIVE"
        assert {k: got["condition"].get(k) for k in expected} == expected, got
    assert [r["action"]["type"] for r in rules] == ["Delete", "Delete", "AbortIncompleteMultipartUpload"]
    assert rules[0]["condition"]["isLive"] is True and rules[1]["condition"]["isLive"] is False
    # The rules act on versions: the bucket keeps them, as the stack declares.
    assert stored.get("versioning", {}).get("enabled") is bucket["versioning"]["enabled"] is True


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("cloud", CLOUDS)
def test_xcomkit_emits_the_backend_and_the_connection_for_the_binding(local_cloud: LocalCloud, runs, cloud, backend):
    env, _, _ = runs[(cloud, backend)]
    binding = json.loads(json.loads(Path(local_cloud.deployed(cloud)["outputs"]).read_text())["airflow_binding"]["value"])
    assert env["AIRFLOW__CORE__XCOM_BACKEND"] == BACKENDS[backend]
    assert env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH"] == _base(local_cloud, cloud) == binding["xcom"]["path"]
    assert env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD"] == str(binding["xcom"]["threshold"])
    assert env["AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION"] == binding["xcom"]["compression"]
    # The connection Airflow uses is the one xcomkit emitted: the only AIRFLOW_CONN_* in its env, and
    # its JSON is the binding's connection (type and every extra, the local endpoint included).
    connections = {k: v for k, v in env.items() if k.startswith("AIRFLOW_CONN_")}
    assert list(connections) == [f"AIRFLOW_CONN_{CONN_ID[cloud].upper()}"]
    emitted = json.loads(connections[f"AIRFLOW_CONN_{CONN_ID[cloud].upper()}"])
    expected = {"conn_type": binding["connection"]["type"], "extra": dict(binding["connection"]["extra"])}
    if cloud == "azure":
        # Airflow's abfs loader computes account_url from the host, so xcomkit names the account's blob
        # host both as the host and as adlfs's account_host (the binding may leave it to the default).
        account_host = expected["extra"].setdefault("account_host", f"{binding['storage']['account']}.blob.core.windows.net")
        expected["host"] = f"https://{account_host}"
    assert emitted == expected


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("cloud", CLOUDS)
def test_airflow_round_trip_succeeds(runs, cloud, backend):
    _, run, _ = runs[(cloud, backend)]
    assert run.state == "success", run.output[-6000:]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_stock_backend_objects_and_references(local_cloud: LocalCloud, runs, airflow_home, cloud):
    _, run, _ = runs[(cloud, "stock")]
    dag = dag_module()
    run_keys = stock_run_keys(local_cloud.keys(cloud), "xcom", run.run_id)
    large = next(k for k in run_keys if k.split("/")[3] == "push_large")
    assert_large_object(inspect.read_object(cloud, local_cloud.deployed(cloud), local_cloud.ambient, large), dag.LARGE)
    assert_stock_references(xcom_rows(airflow_home, run.run_id), _base(local_cloud, cloud), run.run_id, dag.SMALL)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_runtime_backend_objects_and_references(local_cloud: LocalCloud, runs, airflow_home, cloud):
    _, run, before = runs[(cloud, "xcomkit")]
    new = runtime_new_keys(local_cloud.keys(cloud), set(before), "xcom")
    assert any(k.endswith(".parquet") or ".parquet." in k for k in new), new  # the DataFrame as Parquet
    assert_runtime_references(xcom_rows(airflow_home, run.run_id), _base(local_cloud, cloud), dag_module().SMALL)

"""``xcomkit local up``'s AWS half (``localcloud.local.up``) on the suite's synth: what it deploys,
that IAM enforcement is on afterwards, the ``cdk deploy --outputs-file`` shape, and ``down``."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from localcloud.aws import Credentials
from localcloud.cfn import Template
from localcloud.inspect import list_objects, read_ambient
from localcloud.local import LocalError, down, up


@pytest.fixture(scope="module")
def local_aws(synth: Template, work_dir: Path):
    state_dir = work_dir / "local-aws"
    state = up("dev", synth.path.parent, work_dir / "no-cdktf", state_dir, ["aws"])
    try:
        yield state, state_dir
    finally:
        assert down(state_dir) == [("moto", True)]
        assert not state_dir.exists()


def test_outputs_are_the_cdk_outputs_file_shape_with_every_output_resolved(local_aws, synth: Template):
    state, _ = local_aws
    outputs = json.loads(Path(state["deployed"]["aws"]["outputs"]).read_text())
    assert list(outputs) == [synth.stack_name]
    assert set(outputs[synth.stack_name]) == set(synth.body["Outputs"])
    binding = json.loads(outputs[synth.stack_name]["AirflowBinding"])
    assert binding["storage"]["bucket"] == state["deployed"]["aws"]["bucket"]
    # The one local addition: the endpoint as a connection extra.
    url = state["servers"]["moto"]["url"]
    assert binding["connection"]["extra"] == {"region_name": synth.region, "endpoint_url": url}


def test_the_stacks_resources_exist_in_moto(local_aws, synth: Template):
    state, _ = local_aws
    url = state["servers"]["moto"]["url"]
    with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=10) as response:
        data = json.loads(response.read())
    (bucket,) = data["s3"]["FakeBucket"]
    assert bucket["name"] == state["deployed"]["aws"]["bucket"]
    assert bucket["versioning_status"] == "Enabled" and bucket["ownership_rule"] == "BucketOwnerEnforced"
    user = synth.one("AWS::IAM::User")[1]["Properties"]["UserName"]
    assert {u["name"] for u in data["iam"]["User"]} == {user, "airflow-runtime-local"}


def test_iam_enforcement_is_on_after_set_up(local_aws):
    state, _ = local_aws
    stranger = Credentials("AKIAIOSFODNN7EXAMPLE", "not-a-key").client("s3", state["servers"]["moto"]["url"])
    with pytest.raises(ClientError) as raised:
        stranger.list_objects_v2(Bucket=state["deployed"]["aws"]["bucket"])
    assert raised.value.response["Error"]["Code"] in {"InvalidAccessKeyId", "AccessDenied"}


def test_the_runtime_identity_reads_the_secret_and_the_xcom_identity_lists_the_bucket(local_aws):
    state, _ = local_aws
    ambient = read_ambient(state["ambient"])
    assert list_objects("aws", state["deployed"]["aws"], ambient) == []


def test_a_second_up_is_refused_and_leaves_the_first_running(local_aws, synth: Template, work_dir: Path):
    state, state_dir = local_aws
    with pytest.raises(LocalError, match="already up"):
        up("dev", synth.path.parent, work_dir / "no-cdktf", state_dir, ["aws"])
    with urllib.request.urlopen(state["servers"]["moto"]["url"] + "/moto-api/", timeout=10) as response:
        assert response.status == 200

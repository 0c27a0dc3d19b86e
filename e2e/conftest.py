"""Session fixtures of the end-to-end suite: synth, a moto server with IAM enforcement, the
identities of the stack, xcomkit's output, and an Airflow home migrated once.

Nothing here sets an ``AIRFLOW__`` variable that configures XComs: those come only from the file
``xcomkit env`` writes. The test adds infrastructure only (see :func:`infra_env`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from localcloud.aws import (
    Credentials,
    bucket_arn,
    create_user_with_policy,
    deploy,
    setup_client,
)
from localcloud.cfn import REGION, Template
from servers import Server, keep_logs, keep_tmp_path_logs, moto_server

E2E_DIR = Path(__file__).resolve().parent
REPO = E2E_DIR.parent
VENV_BIN = Path(sys.executable).parent
DAGS_FOLDER = E2E_DIR / "dags"
DAG_FILE = DAGS_FOLDER / "e2e_xcom_roundtrip.py"
DAG_ID = "e2e_xcom_roundtrip"
ENV_NAME = "dev"
# Effectively unlimited unauthenticated requests for the setup phase; enforcement is switched on
# afterwards through moto's reset-auth API (Server.enforce_iam), which does not depend on counting.
SETUP_BUDGET = 1_000_000
MOTO_SECRET_RESOURCE = "*"


def _interrupt_on_sigterm(signum, frame):
    # A CI time-out sends SIGTERM: turn it into KeyboardInterrupt so teardown stops the server.
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _interrupt_on_sigterm)


@pytest.fixture(scope="session")
def work_dir() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="xcomkit-e2e-"))
    try:
        yield d
    finally:
        keep_logs(d, "work")  # Airflow's task logs and every other log below it, for the secret scan
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def _keep_tmp_path_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """The ``*.log`` files a test wrote below its ``tmp_path`` (run.log, ...), kept for the secret scan."""
    yield
    keep_tmp_path_logs(request.node)


@pytest.fixture(scope="session")
def bucket_name() -> str:
    return f"xcomkit-e2e-{secrets.token_hex(4)}"


def _environments_file(path: Path, bucket: str) -> None:
    """The shipped config's defaults and dev environment, with a fixed bucket, us-east-1, user mode."""
    shipped = yaml.safe_load((REPO / "config" / "environments.yaml").read_text())
    dev = shipped["environments"][ENV_NAME]
    aws = dict(dev.get("aws") or {})
    aws.update({"region": REGION, "bucketName": bucket, "identity": {"mode": "user"}})
    dev = {**dev, "aws": aws}
    path.write_text(yaml.safe_dump({"defaults": shipped.get("defaults", {}), "environments": {ENV_NAME: dev}}))


@pytest.fixture(scope="session")
def synth(work_dir: Path, bucket_name: str) -> Template:
    """``cdk synth`` of the dev stack for the test's environments file; the template, unresolved."""
    config = work_dir / "environments.yaml"
    _environments_file(config, bucket_name)
    out = work_dir / "cdk.out"
    result = subprocess.run(  # noqa: PLW1510 (the return code is asserted with the output)
        ["npx", "cdk", "synth", "-c", f"env={ENV_NAME}", "-c", f"config={config}", "-o", str(out), "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"cdk synth failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    manifest = json.loads((out / "manifest.json").read_text())
    stacks = [a for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    assert len(stacks) == 1, [a.get("displayName") for a in stacks]
    props = stacks[0]["properties"]
    return Template(out / props["templateFile"], props["stackName"])


@dataclass
class Aws:
    """The moto server after setup, with IAM enforcement on, and the identities the suite uses."""

    server: Server
    template: Template
    deployed: dict[str, Any]
    admin: Credentials
    secret_reader: Credentials
    no_list_user: Credentials
    no_list_connection: dict[str, Any]
    other_bucket: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def bucket(self) -> str:
        return self.deployed["bucket"]

    @property
    def xcom_user(self) -> Credentials:
        return self.deployed["xcom_user"]


def _without_list_bucket(document: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        kept = [a for a in actions if a != "s3:ListBucket"]
        if kept:
            statements.append({**statement, "Action": kept})
    return {**document, "Statement": statements}


@pytest.fixture(scope="session")
def aws(synth: Template, bucket_name: str) -> Iterator[Aws]:
    with moto_server(SETUP_BUDGET) as server:
        deployed = deploy(synth, server.url, connection_extra={"endpoint_url": server.url}, bucket_properties=True)
        # The identity that runs Airflow reads the connection secret (docs/aws.md: the stack does not
        # grant this; whoever runs Airflow must hold secretsmanager:GetSecretValue on the secret).
        # On AWS the grant names the secret's ARN; moto 5.2.5 authorizes every Secrets Manager call
        # against the resource "*", which a secret-scoped statement never matches, so here the
        # statement is scoped by action only (docs/e2e.md).
        reader = create_user_with_policy(
            server.url,
            "airflow-runtime-e2e",
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": MOTO_SECRET_RESOURCE}],
            },
        )
        admin = create_user_with_policy(
            server.url,
            "e2e-admin",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        )
        # The control identity: the stack's policy with s3:ListBucket removed.
        no_list = create_user_with_policy(
            server.url, "airflow-xcoms-e2e-nolist", _without_list_bucket(deployed["policy_document"])
        )
        no_list_connection = {**deployed["connection"], "login": no_list.access_key_id, "password": no_list.secret_access_key}
        other = f"{bucket_name}-other"
        s3 = setup_client("s3", server.url)
        s3.create_bucket(Bucket=other)
        s3.put_object(Bucket=other, Key="xcom/secret.json", Body=b"{}")
        server.enforce_iam()
        try:
            yield Aws(server, synth, deployed, admin, reader, no_list, no_list_connection, other)
        finally:
            if server.running is False:
                print(server.log_tail())


@pytest.fixture(scope="session")
def outputs_file(aws: Aws, work_dir: Path) -> Path:
    """A ``cdk deploy --outputs-file`` as the stack would produce it: the binding with deploy-time values."""
    binding = aws.template.resolve(aws.template.output("AirflowBinding"))
    path = work_dir / "cdk-outputs.json"
    path.write_text(json.dumps({aws.template.stack_name: {"AirflowBinding": binding}}, indent=2))
    return path


def xcomkit_env(outputs: Path, target: Path, fmt: str, *extra: str) -> str:
    result = subprocess.run(  # noqa: PLW1510 (the return code is asserted with the output)
        ["node", str(REPO / "bin" / "xcomkit.js"), "env", str(outputs), "--format", fmt, "-o", str(target), "--force", *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"xcomkit failed ({result.returncode}):\n{result.stderr}"
    return result.stderr


def read_xcomkit_env(outputs: Path, work_dir: Path, name: str, *extra: str) -> dict[str, str]:
    """xcomkit's dotenv output read by python-dotenv; checked against its json output."""
    from dotenv import dotenv_values

    dotenv_path = work_dir / f"{name}.env"
    json_path = work_dir / f"{name}.json"
    xcomkit_env(outputs, dotenv_path, "dotenv", *extra)
    xcomkit_env(outputs, json_path, "json", *extra)
    values = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}
    assert values == json.loads(json_path.read_text()), "dotenv and json outputs of xcomkit differ"
    return values


@pytest.fixture(scope="session")
def stock_env(outputs_file: Path, work_dir: Path) -> dict[str, str]:
    return read_xcomkit_env(outputs_file, work_dir, "airflow-stock")


@pytest.fixture(scope="session")
def airflow_home(work_dir: Path) -> Path:
    """An AIRFLOW_HOME with a SQLite metadata DB, migrated once per session."""
    home = work_dir / "airflow-home"
    home.mkdir()
    result = subprocess.run(  # noqa: PLW1510 (the return code is asserted with the output)
        [str(VENV_BIN / "airflow"), "db", "migrate"],
        env=infra_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"airflow db migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return home


def infra_env(home: Path) -> dict[str, str]:
    """The process environment minus every Airflow and cloud variable, plus test infrastructure only."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "AWS_", "AZURE_", "GOOGLE_", "GCSFS_", "STORAGE_EMULATOR_HOST"))
    }
    return {
        **base,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def secrets_reader_env(aws: Aws) -> dict[str, str]:
    """How the Airflow process reaches Secrets Manager: the moto endpoint and the reader's key.

    xcomkit's BACKEND_KWARGS carry no endpoint (a deployment needs none), so botocore's
    service-specific endpoint variable points the secrets backend's client at moto. The S3 client
    takes its endpoint from the connection's extra instead; no global AWS_ENDPOINT_URL is set.
    """
    return {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": aws.url,
        "AWS_ACCESS_KEY_ID": aws.secret_reader.access_key_id,
        "AWS_SECRET_ACCESS_KEY": aws.secret_reader.secret_access_key,
    }


@dataclass
class DagRunResult:
    state: str
    run_id: str
    output: str


def run_dag(home: Path, xcomkit_vars: dict[str, str], platform_env: dict[str, str], timeout: int = 240) -> DagRunResult:
    """``dag.test()`` in a subprocess: test infrastructure, then what the platform gives the Airflow
    process (endpoints, the runtime identity), then xcomkit's settings, nothing else."""
    env = {**infra_env(home), **platform_env, **xcomkit_vars}
    result = subprocess.run(  # noqa: PLW1510 (the return code is asserted with the output)
        [sys.executable, str(E2E_DIR / "run_dag.py"), str(DAG_FILE), DAG_ID],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + "\n" + result.stderr
    # What Airflow printed (dag.test() logs the tasks to the console), in the work folder for the
    # secret scan of scripts/test.sh (kept with the work folder's other logs).
    runs = home / "dag-runs"
    runs.mkdir(exist_ok=True)
    (runs / f"{len(list(runs.iterdir())) + 1:03d}.log").write_text(output)
    assert result.returncode == 0, f"dag.test() process failed ({result.returncode}):\n{output[-6000:]}"
    last = json.loads(result.stdout.strip().splitlines()[-1])
    return DagRunResult(last["state"], last["run_id"], output)


def object_arn(bucket: str, key: str) -> str:
    return f"{bucket_arn(bucket)}/{key}"

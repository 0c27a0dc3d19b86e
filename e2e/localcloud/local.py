"""``xcomkit local up|down|status``: the synthesized stacks of one environment, deployed into local
servers, with deploy outputs in the shapes ``cdk deploy --outputs-file`` and ``terraform output
-json`` write.

State (ports, PIDs, what was deployed) is kept in ``<state dir>/state.json``; the outputs and the
ambient environment file go next to it:

- ``<env>/aws-outputs.json``    ``{"<stack>": {"AirflowBinding": "...", ...}}``
- ``<env>/gcp-outputs.json``    ``{"airflow_binding": {"value": "...", "type": "string", "sensitive": false}, ...}``
- ``<env>/azure-outputs.json``  same shape
- ``<env>/ambient.env``         what the Airflow process's platform would provide on the cloud
  (instance role, workload identity): here the endpoints and the local credentials.

Bad input or a failing server never leaves half a local cloud: everything started is stopped and
the state removed before the error is reported.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from . import aws as aws_deploy
from . import azure as azure_deploy
from . import cfn, servers, tf
from . import gcp as gcp_deploy
from .limits import as_json as limits_json
from .limits import render as render_limits

CLOUDS = ("aws", "gcp", "azure")
STATE_FILE = "state.json"
# moto authorizes every Secrets Manager call against resource "*" (docs/e2e.md), so the local runtime
# identity's statement is scoped by action only.
RUNTIME_READER = "airflow-runtime-local"


class LocalError(Exception):
    pass


def _write(path: Path, text: str, mode: int = 0o600) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    tmp.replace(path)


def read_state(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _servers(state: dict[str, Any]) -> list[servers.RunningServer]:
    return [servers.RunningServer(**{k: v for k, v in s.items() if k != "url"}) for s in state.get("servers", {}).values()]


# The identities the local servers can stand in for: an IAM user with its key in Secrets Manager (moto
# has both), and keyless workload identity on GCP and Azure (its stand-in is the ambient local
# credential). Role mode needs STS web identity, key mode a Secret Manager or Key Vault emulator.
LOCAL_IDENTITY_MODES = {"aws": "user", "gcp": "workload-identity", "azure": "workload-identity"}


def _identity_mode(cloud: str, stack: Any) -> str:
    if cloud == "aws":
        return "user" if stack.of_type(aws_deploy.USER) else "role"
    # A CDKTF output value is a JSON string whose references sit inside string values: still JSON.
    return json.loads(stack.body["output"]["airflow_binding"]["value"])["identity"]["mode"]


def _find_stacks(env: str, cdk_out: Path, cdktf_out: Path, clouds: list[str], explicit: bool) -> dict[str, Any]:
    """The environment's synthesized stacks; a cloud the environment does not deploy to is skipped
    unless it was asked for by name."""
    found: dict[str, Any] = {}
    problems = []
    if "aws" in clouds:
        stacks = cfn.stacks_in(cdk_out) if (cdk_out / "manifest.json").exists() else None
        if stacks is None:
            problems.append(f"aws: no synth in {cdk_out} (run: npm run synth -- --cdk-out {cdk_out})")
        elif env in stacks:
            found["aws"] = stacks[env]
        elif explicit:
            problems.append(f"aws: {cdk_out} has no stack for environment {env!r} (found {sorted(stacks)})")
    for cloud in ("gcp", "azure"):
        if cloud not in clouds:
            continue
        path = cdktf_out / "stacks" / f"{cloud}-{env}" / "cdk.tf.json"
        if path.exists():
            found[cloud] = tf.TerraformStack(path)
        elif explicit or not (cdktf_out / "stacks").is_dir():
            problems.append(f"{cloud}: no {path} (run: npm run synth -- --env {env} --cdktf-out {cdktf_out})")
    for cloud, stack in found.items():
        mode = _identity_mode(cloud, stack)
        if mode != LOCAL_IDENTITY_MODES[cloud]:
            problems.append(
                f"{cloud}: identity mode {mode!r} has no local stand-in (local servers serve {LOCAL_IDENTITY_MODES[cloud]!r}); "
                f"deploy it to the cloud, or run local up with --cloud for the other clouds"
            )
    if not found and not problems:
        problems.append(f"environment {env!r} has no stack in {cdk_out} or {cdktf_out}")
    if problems:
        raise LocalError("cannot deploy locally:\n  " + "\n  ".join(problems))
    return found


def _binding_with(binding_text: str, extra: dict[str, str]) -> str:
    binding = json.loads(binding_text)
    binding["connection"]["extra"] = {**binding["connection"]["extra"], **extra}
    return json.dumps(binding, separators=(",", ":"))


def _deploy_aws(template: cfn.Template, server: servers.RunningServer, env_dir: Path) -> dict[str, Any]:
    url = server.url
    deployed = aws_deploy.deploy(template, url, connection_extra={"endpoint_url": url}, bucket_properties=True)
    reader = aws_deploy.create_user_with_policy(
        url,
        RUNTIME_READER,
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}],
        },
    )
    outputs = aws_deploy.outputs(template)
    outputs["AirflowBinding"] = _binding_with(outputs["AirflowBinding"], {"endpoint_url": url})
    path = env_dir / "aws-outputs.json"
    _write(path, json.dumps({template.stack_name: outputs}, indent=2) + "\n")
    return {
        "outputs": str(path),
        "bucket": deployed["bucket"],
        "prefix": json.loads(outputs["AirflowBinding"])["storage"]["prefix"],
        "region": template.region,
        "created": [
            f"bucket {deployed['bucket']} ({', '.join(deployed['bucket_properties'])})",
            f"managed policy {deployed['policy_name']}",
            f"user {deployed['user_name']} in its group, with an access key",
            f"secret {deployed['secret_name']} (the Airflow connection JSON + endpoint_url)",
        ],
        "not_created": ["bucket policy (TLS only: the loopback server is plain HTTP)"],
        "ambient": {
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": url,
            "AWS_ACCESS_KEY_ID": reader.access_key_id,
            "AWS_SECRET_ACCESS_KEY": reader.secret_access_key,
            "AWS_DEFAULT_REGION": template.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    }


def _terraform_outputs(stack: tf.TerraformStack, extra: dict[str, str], path: Path) -> dict[str, Any]:
    outputs = stack.outputs()
    outputs["airflow_binding"]["value"] = _binding_with(outputs["airflow_binding"]["value"], extra)
    _write(path, json.dumps(outputs, indent=2) + "\n")
    return json.loads(outputs["airflow_binding"]["value"])


def _deploy_gcp(stack: tf.TerraformStack, server: servers.RunningServer, env_dir: Path) -> dict[str, Any]:
    deployed = gcp_deploy.deploy(stack, server.url)
    path = env_dir / "gcp-outputs.json"
    binding = _terraform_outputs(stack, {"gcs.endpoint": server.url, "is_anonymous": "true"}, path)
    return {
        "outputs": str(path),
        "bucket": deployed["bucket"],
        "prefix": binding["storage"]["prefix"],
        "created": [f"bucket {deployed['bucket']} ({', '.join(deployed['applied'][1:])})"],
        "not_created": deployed["not_created"],
        "ambient": {"STORAGE_EMULATOR_HOST": server.url, "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false"},
    }


def _deploy_azure(stack: tf.TerraformStack, server: servers.RunningServer, keys: dict[str, str], env_dir: Path) -> dict[str, Any]:
    deployed = azure_deploy.deploy(stack, server.url, keys)
    path = env_dir / "azure-outputs.json"
    # Airflow's abfs loader has no plain-HTTP endpoint field (account_host means https://), so the
    # endpoint and the local key reach adlfs through AZURE_STORAGE_CONNECTION_STRING, which it reads
    # first; blob_endpoint records the endpoint in the connection for people and for xcomkit.
    binding = _terraform_outputs(stack, {"blob_endpoint": deployed["blob_endpoint"]}, path)
    account = deployed["account"]
    return {
        "outputs": str(path),
        "bucket": deployed["containers"][0],
        "prefix": binding["storage"]["prefix"],
        "account": account,
        "created": [f"storage account {account} (Azurite account)", *(f"private container {c}" for c in deployed["containers"])],
        "not_created": deployed["not_created"],
        "ambient": {"AZURE_STORAGE_CONNECTION_STRING": azure_deploy.connection_string(account, keys[account], server.url)},
    }


def _ambient_file(path: Path, deployed: dict[str, Any]) -> None:
    lines = [
        "# What the platform gives the Airflow process on the cloud (instance role, workload identity),",
        "# here for the local servers of `xcomkit local up`. Holds local credentials: do not commit.",
    ]
    for cloud in CLOUDS:
        if cloud in deployed:
            lines.append(f"# {cloud}")
            lines.extend(f"{k}='{v}'" for k, v in deployed[cloud]["ambient"].items())
    _write(path, "\n".join(lines) + "\n")


def up(env: str, cdk_out: Path, cdktf_out: Path, state_dir: Path, clouds: list[str], explicit: bool = True) -> dict[str, Any]:
    existing = read_state(state_dir)
    if existing is not None:
        alive = [s.name for s in _servers(existing) if s.alive()]
        if alive:
            raise LocalError(
                f"a local cloud is already up ({', '.join(alive)}; environment {existing['env']}): run `xcomkit local down` first"
            )
        shutil.rmtree(state_dir, ignore_errors=True)  # stale state of servers that are gone
    stacks = _find_stacks(env, cdk_out, cdktf_out, clouds, explicit)
    state_dir.mkdir(parents=True, exist_ok=True)
    env_dir = state_dir / env
    env_dir.mkdir(exist_ok=True)
    state: dict[str, Any] = {
        "env": env,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "servers": {},
        "deployed": {},
    }

    def save() -> None:
        _write(state_dir / STATE_FILE, json.dumps(state, indent=2) + "\n")

    started: list[servers.RunningServer] = []

    def track(server: servers.RunningServer) -> servers.RunningServer:
        started.append(server)
        state["servers"][server.name] = server.as_dict()
        save()  # recorded at once: `local down` can stop it even if a later step fails
        return server

    try:
        save()
        if "aws" in stacks:
            moto = track(servers.moto(state_dir / "moto"))
            state["deployed"]["aws"] = _deploy_aws(stacks["aws"], moto, env_dir)
            servers.enforce_iam(moto)
            state["deployed"]["aws"]["iam_enforced"] = True
        if "gcp" in stacks:
            gcs = track(servers.gcs_emulator(state_dir / "gcs"))
            state["deployed"]["gcp"] = _deploy_gcp(stacks["gcp"], gcs, env_dir)
        if "azure" in stacks:
            keys = {name: azure_deploy.new_account_key() for name in azure_deploy.accounts(stacks["azure"])}
            azurite = track(servers.azurite(state_dir / "azurite", azure_deploy.azurite_accounts_env(keys)))
            state["deployed"]["azure"] = _deploy_azure(stacks["azure"], azurite, keys, env_dir)
        _ambient_file(env_dir / "ambient.env", state["deployed"])
        state["ambient"] = str(env_dir / "ambient.env")
        save()
    except BaseException:
        for server in started:
            server.stop()
        servers.keep_logs(state_dir, f"local/{state_dir.name}")
        shutil.rmtree(state_dir, ignore_errors=True)
        raise
    return state


def down(state_dir: Path) -> list[tuple[str, bool]]:
    state = read_state(state_dir)
    if state is None:
        return []
    stopped = [(s.name, s.stop()) for s in _servers(state)]
    servers.keep_logs(state_dir, f"local/{state_dir.name}")
    shutil.rmtree(state_dir, ignore_errors=True)
    return stopped


def status(state_dir: Path) -> dict[str, Any] | None:
    state = read_state(state_dir)
    if state is None:
        return None
    for name, s in state["servers"].items():
        server = servers.RunningServer(**{k: v for k, v in s.items() if k != "url"})
        state["servers"][name]["running"] = server.alive()
    return state


def deployed_clouds(state: dict[str, Any]) -> list[str]:
    return [c for c in CLOUDS if c in state["deployed"]]


def as_json(state: dict[str, Any]) -> dict[str, Any]:
    """What ``--json`` prints: the state, and what the servers of its clouds cannot enforce (the
    list ``describe`` prints)."""
    return {**state, "not_enforced": limits_json(deployed_clouds(state))}


def describe(state: dict[str, Any]) -> str:
    lines = [f"local cloud for environment {state['env']} (state: {STATE_FILE} beside the outputs)"]
    for name, s in state["servers"].items():
        running = s.get("running", True)
        lines.append(f"  {name:<8} {s['url']:<24} pid {s['pid']:<8} {'running' if running else 'NOT RUNNING'}")
    for cloud in CLOUDS:
        d = state["deployed"].get(cloud)
        if not d:
            continue
        lines.append(f"{cloud}: outputs {d['outputs']}")
        for c in d["created"]:
            lines.append(f"  created      {c}")
        if cloud == "aws" and d.get("iam_enforced"):
            lines.append("  enforced     IAM on every request after set-up (moto reset-auth)")
        for n in d["not_created"]:
            lines.append(f"  not created  {n}")
    if state.get("ambient"):
        lines.append(f"ambient environment (endpoints, local credentials): {state['ambient']}")
    lines.append(render_limits(deployed_clouds(state)))
    return "\n".join(lines)

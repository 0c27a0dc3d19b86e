"""Just enough of CloudFormation to turn the synthesized template into concrete values.

The stack's template is the source of truth: names, the access policy and the binding are taken
from it, and its intrinsics (``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``) are resolved with
the physical values the test created. An intrinsic this module does not know fails loudly rather
than being passed through, so a change in the stack cannot slip by unresolved.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account


def pseudo_parameters(region: str) -> dict[str, str]:
    return {
        "AWS::Partition": PARTITION,
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::URLSuffix": "amazonaws.com",
    }


class UnresolvedIntrinsic(KeyError):
    pass


def stacks_in(cdk_out: Path) -> dict[str, Template]:
    """Every CloudFormation stack of a cloud assembly by artifact id (the kit names it after the
    environment), with the region its environment names."""
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    found = {}
    for artifact_id, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        props = artifact["properties"]
        region = artifact.get("environment", "").rsplit("/", 1)[-1]
        if not region or region.startswith("unknown"):
            region = REGION
        found[artifact_id] = Template(cdk_out / props["templateFile"], props.get("stackName", artifact_id), region)
    return found


class Template:
    """A synthesized stack: its template and the physical values of its resources, as they are created."""

    def __init__(self, path: Path, stack_name: str, region: str = REGION):
        self.path = path
        self.stack_name = stack_name
        self.region = region
        self.pseudo = pseudo_parameters(region)
        self.body: dict[str, Any] = json.loads(path.read_text())
        self.refs: dict[str, str] = {}
        self.attrs: dict[tuple[str, str], str] = {}

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.body["Resources"]

    def of_type(self, cfn_type: str) -> list[tuple[str, dict[str, Any]]]:
        return [(lid, r) for lid, r in self.resources.items() if r["Type"] == cfn_type]

    def one(self, cfn_type: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(cfn_type)
        assert len(found) == 1, f"expected one {cfn_type} in {self.path.name}, found {[lid for lid, _ in found]}"
        return found[0]

    def output(self, key: str) -> Any:
        return self.body["Outputs"][key]["Value"]

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(n) for n in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                if value in self.pseudo:
                    return self.pseudo[value]
                if value not in self.refs:
                    raise UnresolvedIntrinsic(f"Ref {value}: not created (yet)")
                return self.refs[value]
            if key == "Fn::GetAtt":
                logical_id, attr = value.split(".", 1) if isinstance(value, str) else value
                if (logical_id, attr) not in self.attrs:
                    raise UnresolvedIntrinsic(f"Fn::GetAtt {logical_id}.{attr}: not created (yet)")
                return self.attrs[(logical_id, attr)]
            if key == "Fn::Join":
                separator, parts = value
                return separator.join(str(self.resolve(p)) for p in parts)
            if key == "Fn::Sub":
                return self._sub(value)
            if key.startswith("Fn::") or key == "Condition":
                raise UnresolvedIntrinsic(f"{key} is not supported by this resolver")
        return {k: self.resolve(v) for k, v in node.items()}

    def _sub(self, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                return str(self.resolve({"Fn::GetAtt": name}))
            return str(self.resolve({"Ref": name}))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

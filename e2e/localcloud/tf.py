"""Just enough of Terraform to turn a synthesized ``cdk.tf.json`` into concrete values.

The CDKTF synth is the source of truth for GCP and Azure: resource names, lifecycle rules and the
binding come from it, and its ``${<type>.<name>.<attribute>}`` references are resolved with the
values the local servers gave the created resources. A reference to a value nothing created fails
loudly instead of passing through, so a change in the stack cannot slip by unresolved.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_REFERENCE = re.compile(r"\$\{([^}]+)\}")


class UnresolvedReference(KeyError):
    pass


class TerraformStack:
    """A synthesized CDKTF stack (``cdktf.out/stacks/<name>/cdk.tf.json``) and its created values."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.parent.name
        self.body: dict[str, Any] = json.loads(path.read_text())
        self.values: dict[str, Any] = {}

    def of_type(self, tf_type: str) -> list[tuple[str, dict[str, Any]]]:
        return list(self.body.get("resource", {}).get(tf_type, {}).items())

    def one(self, tf_type: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(tf_type)
        assert len(found) == 1, f"expected one {tf_type} in {self.path}, found {[n for n, _ in found]}"
        return found[0]

    def types(self) -> set[str]:
        return set(self.body.get("resource", {}))

    def created(self, tf_type: str, resource: str, **attributes: Any) -> None:
        for attribute, value in attributes.items():
            self.values[f"{tf_type}.{resource}.{attribute}"] = value

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(n) for n in node]
        if isinstance(node, dict):
            return {k: self.resolve(v) for k, v in node.items() if k != "//"}
        if not isinstance(node, str):
            return node

        def replace(match: re.Match) -> str:
            expression = match.group(1).strip()
            if expression not in self.values:
                raise UnresolvedReference(f"${{{expression}}} in {self.path.parent.name}: not created locally")
            return str(self.values[expression])

        # "$${" is Terraform's escape for a literal "${".
        parts = node.split("$${")
        return "${".join(_REFERENCE.sub(replace, part) for part in parts)

    def outputs(self) -> dict[str, dict[str, Any]]:
        """What ``terraform output -json`` prints for this stack once its references are resolved."""
        out = {}
        for name, output in self.body.get("output", {}).items():
            value = self.resolve(output["value"])
            out[name] = {"sensitive": bool(output.get("sensitive", False)), "type": "string", "value": value}
        return out


def stacks_in(cdktf_out: Path) -> dict[str, TerraformStack]:
    """Every stack of a CDKTF synth by name (``gcp-dev``, ``azure-dev``, ...)."""
    stacks_dir = cdktf_out / "stacks"
    return {p.parent.name: TerraformStack(p) for p in sorted(stacks_dir.glob("*/cdk.tf.json"))}

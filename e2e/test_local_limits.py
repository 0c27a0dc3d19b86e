"""Without servers: ``local up/status --json`` carry the list of what the local servers cannot
enforce (``not_enforced``), the same list the text output prints (one source: ``limits.py``)."""

from __future__ import annotations

import json

import pytest

from localcloud import local
from localcloud.limits import LIMITS, as_json, render


@pytest.mark.parametrize("clouds", [["aws"], ["gcp", "azure"], ["aws", "gcp", "azure"]])
def test_limits_as_json_are_the_printed_table(clouds):
    listed = as_json(clouds)
    assert list(listed) == clouds
    text = render(clouds)
    for cloud in clouds:
        assert [(r["limit"], r["covered_by"]) for r in listed[cloud]] == LIMITS[cloud]
        for row in listed[cloud]:
            assert row["limit"] in text and f"covered by: {row['covered_by']}" in text


def test_local_json_output_carries_what_the_servers_cannot_enforce():
    state = {"env": "dev", "servers": {}, "deployed": {"gcp": {}, "azure": {}}}
    out = json.loads(json.dumps(local.as_json(state)))
    assert set(out["not_enforced"]) == {"gcp", "azure"}
    assert out["not_enforced"]["azure"][0] == {"limit": LIMITS["azure"][0][0], "covered_by": LIMITS["azure"][0][1]}
    assert {k: v for k, v in out.items() if k != "not_enforced"} == state, "the state itself is unchanged"
    assert "not_enforced" not in state

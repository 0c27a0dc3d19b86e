"""Purge also removes what a mirror write left behind (the reference's ``failed_mirrors``)."""

from __future__ import annotations

import os

from airflow_xcomkit.backend import XComKitBackend
from helpers import Row, local_file, push, reference


def test_purge_deletes_a_leftover_at_a_failed_mirror(configure, tmp_path):
    primary, mirror = tmp_path / "primary", tmp_path / "mirror"
    primary.mkdir()
    mirror.mkdir()
    configure(f"file://{primary}", threshold=0, mirrors=[f"file://{mirror}"])
    ref = reference(push({"a": 1}))
    # A mirror write that failed halfway leaves an object the reference lists under failed_mirrors.
    leftover = mirror / "leftover" / "partial.json"
    leftover.parent.mkdir()
    leftover.write_text("partial")
    data = {**ref.to_json()["__data__"], "mirrors": [], "failed_mirrors": [f"file://{leftover}"]}
    for copy in mirror.rglob("*.json"):
        if copy != leftover:
            copy.unlink()
    XComKitBackend.purge(Row({**ref.to_json(), "__data__": data}))
    assert not leftover.exists()
    assert not os.path.exists(local_file(ref.path))

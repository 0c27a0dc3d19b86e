"""``airflow-xcomkit``: maintenance commands for the backend's objects.

``airflow-xcomkit gc [--delete] [--min-age 1d]`` lists the objects under the configured path and
mirrors that no XCom row references and that are older than ``--min-age``, and (with ``--delete``)
removes them. Airflow does not call the backend when rows go away through the REST API, a dag-run
deletion or ``airflow db clean``, so their objects stay behind; this finds them. It reads the rows
through Airflow's own DB session, so run it where the Airflow configuration (DB connection, the
``[common.io]`` and ``[xcomkit]`` options, the storage connections) is that of the deployment.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
PROGRESS_EVERY = 1000


def parse_age(text: str) -> float:
    """``90``, ``90s``, ``30m``, ``12h``, ``1d`` -> seconds."""
    match = _AGE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"--min-age={text!r} is not an age; use a number with an optional unit s, m, h or d "
            "(e.g. 1d, 12h)."
        )
    return float(match.group(1)) * _UNITS[match.group(2)]


def referenced_urls(values: Iterable[Any]) -> set[str]:
    """Every object URL the given XCom row values point to (this backend's references, stock paths)."""
    from airflow_xcomkit.reference import StoredXCom
    from airflow_xcomkit.storage import normalize

    urls: set[str] = set()
    for value in values:
        if isinstance(value, str) and value.startswith('"'):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                continue
        try:
            reference = StoredXCom.from_json(value)
        except ValueError:
            reference = None
        if reference is not None:
            urls.update(reference.locations)
            urls.update(reference.failed_mirrors)
        elif isinstance(value, str) and "://" in value:
            try:
                urls.add(normalize(value))
            except Exception:
                continue
    return urls


def xcom_values_from_db() -> Iterator[Any]:
    """The value of every XCom row, read through Airflow's own DB session."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        yield from session.scalars(select(XComModel.value).execution_options(yield_per=1000))


def gc(
    *,
    delete: bool,
    min_age: float,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    now: float | None = None,
    values: Iterable[Any] | None = None,
) -> tuple[int, int]:
    """Find (and with ``delete`` remove) unreferenced objects; returns (count, bytes)."""
    from airflow_xcomkit.config import get_settings
    from airflow_xcomkit.storage import delete as delete_object
    from airflow_xcomkit.storage import list_objects, normalize

    settings = get_settings()
    if not settings.path:
        raise SystemExit(
            "airflow-xcomkit gc: [common.io] xcom_objectstorage_path is empty; set "
            "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH to the deployment's location."
        )
    cutoff = (time.time() if now is None else now) - min_age
    # Rows first, objects second: an object written after the rows were read is younger than the
    # cutoff (with the default of a day), so a push in flight is never taken for garbage.
    referenced = referenced_urls(xcom_values_from_db() if values is None else values)
    print(f"airflow-xcomkit gc: {len(referenced)} objects referenced by XCom rows", file=err)
    count = freed = young = unknown = 0
    for base in (settings.path, *settings.mirrors):
        base = normalize(base)
        listed = 0
        for obj in list_objects(base):
            listed += 1
            if listed % PROGRESS_EVERY == 0:
                print(f"airflow-xcomkit gc: {base}: {listed} objects checked", file=err, flush=True)
            if obj["url"] in referenced:
                continue
            if obj["mtime"] is None:
                unknown += 1
                continue
            if obj["mtime"] > cutoff:
                young += 1
                continue
            count += 1
            freed += obj["size"]
            if delete:
                try:
                    delete_object(obj["url"])
                except Exception as error:
                    count -= 1
                    freed -= obj["size"]
                    print(f"could not delete {obj['url']}: {type(error).__name__}: {error}", file=err)
                    continue
                print(f"deleted {obj['url']} ({obj['size']} bytes)", file=out)
            else:
                print(f"would delete {obj['url']} ({obj['size']} bytes)", file=out)
        print(f"airflow-xcomkit gc: {base}: {listed} objects checked", file=err, flush=True)
    skipped = f"; kept {young} unreferenced objects younger than the minimum age" if young else ""
    if unknown:
        skipped += f"; kept {unknown} whose age the store does not report"
    if delete:
        print(f"deleted {count} objects, freed {freed} bytes{skipped}", file=out)
    else:
        print(
            f"dry run: {count} objects ({freed} bytes) would be deleted{skipped}; "
            "pass --delete to remove them",
            file=out,
        )
    return count, freed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="airflow-xcomkit", description="airflow-xcomkit maintenance")
    commands = parser.add_subparsers(dest="command", required=True)
    gc_parser = commands.add_parser(
        "gc",
        help="find (and with --delete remove) objects no XCom row references",
        description=__doc__.split("\n\n")[1].replace("``", ""),
    )
    gc_parser.add_argument("--delete", action="store_true", help="remove them (default: dry run, only list)")
    gc_parser.add_argument(
        "--min-age",
        type=parse_age,
        default=parse_age("1d"),
        metavar="AGE",
        help="only objects older than this (s, m, h, d; default 1d, so pushes in flight are safe)",
    )
    args = parser.parse_args(argv)
    if args.command == "gc":
        gc(delete=args.delete, min_age=args.min_age)
    return 0


if __name__ == "__main__":
    sys.exit(main())

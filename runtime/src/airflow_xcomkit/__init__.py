"""Airflow XCom backend for object storage with typed formats, mirrors, integrity checks and purge.

Switch to it with ``AIRFLOW__CORE__XCOM_BACKEND=airflow_xcomkit.backend.XComKitBackend``.
"""

from __future__ import annotations

import re
from importlib import metadata

#: pyarrow before 14.0.1 executes code from crafted Parquet or IPC files (CVE-2023-47248).
MIN_PYARROW = (14, 0, 1)


def check_pyarrow(version: str | None) -> None:
    """Refuse a pyarrow older than 14.0.1 (checked from metadata: pyarrow itself is not imported)."""
    if version is None:
        return
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if match is None:
        return
    found = tuple(int(part or 0) for part in match.groups())
    if found < MIN_PYARROW:
        raise ImportError(
            f"airflow-xcomkit refuses pyarrow {version}: versions before 14.0.1 execute code from "
            "crafted Parquet or IPC files (CVE-2023-47248). Upgrade: pip install 'pyarrow>=14.0.1'."
        )


def _installed_pyarrow() -> str | None:
    try:
        return metadata.version("pyarrow")
    except metadata.PackageNotFoundError:
        return None


check_pyarrow(_installed_pyarrow())

# Importing Airflow resolves the configured XCom backend, which imports airflow_xcomkit.backend.
# Doing it here, before any submodule runs, lets that nested import complete the backend module;
# otherwise a process whose first import is airflow_xcomkit.backend would meet its own module
# half-initialised (an import cycle) and Airflow would fall back to the base XCom class.
import airflow  # noqa: E402, F401

__version__ = "0.2.0"

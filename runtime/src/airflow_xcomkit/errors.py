"""Exceptions raised by the backend. Each message names the object location and what to do."""

from __future__ import annotations


class XComKitError(Exception):
    """Base class of every error raised by airflow-xcomkit."""


class XComKitConfigError(XComKitError, ValueError):
    """An option in ``[common.io]`` or ``[xcomkit]`` has a value the backend cannot use."""


class XComObjectMissingError(XComKitError, FileNotFoundError):
    """The object behind an XCom reference is gone from the primary location and from every mirror."""


class XComIntegrityError(XComKitError, ValueError):
    """The object behind an XCom reference was read but its content hash does not match the reference."""

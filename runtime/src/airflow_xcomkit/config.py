"""Readers for the backend's options, cached per process (``clear_caches()`` resets them, for tests).

The object-storage options are the stock backend's, so an environment written for
``XComObjectStorageBackend`` works unchanged. The backend's own options live in ``[xcomkit]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from airflow_xcomkit.errors import XComKitConfigError

COMMON_IO_SECTION = "common.io"
SECTION = "xcomkit"

#: Serializer names accepted by ``[xcomkit] allowed_types``: ``pandas`` (Parquet), ``numpy`` (.npy),
#: ``json_dict`` (objects with ``to_json_dict()``), ``json`` (JSON-native values) and ``serde``
#: (anything else Airflow's serde round-trips: datetimes, sets, tuples, Decimal, UUID, dataclasses,
#: pydantic models, DataFrames nested in containers...).
SERIALIZER_NAMES: tuple[str, ...] = ("pandas", "numpy", "json_dict", "json", "serde")

# Azure is reachable only through adlfs' schemes; ``az://`` and ``wasb://`` are not registered.
_SUPPORTED_SCHEMES = ("s3", "s3a", "s3n", "gs", "gcs", "abfs", "abfss", "adl", "file")
_TRUE = {"true", "t", "1", "yes", "y", "on"}
_FALSE = {"false", "f", "0", "no", "n", "off"}


@dataclass(frozen=True)
class Settings:
    """Everything the backend reads from the Airflow configuration."""

    path: str
    threshold: int
    compression: str | None
    mirrors: tuple[str, ...]
    allowed_types: frozenset[str]
    verify_integrity: bool
    max_size: int | None = None
    integrity_key: bytes | None = None


def _conf():
    from airflow.sdk.configuration import conf

    return conf


def validate_location(url: str, option: str) -> str:
    """Check that ``url`` is an object-storage URL the backend can write to; return it stripped."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        raise XComKitConfigError(
            f"{option}={url!r} is not an object storage URL; "
            "use <scheme>://<conn_id>@<bucket>/<prefix> or file:///absolute/dir."
        )
    if scheme not in _SUPPORTED_SCHEMES:
        hint = (
            " For Azure Blob use abfs:// (az:// and wasb:// are not registered)."
            if scheme
            in (
                "az",
                "wasb",
                "wasbs",
            )
            else ""
        )
        raise XComKitConfigError(
            f"{option}={url!r} uses scheme {scheme!r}; supported schemes are "
            f"{', '.join(_SUPPORTED_SCHEMES)}.{hint}"
        )
    if scheme == "file" and not rest.startswith("/"):
        raise XComKitConfigError(
            f"{option}={url!r} is a relative file URL (it would resolve against the working "
            "directory); use file:///absolute/dir."
        )
    return url


def parse_mirrors(raw: str | None) -> tuple[str, ...]:
    """Parse ``[xcomkit] mirrors``: a JSON array of object-storage URLs; empty means no mirror."""
    if raw is None or not raw.strip():
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        raise XComKitConfigError(
            f"[xcomkit] mirrors={raw!r} is not valid JSON; write a JSON array of URLs, "
            'for example ["gs://gcp_xcoms@bucket/xcom"].'
        ) from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise XComKitConfigError(f"[xcomkit] mirrors={raw!r} must be a JSON array of URL strings.")
    mirrors = tuple(validate_location(v, "[xcomkit] mirrors") for v in value)
    if len(set(mirrors)) != len(mirrors):
        raise XComKitConfigError(f"[xcomkit] mirrors={raw!r} lists the same location twice.")
    return mirrors


def parse_allowed_types(raw: str | None) -> frozenset[str]:
    """Parse ``[xcomkit] allowed_types``: comma-separated serializer names; empty means all."""
    if raw is None or not raw.strip():
        return frozenset(SERIALIZER_NAMES)
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in SERIALIZER_NAMES]
    if unknown:
        raise XComKitConfigError(
            f"[xcomkit] allowed_types={raw!r} has unknown serializer(s) {', '.join(unknown)}; "
            f"choose from {', '.join(sorted(SERIALIZER_NAMES))}."
        )
    return frozenset(names)


def parse_bool(raw: str | None, option: str, default: bool) -> bool:
    if raw is None or not raw.strip():
        return default
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise XComKitConfigError(f"{option}={raw!r} is not a boolean; use true or false.")


def parse_compression(raw: str | None) -> str | None:
    """Check ``[common.io] xcom_objectstorage_compression`` against fsspec's compression registry."""
    if raw is None or not raw.strip():
        return None
    import fsspec.utils

    name = raw.strip()
    if name not in fsspec.utils.compressions.values():
        raise XComKitConfigError(
            f"[common.io] xcom_objectstorage_compression={name!r} is not a compression known to "
            f"fsspec here; use one of {', '.join(sorted(set(fsspec.utils.compressions.values())))} "
            "or leave it empty."
        )
    return name


def compression_suffix(compression: str) -> str:
    import fsspec.utils

    for suffix, name in fsspec.utils.compressions.items():
        if name == compression:
            return suffix
    raise XComKitConfigError(f"compression {compression!r} is not registered in fsspec")


def parse_threshold(raw: str | None) -> int:
    if raw is None or not str(raw).strip():
        return -1
    try:
        return int(str(raw).strip())
    except ValueError:
        raise XComKitConfigError(
            f"[common.io] xcom_objectstorage_threshold={raw!r} is not an integer number of bytes "
            "(-1 keeps every value in the database)."
        ) from None


def parse_max_size(raw: str | None) -> int | None:
    """Parse ``[xcomkit] max_size``: a positive number of bytes; empty (the default) means no limit."""
    if raw is None or not str(raw).strip():
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise XComKitConfigError(
            f"[xcomkit] max_size={raw!r} is not a positive integer number of bytes; "
            "set e.g. AIRFLOW__XCOMKIT__MAX_SIZE=1073741824 (1 GiB), or leave it empty for no limit."
        )
    return value


def parse_integrity_key(raw: str | None) -> bytes | None:
    """Parse ``[xcomkit] integrity_key``: a secret of at least 16 characters; empty means unkeyed."""
    if raw is None or not raw.strip():
        return None
    key = raw.strip()
    if len(key) < 16:
        raise XComKitConfigError(
            f"[xcomkit] integrity_key is {len(key)} characters long; use at least 16 (for example the "
            "output of `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    return key.encode("utf-8")


@cache
def get_settings() -> Settings:
    """Read and validate every option once per process."""
    conf = _conf()
    threshold = parse_threshold(conf.get(COMMON_IO_SECTION, "xcom_objectstorage_threshold", fallback=None))
    raw_path = conf.get(COMMON_IO_SECTION, "xcom_objectstorage_path", fallback="") or ""
    if raw_path.strip():
        path = validate_location(raw_path, "[common.io] xcom_objectstorage_path").rstrip("/")
    elif threshold >= 0:
        raise XComKitConfigError(
            "[common.io] xcom_objectstorage_path is empty but xcom_objectstorage_threshold="
            f"{threshold} sends values to object storage; set AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH."
        )
    else:
        path = ""
    return Settings(
        path=path,
        threshold=threshold,
        compression=parse_compression(
            conf.get(COMMON_IO_SECTION, "xcom_objectstorage_compression", fallback=None)
        ),
        mirrors=tuple(m.rstrip("/") for m in parse_mirrors(conf.get(SECTION, "mirrors", fallback=None))),
        allowed_types=parse_allowed_types(conf.get(SECTION, "allowed_types", fallback=None)),
        verify_integrity=parse_bool(
            conf.get(SECTION, "verify_integrity", fallback=None), "[xcomkit] verify_integrity", True
        ),
        max_size=parse_max_size(conf.get(SECTION, "max_size", fallback=None)),
        integrity_key=parse_integrity_key(conf.get(SECTION, "integrity_key", fallback=None)),
    )


def clear_caches() -> None:
    """Forget the cached settings and file systems (tests change the configuration between cases)."""
    get_settings.cache_clear()

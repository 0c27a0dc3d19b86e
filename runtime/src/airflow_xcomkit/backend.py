"""``XComKitBackend``: the XCom backend class (``airflow_xcomkit.backend.XComKitBackend``).

Values below ``[common.io] xcom_objectstorage_threshold`` stay in the metadata DB exactly as with
the stock ``XComObjectStorageBackend``. Larger values (and every DataFrame or array, when object
storage is enabled) are written with a typed serializer to the primary location and every mirror;
the DB keeps a ``StoredXCom`` reference with the content hash. Hooks and providers are imported
only inside functions, through ``ObjectStoragePath``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from airflow_xcomkit._compat import BaseXCom as _BaseXCom
from airflow_xcomkit._compat import (
    decode_db_value,
    raw_db_value,
    stock_db_value,
    to_db_value,
)
from airflow_xcomkit.config import Settings, compression_suffix, get_settings
from airflow_xcomkit.errors import XComIntegrityError, XComKitError, XComObjectMissingError
from airflow_xcomkit.layout import relative_object_path
from airflow_xcomkit.reference import StoredXCom
from airflow_xcomkit.serializers import SERIALIZERS, classify, to_json_dict
from airflow_xcomkit.storage import (
    compress,
    decompress,
    delete,
    is_under,
    join,
    normalize,
    read_bytes,
    sha256_hex,
    write_bytes,
)

log = logging.getLogger(__name__)

#: Serializers whose output is binary: such values go to object storage whenever it is enabled,
#: because the metadata DB column holds JSON.
BINARY_SERIALIZERS = frozenset({"pandas", "numpy"})

_ACCEPTED = (
    "pandas.DataFrame (pandas), numpy.ndarray (numpy), objects with to_json_dict() (json_dict), "
    "JSON-native values (json)"
)


def _describe(dag_id: Any, task_id: Any, run_id: Any, map_index: Any, key: Any) -> str:
    return f"task {dag_id}.{task_id} (run_id={run_id!r}, map_index={map_index}) key {key!r}"


def _type_name(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _check_allowed(name: str, value: Any, settings: Settings, where: str) -> None:
    if name not in settings.allowed_types:
        raise TypeError(
            f"XCom {where}: a value of type {_type_name(value)} needs serializer {name!r}, which "
            f"[xcomkit] allowed_types ({', '.join(sorted(settings.allowed_types))}) does not allow."
        )


class XComKitBackend(_BaseXCom):
    """XCom backend writing large values to object storage with typed serializers, mirrors and hashes."""

    @staticmethod
    def serialize_value(  # type: ignore[override]
        value: Any,
        *,
        key: str | None = None,
        task_id: str | None = None,
        dag_id: str | None = None,
        run_id: str | None = None,
        map_index: int | None = None,
    ) -> Any:
        settings = get_settings()
        where = _describe(dag_id, task_id, run_id, map_index, key)
        name, problem = classify(value)
        original_type = _type_name(value)
        if name is not None and name != "json":
            _check_allowed(name, value, settings, where)
        if name == "json_dict":
            try:
                value = to_json_dict(value)
            except TypeError as err:
                raise TypeError(f"XCom {where}: {err}") from err

        storage_enabled = settings.threshold >= 0
        if storage_enabled and name in BINARY_SERIALIZERS:
            return _store(value, name, settings, dag_id, run_id, task_id, map_index, key)

        if name in ("json", "json_dict"):
            size = len(json.dumps(value).encode("utf-8"))
            if storage_enabled and size >= settings.threshold:
                _check_allowed(name, value, settings, where)
                return _store(value, name, settings, dag_id, run_id, task_id, map_index, key)
            try:
                return stock_db_value(value)
            except (TypeError, AttributeError, ValueError, RecursionError) as err:
                # e.g. a dict with Airflow's reserved "__classname__" key: refused, never confused
                # with a reference.
                raise TypeError(f"XCom {where}: Airflow's serializer refused the value: {err}") from err

        # Neither JSON-native nor typed (or a typed value while storage is disabled): the DB path
        # of the stock backend, through Airflow's own serializer, which never pickles either.
        try:
            db_value = stock_db_value(value)
        except (TypeError, AttributeError, ValueError, RecursionError) as err:
            raise TypeError(
                f"XCom {where}: cannot store a value of type {original_type}: {problem or err}. "
                f"airflow-xcomkit accepts {_ACCEPTED}; Airflow's serializer said: {err}"
            ) from err
        if storage_enabled:
            size = len(json.dumps(db_value if not isinstance(db_value, bytes) else db_value.decode()))
            if size >= settings.threshold:
                raise TypeError(
                    f"XCom {where}: a value of type {original_type} ({size} bytes as JSON) reaches "
                    f"[common.io] xcom_objectstorage_threshold={settings.threshold}, but no "
                    f"serializer writes it to object storage: {problem}. Accepted types: {_ACCEPTED}."
                )
        return db_value

    @staticmethod
    def deserialize_value(result: Any) -> Any:
        reference = StoredXCom.from_json(raw_db_value(result))
        if reference is None:
            return decode_db_value(result)
        settings = get_settings()
        data = _read_verified(reference, settings.verify_integrity)
        serializer = SERIALIZERS.get(reference.serializer)
        if serializer is None:
            raise XComKitError(
                f"XCom object {reference.path} was written with serializer {reference.serializer!r}, "
                "which this airflow-xcomkit does not know; upgrade it on this worker."
            )
        try:
            return serializer.loads(decompress(data, reference.compression))
        except Exception as err:
            raise XComIntegrityError(
                f"XCom object {reference.path} could not be decoded as {reference.serializer} "
                f"(compression {reference.compression}): {err}"
            ) from err

    @classmethod
    def purge(cls, xcom: Any, *args: Any) -> None:
        try:
            reference = StoredXCom.from_json(raw_db_value(xcom))
        except ValueError as err:
            log.warning("Not purging XCom object: %s", err)
            return
        if reference is None:
            return
        settings = get_settings()
        bases = [normalize(b) for b in (settings.path, *settings.mirrors) if b]
        for url in (*reference.locations, *reference.failed_mirrors):
            if not any(is_under(url, base) for base in bases):
                log.warning(
                    "Not purging XCom object %s: it is outside the configured path and mirrors %s.",
                    url,
                    bases,
                )
                continue
            try:
                delete(url)
            except Exception as err:
                # A failed delete must not stop a retry from starting; lifecycle rules are the net.
                log.warning("Could not purge XCom object %s: %s: %s", url, type(err).__name__, err)

    def orm_deserialize_value(self) -> Any:
        """Airflow 2.10 UI listing: show where the value lives instead of fetching the object."""
        reference = StoredXCom.from_json(raw_db_value(self))
        if reference is None:
            return super().orm_deserialize_value()  # type: ignore[misc]
        return f"airflow-xcomkit object: {reference.path}"


def _store(
    value: Any,
    name: str,
    settings: Settings,
    dag_id: str | None,
    run_id: str | None,
    task_id: str | None,
    map_index: int | None,
    key: str | None,
) -> Any:
    where = _describe(dag_id, task_id, run_id, map_index, key)
    serializer = SERIALIZERS["json" if name == "json_dict" else name]
    try:
        payload = serializer.dumps(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"XCom {where}: cannot serialize {_type_name(value)} as {name}: {err}") from err
    data = compress(payload, settings.compression)
    extension = serializer.extension
    if settings.compression:
        extension += "." + compression_suffix(settings.compression)
    relative = relative_object_path(
        dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index, key=key, extension=extension
    )
    primary = join(settings.path, relative)
    write_bytes(primary, data)  # a failed primary write fails the push

    mirrors: list[str] = []
    failed: list[str] = []
    for base in settings.mirrors:
        url = join(base, relative)
        try:
            write_bytes(url, data)
        except Exception as err:
            log.warning(
                "airflow-xcomkit: mirror write failed for XCom %s at %s (%s: %s); the primary copy at "
                "%s is intact and the reference lists this mirror under failed_mirrors.",
                where,
                url,
                type(err).__name__,
                err,
                primary,
            )
            failed.append(url)
        else:
            mirrors.append(url)
    reference = StoredXCom(
        path=primary,
        sha256=sha256_hex(data),
        size=len(data),
        serializer=name,
        compression=settings.compression,
        mirrors=mirrors,
        failed_mirrors=failed,
    )
    return to_db_value(reference.to_json())


def _read_verified(reference: StoredXCom, verify: bool) -> bytes:
    """Read the object from the primary location, falling back to each mirror in turn."""
    problems: list[str] = []
    corrupt = False
    missing = False
    for url in reference.locations:
        try:
            data = read_bytes(url)
        except FileNotFoundError:
            missing = True
            problems.append(f"{url}: missing")
            continue
        except Exception as err:
            problems.append(f"{url}: unreadable ({type(err).__name__}: {err})")
            continue
        if verify and sha256_hex(data) != reference.sha256:
            corrupt = True
            problems.append(
                f"{url}: content hash {sha256_hex(data)} ({len(data)} bytes) does not match the "
                f"recorded {reference.sha256} ({reference.size} bytes)"
            )
            continue
        if problems:
            log.warning(
                "airflow-xcomkit: read XCom object from mirror %s because: %s", url, "; ".join(problems)
            )
        return data
    detail = "; ".join(problems)
    if corrupt:
        raise XComIntegrityError(f"XCom object is corrupted at every location: {detail}")
    if missing and all(p.endswith(": missing") for p in problems):
        raise XComObjectMissingError(f"XCom object is missing at every location: {detail}")
    raise XComKitError(f"XCom object could not be read from any location: {detail}")

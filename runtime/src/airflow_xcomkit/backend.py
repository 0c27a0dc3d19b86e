"""``XComKitBackend``: the XCom backend class (``airflow_xcomkit.backend.XComKitBackend``).

A drop-in superset of the stock ``XComObjectStorageBackend``: every value goes through the stock
encoding (Airflow's serde, never pickle) and comes back as the same type, below the threshold (in the
DB, exactly as stock) and above it (in object storage). DataFrames and arrays get typed formats
(Parquet with its own zstd, ``.npy``), every object gets a digest, mirrors and a compact summary in the
DB row. Airflow's own bookkeeping keys always stay in the DB. Hooks and providers are imported only
inside functions, through ``ObjectStoragePath``.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable
from typing import Any

from airflow.sdk.bases.xcom import BaseXCom

from airflow_xcomkit import formats, integrity
from airflow_xcomkit.config import Settings, compression_suffix, get_settings
from airflow_xcomkit.errors import (
    XComIntegrityError,
    XComKitConfigError,
    XComKitError,
    XComObjectMissingError,
)
from airflow_xcomkit.layout import relative_object_path
from airflow_xcomkit.reference import FORMAT_SERIALIZERS, StoredXCom
from airflow_xcomkit.storage import (
    delete,
    is_under,
    join,
    normalize,
    read_bytes,
    read_chunks,
    read_into,
)
from airflow_xcomkit.summary import summarize
from airflow_xcomkit.writer import ObjectSink

log = logging.getLogger(__name__)

#: XCom keys Airflow itself writes and reads outside the task (the scheduler's
#: ``NotPreviouslySkippedDep`` reads ``skipmixin_key``; the API server reads operator links and
#: ``TriggerDagRunOperator``'s ``trigger_run_id`` to build extra links): always kept in the DB.
INTERNAL_KEYS = frozenset({"skipmixin_key", "trigger_run_id"})
INTERNAL_KEY_PREFIXES = ("_link_",)


def is_internal_key(key: str | None) -> bool:
    return key is not None and (key in INTERNAL_KEYS or key.startswith(INTERNAL_KEY_PREFIXES))


def _describe(dag_id: Any, task_id: Any, run_id: Any, map_index: Any, key: Any) -> str:
    return f"task {dag_id}.{task_id} (run_id={run_id!r}, map_index={map_index}) key {key!r}"


def _type_name(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _check_allowed(name: str, settings: Settings, what: str) -> None:
    if name not in settings.allowed_types:
        raise TypeError(
            f"XCom {what} needs serializer {name!r}, which [xcomkit] allowed_types "
            f"({', '.join(sorted(settings.allowed_types))}) does not allow; add it to "
            "AIRFLOW__XCOMKIT__ALLOWED_TYPES to accept such values."
        )


def _check_size(size: int, settings: Settings, where: str) -> None:
    if settings.max_size is not None and size > settings.max_size:
        raise ValueError(
            f"XCom {where}: the value is {size} bytes serialized, more than [xcomkit] max_size="
            f"{settings.max_size}; nothing was written. Pass a smaller value (or a path to data you "
            "store yourself), or raise AIRFLOW__XCOMKIT__MAX_SIZE."
        )


def _db_value(value: Any, where: str) -> Any:
    """The stock backend's DB path: Airflow's serde, which never pickles."""
    try:
        return BaseXCom.serialize_value(value)
    except (TypeError, AttributeError, ValueError, RecursionError) as err:
        raise TypeError(
            f"XCom {where}: Airflow's serializer cannot store a value of type {_type_name(value)}: {err}"
        ) from err


def _uses_to_json_dict(value: Any) -> bool:
    # serde already round-trips dataclasses, attrs classes and pydantic models as themselves.
    if isinstance(value, type) or not callable(getattr(value, "to_json_dict", None)):
        return False
    if dataclasses.is_dataclass(value) or hasattr(type(value), "__attrs_attrs__"):
        return False
    return not hasattr(type(value), "model_fields")


def _to_json_dict(value: Any, where: str) -> dict:
    result = value.to_json_dict()
    if not isinstance(result, dict):
        raise TypeError(
            f"XCom {where}: {type(value).__qualname__}.to_json_dict() returned "
            f"{type(result).__qualname__}, not a dict"
        )
    return result


class XComKitBackend(BaseXCom):
    """XCom backend writing large values to object storage with typed formats, mirrors and digests."""

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
        coords = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "map_index": map_index, "key": key}
        if settings.threshold < 0 or is_internal_key(key):
            return _db_value(value, where)

        if formats.is_instance_of(value, "numpy", "ndarray"):
            if value.dtype.hasobject:
                raise TypeError(
                    f"XCom {where}: a numpy array of dtype {value.dtype} holds Python objects, which "
                    "only pickle could store; convert it to a typed dtype or a list."
                )
            _check_allowed("numpy", settings, where)
            try:
                size = formats.npy_size(value)
            except TypeError as err:
                raise TypeError(f"XCom {where}: {err}") from None
            _check_size(size, settings, where)
            return _store(
                value,
                lambda sink: formats.write_npy(value, sink),
                "numpy",
                "npy",
                None,
                None,
                settings,
                coords,
            )

        if formats.is_instance_of(value, "pandas", "DataFrame"):
            _check_allowed("pandas", settings, where)
            return _store(
                value,
                lambda sink: formats.write_parquet(value, sink),
                "pandas",
                "parquet",
                f"parquet-{formats.PARQUET_CODEC}",
                None,
                settings,
                coords,
                # Parquet's size decides: a frame whose Parquet is below the threshold goes to the DB.
                below_threshold=lambda: _db_value(value, where),
            )

        serializer = "json"
        original = value
        if _uses_to_json_dict(value):
            _check_allowed("json_dict", settings, where)
            value = _to_json_dict(value, where)
            serializer = "json_dict"
        try:
            text = formats.encode_json(value)
        except (TypeError, AttributeError, ValueError, RecursionError) as err:
            raise TypeError(
                f"XCom {where}: Airflow's serializer cannot store a value of type {_type_name(value)}: {err}"
            ) from err
        raw_size = formats.text_size(text)
        if raw_size < settings.threshold:
            return _db_value(value, where)
        fmt = formats.json_format(text)
        if fmt == "serde" and serializer == "json":
            serializer = "serde"
        _check_allowed(serializer, settings, where)
        _check_size(raw_size, settings, where)
        compression = settings.compression
        return _store(
            original,
            lambda sink: formats.write_text(text, compression, sink),
            serializer,
            fmt,
            None,
            compression,
            settings,
            coords,
            raw_size=raw_size,
        )

    @staticmethod
    def deserialize_value(result: Any) -> Any:
        raw = result.value
        try:
            reference = StoredXCom.from_json(raw)
        except ValueError as err:
            raise XComKitError(str(err)) from None
        if reference is None:
            if isinstance(raw, str) and "://" in raw:
                settings = get_settings()
                if _configured_base(raw, settings) is not None:
                    return _read_stock_reference(raw, settings)
            return BaseXCom.deserialize_value(result)
        return _read_reference(reference, get_settings())

    @classmethod
    def purge(cls, xcom: Any, *args: Any) -> None:
        raw = xcom.value
        try:
            reference = StoredXCom.from_json(raw)
        except ValueError as err:
            log.warning("Not purging XCom object: %s", err)
            return
        settings = get_settings()
        if reference is None:
            if isinstance(raw, str) and "://" in raw and _configured_base(raw, settings) is not None:
                _purge_urls([raw], settings)  # an object the stock backend wrote before the switch
            return
        _purge_urls([*reference.locations, *reference.failed_mirrors], settings)


def _bases(settings: Settings) -> list[str]:
    return [normalize(b) for b in (settings.path, *settings.mirrors) if b]


def _configured_base(url: str, settings: Settings) -> str | None:
    if not settings.path:
        return None
    # Cheap first: most strings that merely contain "://" are not URLs of a configured scheme.
    schemes = {base.partition("://")[0] + "://" for base in (settings.path, *settings.mirrors)}
    if not url.startswith(tuple(schemes)):
        return None
    try:
        normalized = normalize(url)
    except Exception:
        return None
    return next((base for base in _bases(settings) if is_under(normalized, base)), None)


def _purge_urls(urls: list[str], settings: Settings) -> None:
    bases = _bases(settings) if settings.path else []
    for url in urls:
        if not any(is_under(url, base) for base in bases):
            log.warning(
                "Not purging XCom object %s: it is outside the configured path and mirrors %s.", url, bases
            )
            continue
        try:
            delete(url)
        except Exception as err:
            # A failed delete must not stop a retry from starting; lifecycle rules are the net.
            log.warning("Could not purge XCom object %s: %s: %s", url, type(err).__name__, err)


def _previous_reference(coords: dict[str, Any]) -> Any:
    """The row this key already has in this try (a second push of the same key), or None.

    Airflow replaces the row without calling ``purge``; this lets the backend delete the object the
    replaced row pointed to. Outside a running task (no supervisor) there is nothing to look up.
    """
    try:
        from airflow.sdk.execution_time.task_runner import SUPERVISOR_COMMS  # noqa: F401

        previous = BaseXCom._get_xcom_db_ref(
            key=coords["key"],
            dag_id=coords["dag_id"],
            task_id=coords["task_id"],
            run_id=coords["run_id"],
            map_index=coords["map_index"],
        )
    except Exception:
        return None
    return previous if getattr(previous, "value", None) is not None else None


def _store(
    value: Any,
    write: Callable[[ObjectSink], int | None],
    serializer: str,
    fmt: str,
    codec: str | None,
    compression: str | None,
    settings: Settings,
    coords: dict[str, Any],
    raw_size: int | None = None,
    below_threshold: Callable[[], Any] | None = None,
) -> Any:
    """Stream the value to the primary and every mirror at once and return its reference.

    ``write`` serializes into the sink (and may return the uncompressed size). The reference is
    returned only once every upload was completed explicitly and the primary's succeeded: an upload
    error is raised here, never left to a garbage-collected file object.
    """
    where = _describe(
        coords["dag_id"], coords["task_id"], coords["run_id"], coords["map_index"], coords["key"]
    )
    extension = "json" if fmt == "serde" else fmt
    if compression:
        extension += "." + compression_suffix(compression)
    relative = relative_object_path(
        dag_id=coords["dag_id"],
        run_id=coords["run_id"],
        task_id=coords["task_id"],
        map_index=coords["map_index"],
        key=coords["key"],
        extension=extension,
    )
    primary = join(settings.path, relative)
    urls = [primary, *(join(base, relative) for base in settings.mirrors)]
    sink = ObjectSink(
        urls,
        integrity.new_digest(settings.integrity_key),
        max_size=settings.max_size,
        hold=settings.threshold if below_threshold is not None else 0,
    )
    try:
        written = write(sink)
    except BaseException as err:
        sink.abandon()
        if sink.errors[0] is not None:
            raise sink.errors[0] from None  # the storage failed, not the serializer
        if fmt == "parquet" and isinstance(err, Exception):
            raise TypeError(f"XCom {where}: cannot write the DataFrame as Parquet: {err}") from err
        raise
    if sink.over_limit:
        sink.abandon()
        _check_size(sink.size, settings, where)
    if below_threshold is not None and not sink.streaming and sink.size < settings.threshold:
        sink.abandon()
        return below_threshold()
    size = sink.size
    digest = integrity.label(settings.integrity_key, sink.hexdigest())
    if written is not None:
        raw_size = written
    elif raw_size is None:
        raw_size = size
    previous = _previous_reference(coords)

    results = sink.finish()
    if results[0] is not None:
        for url, err in zip(urls[1:], results[1:], strict=True):
            if err is None:
                _purge_urls([url], settings)  # no orphan copies of a push that failed
        raise results[0]  # a failed primary write fails the push

    mirrors: list[str] = []
    failed: list[str] = []
    for url, err in zip(urls[1:], results[1:], strict=True):
        if err is None:
            mirrors.append(url)
            continue
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
    reference = StoredXCom(
        path=primary,
        digest=digest,
        size=size,
        serializer=serializer,
        format=fmt,
        raw_size=raw_size,
        codec=codec,
        compression=compression,
        mirrors=mirrors,
        failed_mirrors=failed,
        summary=summarize(value, size),
    )
    if previous is not None:
        XComKitBackend.purge(previous)
    return reference.to_json()


def _refuse_outside(reference: StoredXCom, settings: Settings) -> None:
    bases = _bases(settings) if settings.path else []
    for url in reference.locations:
        if not any(is_under(url, base) for base in bases):
            raise XComKitError(
                f"XCom reference to {url} is outside the configured locations "
                f"([common.io] xcom_objectstorage_path={settings.path!r}, [xcomkit] mirrors="
                f"{list(settings.mirrors)!r}); refused without reading it. A reference only this "
                "backend writes never points elsewhere: the row was edited, or the locations changed "
                "(add the old one to [xcomkit] mirrors to read it)."
            )


def _read_reference(reference: StoredXCom, settings: Settings) -> Any:
    reader = FORMAT_SERIALIZERS.get(reference.format)
    if reader is None:
        raise XComKitError(
            f"XCom object {reference.path} has format {reference.format!r}, which this airflow-xcomkit "
            "does not know; upgrade it on this worker."
        )
    _check_allowed(reference.serializer, settings, f"object {reference.path}")
    if reference.serializer != reader:
        _check_allowed(reader, settings, f"object {reference.path}")
    _refuse_outside(reference, settings)
    if (
        settings.verify_integrity
        and reference.digest.startswith(integrity.HMAC_PREFIX)
        and settings.integrity_key is None
    ):
        raise XComKitConfigError(
            f"XCom object {reference.path} was written with an integrity key, but [xcomkit] "
            "integrity_key is not set on this worker; set AIRFLOW__XCOMKIT__INTEGRITY_KEY to the same key."
        )
    if reference.format == "npy":
        return _read_verified(reference, settings)
    data = _read_verified(reference, settings)
    limit = reference.raw_size if reference.raw_size is not None else settings.max_size
    try:
        if reference.format == "parquet":
            return formats.read_parquet(data, limit)
        payload = formats.decompress(data, reference.compression, limit, exact=reference.raw_size is not None)
        del data  # decode_json empties the payload once it is text: the value never meets the bytes
        return formats.decode_json(payload, reference.format)
    except XComIntegrityError as err:
        raise XComIntegrityError(f"XCom object {reference.path}: {err}") from None
    except Exception as err:
        raise XComIntegrityError(
            f"XCom object {reference.path} could not be decoded as {reference.format} "
            f"(compression {reference.compression}): {type(err).__name__}: {err}"
        ) from err


class _Mismatch(Exception):
    """The object at a location is not the one recorded (size or digest)."""


def _read_bytes_at(url: str, reference: StoredXCom, settings: Settings) -> bytearray:
    """The verified bytes at ``url``, read in ranges into one buffer of the recorded size."""
    verifier = integrity.Verifier(reference.digest, settings.integrity_key)
    data = bytearray(reference.size)
    found = read_into(url, data, verifier.update)
    if found != reference.size or (settings.verify_integrity and not verifier.matches()):
        raise _Mismatch  # the object grew, shrank or changed
    return data


def _read_npy_at(url: str, reference: StoredXCom, settings: Settings) -> Any:
    """The array at ``url``, read range by range straight into the array's memory.

    The header must declare exactly the recorded size before the array is allocated, and the digest
    of every byte is checked before the array is returned; numpy's header parser (a literal
    evaluator, never pickle) is all that sees the bytes before that.
    """
    size = reference.size
    verifier = integrity.Verifier(reference.digest, settings.integrity_key)
    chunks = read_chunks(url, size)
    first = next(chunks, b"")
    try:
        header, body = formats.npy_header(first)
    except Exception:
        raise _Mismatch from None
    if header + body != size:
        raise _Mismatch
    seen = 0

    def verified() -> Any:
        nonlocal seen
        for chunk in itertools.chain([first], chunks):
            seen += len(chunk)
            verifier.update(chunk)
            yield chunk

    reader = formats.ChunkReader(verified())
    try:
        array = formats.read_npy(reader)
    except (FileNotFoundError, OSError):
        raise
    except Exception:
        raise _Mismatch from None
    if not reader.exhausted() or seen != size or (settings.verify_integrity and not verifier.matches()):
        raise _Mismatch
    return array


def _read_verified(reference: StoredXCom, settings: Settings) -> Any:
    """Read the object from the primary location, falling back to each mirror in turn.

    Returns the verified bytes, or for ``.npy`` the verified array.
    """
    read_at = _read_npy_at if reference.format == "npy" else _read_bytes_at
    problems: list[str] = []
    corrupt = False
    missing = False
    for url in reference.locations:
        try:
            result = read_at(url, reference, settings)
        except FileNotFoundError:
            missing = True
            problems.append(f"{url}: missing")
            continue
        except _Mismatch:
            corrupt = True
            problems.append(f"{url}: content does not match the recorded digest and size")
            continue
        except Exception as err:
            problems.append(f"{url}: unreadable ({type(err).__name__}: {err})")
            continue
        if problems:
            log.warning(
                "airflow-xcomkit: read XCom object from mirror %s because: %s", url, "; ".join(problems)
            )
        return result
    detail = "; ".join(problems)
    if corrupt:
        raise XComIntegrityError(f"XCom object is corrupted at every location: {detail}")
    if missing and all(p.endswith(": missing") for p in problems):
        raise XComObjectMissingError(f"XCom object is missing at every location: {detail}")
    raise XComKitError(f"XCom object could not be read from any location: {detail}")


def _read_stock_reference(url: str, settings: Settings) -> Any:
    """Read an object the stock backend wrote (its DB value is the path string): switching loses nothing."""
    import fsspec.utils
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(url)
    compression = fsspec.utils.infer_compression(path.name)
    limit = settings.max_size
    try:
        data = path.fs.cat_file(path.path) if limit is None else read_bytes(url, limit + 1)
    except FileNotFoundError:
        raise XComObjectMissingError(
            f"XCom object {url} (written by the stock backend) is missing; the stock backend would "
            "have returned this path string instead of the value."
        ) from None
    if compression is None and limit is not None and len(data) > limit:
        raise XComIntegrityError(f"XCom object {url} is larger than [xcomkit] max_size={limit}")
    payload = formats.decompress(data, compression, limit)
    fmt = formats.json_format(payload)
    _check_allowed(fmt, settings, f"object {url}")
    return formats.decode_json(payload, fmt)

"""Live checks of `xcomkit doctor`, run in the interpreter Airflow runs with (`--python`).

Reads one JSON request on stdin, runs the checks it names with the process environment as Airflow
would see it (the settings under test plus the ambient credentials), and prints one line
``XCOMKIT-DOCTOR-RESULT <json list of checks>`` on stdout. Everything goes through what Airflow
itself uses: its config, its secrets backends, ``ObjectStoragePath`` and the provider's fsspec
filesystem, so a pass here is a pass for the XCom backend. Every object the probe writes is deleted
before it exits.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import sys
import traceback
import uuid
from urllib.parse import urlsplit

RESULT_MARKER = "XCOMKIT-DOCTOR-RESULT"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PROBE_DIR = "xcomkit-doctor"
# The grants of a key look-up (fsspec's exists(): the object, then a listing of the prefix), per scheme.
LOOKUP = {
    "s3": "s3:GetObject on <prefix>/*, s3:ListBucket on the bucket for the prefix",
    "gs": "storage.objects.get and storage.objects.list",
    "gcs": "storage.objects.get and storage.objects.list",
    "abfs": "the blob read action and the container's list",
    "abfss": "the blob read action and the container's list",
}

results: list[dict] = []


def report(check_id: str, title: str, status: str, detail: str, fix: str | None = None) -> None:
    if status == "fail" and not fix:
        # Every failure tells what to do about it (the AST test of this module checks each call).
        fix = "report this with the output: a failure without a fix is a doctor bug"
    results.append({"id": check_id, "title": title, "status": status, "detail": detail, **({"fix": fix} if fix else {})})


def short(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    return text if len(text) < 400 else text[:400] + "..."


def denied(err: BaseException) -> bool:
    """A refusal by the server (403 / AccessDenied / AuthorizationPermissionMismatch)."""
    if isinstance(err, PermissionError):
        return True
    text = f"{type(err).__name__} {err}"
    return any(s in text for s in ("AccessDenied", "403", "Forbidden", "AuthorizationPermissionMismatch", "not authorized"))


def check_imports(modules: list[dict]) -> None:
    missing = []
    for m in modules:
        try:
            importlib.import_module(m["module"])
        except Exception as err:
            missing.append(f"{m['package']} (import {m['module']}: {short(err)})")
    if missing:
        report(
            "packages",
            "packages of `xcomkit requirements` import",
            "fail",
            f"in {sys.executable}: " + "; ".join(missing),
            "install them into Airflow's interpreter: pip install -r <(xcomkit requirements <deploy outputs>)",
        )
    else:
        report("packages", "packages of `xcomkit requirements` import", "pass", f"{len(modules)} imported in {sys.executable}")


def check_backend(class_path: str) -> None:
    title = "XCom backend class imports"
    module_name, _, class_name = class_path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except Exception as err:
        report(
            "backend-import",
            title,
            "fail",
            f"{class_path}: {short(err)}",
            "install the package that provides it, or fix the class path",
        )
        return
    from airflow.sdk.bases.xcom import BaseXCom

    if not (isinstance(cls, type) and issubclass(cls, BaseXCom)):
        report(
            "backend-import",
            title,
            "fail",
            f"{class_path} is not a subclass of BaseXCom",
            "point the backend at an XCom backend class",
        )
        return
    report("backend-import", title, "pass", f"{class_path} is a BaseXCom")


def check_compression(codec: str | None) -> None:
    title = "compression codec is registered in fsspec"
    if not codec:
        report("compression-live", title, "pass", "no compression")
        return
    import fsspec.compression

    available = [c for c in fsspec.compression.available_compressions() if c]
    if codec in available:
        report("compression-live", title, "pass", f"{codec} in {available}")
        return
    library = {"lz4": "lz4", "zstd": "zstandard"}.get(codec)
    fix = (
        f"pip install {library} into Airflow's interpreter, or choose one of {available}"
        if library
        else f"choose one of {available}"
    )
    report("compression-live", title, "fail", f"fsspec in {sys.executable} has no {codec!r} codec (has {available})", fix)


def resolve_connection(conn_id: str, expected_types: list[str]):
    """Asks each configured secrets backend in Airflow's order, as a task would."""
    title = "connection resolves through the configured secrets backend"
    from airflow.configuration import ensure_secrets_loaded

    tried = []
    for backend in ensure_secrets_loaded():
        name = type(backend).__name__
        if name == "MetastoreBackend":
            continue  # doctor does not read the metadata database
        tried.append(name)
        try:
            conn = backend.get_connection(conn_id)
        except Exception as err:
            report(
                "connection-live",
                title,
                "fail",
                f"{name}: {short(err)}",
                "give the runtime identity read access to the secret, and check the secrets backend kwargs",
            )
            return None
        if conn is None:
            continue
        if expected_types and conn.conn_type not in expected_types:
            report(
                "connection-live",
                title,
                "fail",
                f"{name} returned {conn_id!r} with conn_type {conn.conn_type!r}; the path's scheme needs {expected_types[0]!r}",
                f"set conn_type to {expected_types[0]!r} (xcomkit env writes it)",
            )
            return None
        report("connection-live", title, "pass", f"{conn_id!r} ({conn.conn_type}) from {name}")
        return conn
    report(
        "connection-live",
        title,
        "fail",
        f"no backend has connection {conn_id!r} (asked {', '.join(tried) or 'none'})",
        f"add AIRFLOW_CONN_{conn_id.upper()} or the stack's secret (xcomkit env on the deploy outputs prints the settings)",
    )
    return None


def endpoint_of(scheme: str, conn) -> str | None:
    extra = conn.extra_dejson if conn is not None else {}
    if scheme == "s3":
        return extra.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if scheme in {"gs", "gcs"}:
        return extra.get("gcs.endpoint") or os.environ.get("STORAGE_EMULATOR_HOST")
    if scheme in {"abfs", "abfss", "adl"}:
        cs = extra.get("connection_string") or os.environ.get("AZURE_STORAGE_CONNECTION_STRING") or ""
        parts = dict(p.split("=", 1) for p in cs.split(";") if "=" in p)
        return parts.get("BlobEndpoint") or extra.get("blob_endpoint")
    return None


def is_local(endpoint: str | None) -> bool:
    if not endpoint:
        return False
    host = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}").hostname
    return host in LOOPBACK


def enforces_iam(scheme: str, local: bool) -> bool:
    """Real clouds enforce; of the local servers only moto does (with IAM enforcement on)."""
    return not local or scheme == "s3"


def bucket_change(path, scheme: str) -> None:
    """A bucket-level change that, if the identity may make it, changes nothing. S3: DeleteBucket on
    the bucket while it holds the probe object (if allowed, S3 answers BucketNotEmpty); the caller
    runs it only when the probe was written, so an allowed DeleteBucket can never meet an empty
    bucket. GCS: the bucket's labels rewritten with their current values, on the condition that the
    bucket's metadata is still the one read (ifMetagenerationMatch), so no concurrent change is lost.
    Azure: the container's metadata rewritten with its current values."""
    fs = path.fs
    bucket = path.bucket if hasattr(path, "bucket") else path.path.split("/", 1)[0]
    if scheme == "s3":
        fs.call_s3("delete_bucket", Bucket=bucket)
    elif scheme in {"gs", "gcs"}:
        info = fs.call("GET", "b/{}", bucket, json_out=True)
        fs.call(
            "PATCH",
            "b/{}",
            bucket,
            json={"labels": info.get("labels", {})},
            json_out=True,
            ifMetagenerationMatch=info.get("metageneration"),
        )
    else:
        client = fs.service_client.get_container_client(bucket)
        from fsspec.asyn import sync

        async def rewrite():
            props = await client.get_container_properties()
            await client.set_container_metadata(metadata=props.metadata or {})

        sync(fs.loop, rewrite)


class Unverifiable(Exception):
    """Whether an object is still there cannot be asked: the look-up and the listing are refused."""


def still_there(path) -> bool:
    """Asks the server (not fsspec's cache) whether the object exists: exists(), or where that is
    refused, a listing of its parent."""
    path.fs.invalidate_cache()
    try:
        return path.exists()
    except Exception as err:
        if not denied(err):
            raise
        try:
            # The filesystem's own listing: the path's iterdir() asks is_dir() first, a look-up again.
            parent = path.parent.path.rstrip("/")
            return f"{parent}/{path.name}" in [n.rstrip("/") for n in path.fs.ls(parent, detail=False)]
        except FileNotFoundError:
            return False
        except Exception as listing:
            raise Unverifiable(f"exists() refused ({short(err)[:120]}), listing refused ({short(listing)[:120]})") from listing


def s3_delete_object(path) -> None:
    """s3fs deletes through DeleteObjects; moto authorizes that call against the bucket, AWS per key
    as s3:DeleteObject, so moto refuses it key by key (and s3fs ignores per-key errors). A
    DeleteObject of the same key needs the same grant as on AWS."""
    bucket, key = path.path.split("/", 1)
    path.fs.call_s3("delete_object", Bucket=bucket, Key=key)


def delete_probe(probe, scheme: str, local: bool) -> None:
    title = "delete the probe (nothing left behind)"
    fix = (
        "grant object delete under the prefix (s3:DeleteObject, storage.objects.delete, the Blob Data "
        f"Contributor delete action), then delete {probe} by hand"
    )
    try:
        probe.unlink()
        detail = f"deleted {probe}"
        try:
            gone = not still_there(probe)
        except Unverifiable:
            gone = False
        if not gone and scheme == "s3" and local:
            s3_delete_object(probe)
            detail += " with DeleteObject (moto refuses s3fs's DeleteObjects per key; AWS authorizes it per key)"
            gone = not still_there(probe)
        if gone:
            report("delete", title, "pass", detail)
        else:
            report("delete", title, "fail", f"{probe} is still there (the delete returned without an error)", fix)
    except Unverifiable as err:
        report(
            "delete",
            title,
            "not-checked",
            f"{probe} was deleted without an error, but whether it is gone cannot be asked here: {err}",
        )
    except Exception as err:
        report("delete", title, "fail", f"{probe} is left behind: {short(err)}", fix)


def outside_left_behind(outside, scheme: str, local: bool) -> str | None:
    """Deletes the object a too-wide grant let the probe write outside the prefix; why it is still
    there, or None when it is gone."""
    try:
        outside.unlink()
        if scheme == "s3" and local:
            s3_delete_object(outside)  # moto refuses s3fs's DeleteObjects key by key; a no-op if it is gone
        return "the delete returned without an error" if still_there(outside) else None
    except Unverifiable as err:
        return f"deleted without an error, but whether it is gone cannot be asked here: {err}"
    except Exception as err:
        return short(err)


def live_storage(req: dict, conn) -> None:
    from airflow.sdk import ObjectStoragePath

    scheme = req["scheme"]
    endpoint = endpoint_of(scheme, conn)
    local = is_local(endpoint)
    enforced = enforces_iam(scheme, local)
    where = f" (local server {endpoint})" if local else ""
    base = ObjectStoragePath(req["path"])
    token = uuid.uuid4().hex
    probe = base / PROBE_DIR / f"{token}.json"
    body = json.dumps({"xcomkit": "doctor", "token": token}).encode()
    written = False
    try:
        stage = "exists() before the write"
        try:
            # What the stock backend does before a write: exists() on a fresh key, then mkdir of the parent.
            probe.exists()
            stage = "mkdir of the parent"
            probe.parent.mkdir(parents=True, exist_ok=True)
            stage = "write"
            probe.write_bytes(body)
            written = True
            report("write", "write under the prefix", "pass", f"wrote {probe}{where}")
        except Exception as err:
            fix = "the identity may not write here: use the stack's prefix and the stack's identity in the connection"
            plain = ""
            if stage != "write" and denied(err):
                # The backend's look-up was refused; a plain write shows whether the write itself is
                # allowed, and gives the read, list and delete checks an object to work on.
                try:
                    probe.write_bytes(body)
                    written = True
                    plain = "; a plain write (without the look-up) was allowed"
                    fix = (
                        "the stock backend looks the key up before every write (exists(): the object, then a listing "
                        "of the prefix): grant object read and listing under the prefix, as the stack does "
                        f"({LOOKUP.get(scheme, LOOKUP['s3'])})"
                    )
                except Exception:  # the write is refused as well: the first fix stands
                    written = False
            report("write", "write under the prefix", "fail", f"{probe}: {stage}: {short(err)}{plain}", fix)
        if written:
            try:
                got = probe.read_bytes()
                ok = got == body
                report(
                    "read",
                    "read it back",
                    "pass" if ok else "fail",
                    "same bytes" if ok else f"read {len(got)} bytes, not what was written",
                    None
                    if ok
                    else "something rewrites objects on the way (a proxy, an object lambda, a second writer under "
                    "the prefix): give the XCom prefix to Airflow alone and read it without transformation",
                )
            except Exception as err:
                report("read", "read it back", "fail", short(err), "grant object read under the prefix")
            try:
                names = [p.name for p in probe.parent.iterdir()]
                ok = probe.name in names
                report(
                    "list",
                    "list under the prefix",
                    "pass" if ok else "fail",
                    f"{len(names)} object(s) in {probe.parent}" + ("" if ok else f", without the probe {probe.name}"),
                    None
                    if ok
                    else "the listing is not scoped to the prefix or is served from a stale cache: grant s3:ListBucket / "
                    "list with the prefix as its condition, and point the connection at the bucket itself",
                )
            except Exception as err:
                report("list", "list under the prefix", "fail", short(err), "grant listing under the prefix")
        else:
            for cid, title in (("read", "read it back"), ("list", "list under the prefix")):
                report(cid, title, "not-checked", "nothing was written")

        outside = ObjectStoragePath(f"{req['root']}/{PROBE_DIR}-outside-{token}.json")
        title = "write outside the prefix is refused"
        try:
            outside.write_bytes(b"{}")
        except Exception as err:
            if denied(err):
                report("outside-prefix", title, "pass", f"refused: {short(err)[:160]}")
            else:
                report(
                    "outside-prefix",
                    title,
                    "fail",
                    f"failed without a refusal: {short(err)}",
                    "look at the error; the write must be refused by the server",
                )
        else:
            left = outside_left_behind(outside, scheme, local)
            if left:
                report(
                    "outside-prefix",
                    title,
                    "fail",
                    f"{outside} was written and is left behind: {left}",
                    f"scope the identity's grant to the prefix, and delete {outside} by hand",
                )
            elif enforced:
                report(
                    "outside-prefix",
                    title,
                    "fail",
                    f"{outside} was written (and deleted again)",
                    "scope the identity's grant to the prefix (the kit's stacks do: deploy them instead of a hand-made grant)",
                )
            else:
                report(
                    "outside-prefix",
                    title,
                    "not-checked",
                    f"not enforced here: {endpoint} enforces no IAM; covered by the template-level checks",
                )

        title = "bucket-level change is refused"
        if scheme == "s3" and not written:
            # The S3 change is a DeleteBucket that only the probe object keeps from succeeding: without
            # the probe the bucket may be empty, and an identity that holds s3:DeleteBucket would delete it.
            report(
                "bucket-change",
                title,
                "not-checked",
                "nothing was written: DeleteBucket is only tried while the probe object keeps the bucket non-empty",
            )
            return
        try:
            bucket_change(base, scheme)
        except Exception as err:
            if denied(err):
                report("bucket-change", title, "pass", f"refused: {short(err)[:160]}")
            elif getattr(err, "errno", None) == errno.ENOTEMPTY or any(
                s in str(err) for s in ("BucketNotEmpty", "409", "not empty")
            ):
                verdict = "fail" if enforced else "not-checked"
                detail = "allowed: only the probe object kept the bucket from being deleted"
                report(
                    "bucket-change",
                    title,
                    verdict,
                    detail if enforced else f"not enforced here: {endpoint} enforces no IAM ({detail})",
                    "drop bucket-level actions from the identity's grant" if enforced else None,
                )
            else:
                report("bucket-change", title, "fail", f"failed without a refusal: {short(err)}", "look at the error")
        else:
            if enforced:
                report(
                    "bucket-change",
                    title,
                    "fail",
                    "allowed (metadata rewritten with its own values)",
                    "drop bucket-level actions from the identity's grant",
                )
            else:
                report(
                    "bucket-change",
                    title,
                    "not-checked",
                    f"not enforced here: {endpoint} enforces no IAM; covered by the template-level checks",
                )
    finally:
        if written:
            delete_probe(probe, scheme, local)
        else:
            report("delete", "delete the probe (nothing left behind)", "not-checked", "nothing was written")


def main() -> int:
    req = json.loads(sys.stdin.read())
    try:
        if req.get("modules"):
            check_imports(req["modules"])
        if req.get("backend"):
            check_backend(req["backend"])
        if "compression" in req:
            check_compression(req["compression"])
        if req.get("live"):
            conn = resolve_connection(req["conn_id"], req["conn_types"])
            if conn is None:
                for cid, title in (
                    ("write", "write under the prefix"),
                    ("read", "read it back"),
                    ("list", "list under the prefix"),
                    ("outside-prefix", "write outside the prefix is refused"),
                    ("bucket-change", "bucket-level change is refused"),
                    ("delete", "delete the probe (nothing left behind)"),
                ):
                    report(cid, title, "not-checked", "no connection to probe with")
            else:
                live_storage(req, conn)
    except Exception:
        report("probe", "live checks ran", "fail", traceback.format_exc()[-800:], "report this with the output")
    sys.stdout.flush()
    print(f"{RESULT_MARKER} {json.dumps(results)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

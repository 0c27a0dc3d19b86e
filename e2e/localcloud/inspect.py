"""Reads back what landed in a local cloud's bucket or container, for the quickstart's table and the
end-to-end assertions. On AWS it reads with the stack's own XCom identity (its key is in the
connection secret, which the local runtime identity of ``ambient.env`` may read), so enforcement
stays on; the GCS emulator and Azurite need no credentials beyond the local ones.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


def _aws_client(deployed: dict[str, Any], ambient: dict[str, str]):
    import boto3

    region = deployed["region"]
    reader = boto3.client(
        "secretsmanager",
        endpoint_url=ambient["AWS_ENDPOINT_URL_SECRETS_MANAGER"],
        region_name=region,
        aws_access_key_id=ambient["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ambient["AWS_SECRET_ACCESS_KEY"],
    )
    binding = json.loads(json.loads(Path(deployed["outputs"]).read_text()).popitem()[1]["AirflowBinding"])
    secret = json.loads(reader.get_secret_value(SecretId=binding["identity"]["secret"]["name"])["SecretString"])
    return boto3.client(
        "s3",
        endpoint_url=secret["extra"]["endpoint_url"],
        region_name=region,
        aws_access_key_id=secret["login"],
        aws_secret_access_key=secret["password"],
    )


def _gcs_url(ambient: dict[str, str]) -> str:
    return ambient["STORAGE_EMULATOR_HOST"].rstrip("/")


def _container(deployed: dict[str, Any], ambient: dict[str, str]):
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(ambient["AZURE_STORAGE_CONNECTION_STRING"])
    return service.get_container_client(deployed["bucket"])


def list_objects(cloud: str, deployed: dict[str, Any], ambient: dict[str, str], prefix: str = "") -> list[tuple[str, int]]:
    """(key, bytes) of every object whose key starts with ``prefix``."""
    if cloud == "aws":
        s3 = _aws_client(deployed, ambient)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=deployed["bucket"], Prefix=prefix)
        return [(o["Key"], o["Size"]) for page in pages for o in page.get("Contents", [])]
    if cloud == "gcp":
        found, token = [], None
        while True:
            query = {"prefix": prefix, **({"pageToken": token} if token else {})}
            url = f"{_gcs_url(ambient)}/storage/v1/b/{deployed['bucket']}/o?{urllib.parse.urlencode(query)}"
            with urllib.request.urlopen(url, timeout=10) as response:
                page = json.loads(response.read())
            found += [(o["name"], int(o["size"])) for o in page.get("items", [])]
            token = page.get("nextPageToken")
            if not token:
                return found
    if cloud == "azure":
        return [(b.name, b.size) for b in _container(deployed, ambient).list_blobs(name_starts_with=prefix or None)]
    raise ValueError(cloud)


def read_object(cloud: str, deployed: dict[str, Any], ambient: dict[str, str], key: str) -> bytes:
    if cloud == "aws":
        return _aws_client(deployed, ambient).get_object(Bucket=deployed["bucket"], Key=key)["Body"].read()
    if cloud == "gcp":
        name = urllib.parse.quote(key, safe="")
        url = f"{_gcs_url(ambient)}/download/storage/v1/b/{deployed['bucket']}/o/{name}?alt=media"
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()
    if cloud == "azure":
        return _container(deployed, ambient).download_blob(key).readall()
    raise ValueError(cloud)


def read_ambient(path: str) -> dict[str, str]:
    """The ``KEY='value'`` lines ``local up`` writes to ambient.env."""
    out = {}
    for line in Path(path).read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key] = value.strip("'")
    return out

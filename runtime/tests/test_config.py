import pytest

from airflow_xcomkit.config import (
    SERIALIZER_NAMES,
    get_settings,
    parse_allowed_types,
    parse_bool,
    parse_compression,
    parse_mirrors,
    parse_threshold,
    validate_location,
)
from airflow_xcomkit.errors import XComKitConfigError


def test_settings_are_read_from_the_stock_common_io_options_and_the_xcomkit_section(configure, local_store):
    configure(
        f"file://{local_store}",
        threshold=1024,
        compression="gzip",
        mirrors=["s3://aws_xcoms@bucket/xcom"],
        allowed_types="json,pandas",
        verify_integrity=False,
    )
    settings = get_settings()
    assert settings.path == f"file://{local_store}"
    assert settings.threshold == 1024
    assert settings.compression == "gzip"
    assert settings.mirrors == ("s3://aws_xcoms@bucket/xcom",)
    assert settings.allowed_types == frozenset({"json", "pandas"})
    assert settings.verify_integrity is False


def test_defaults_keep_everything_in_the_database_and_allow_every_serializer(monkeypatch):
    from airflow_xcomkit.config import clear_caches

    for var in (
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD",
        "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_COMPRESSION",
        "AIRFLOW__XCOMKIT__MIRRORS",
        "AIRFLOW__XCOMKIT__ALLOWED_TYPES",
        "AIRFLOW__XCOMKIT__VERIFY_INTEGRITY",
        "AIRFLOW__XCOMKIT__MAX_SIZE",
        "AIRFLOW__XCOMKIT__INTEGRITY_KEY",
    ):
        monkeypatch.delenv(var, raising=False)
    clear_caches()
    try:
        settings = get_settings()
    finally:
        clear_caches()
    assert settings.threshold == -1
    assert settings.mirrors == ()
    assert settings.allowed_types == frozenset(SERIALIZER_NAMES)
    assert settings.verify_integrity is True
    assert settings.compression is None
    assert settings.max_size is None and settings.integrity_key is None
    assert "serde" in settings.allowed_types


def test_a_threshold_without_a_path_is_rejected_naming_the_variable_to_set(configure):
    configure("", threshold=0)
    with pytest.raises(XComKitConfigError, match="AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH"):
        get_settings()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("az://conn@container/x", "abfs://"),
        ("wasb://conn@container/x", "abfs://"),
        ("file://relative/dir", "relative file URL"),
        ("bucket/xcom", "not an object storage URL"),
        ("ftp://host/x", "scheme 'ftp'"),
    ],
)
def test_unusable_locations_are_rejected_with_the_value_and_a_fix(url, message):
    with pytest.raises(XComKitConfigError, match=message) as err:
        validate_location(url, "[common.io] xcom_objectstorage_path")
    assert url in str(err.value)


@pytest.mark.parametrize("url", ["s3://c@b/p", "gs://c@b/p", "abfs://c@container/p", "file:///abs/dir"])
def test_supported_locations_are_accepted(url):
    assert validate_location(url, "option") == url


def test_mirrors_are_a_json_array_of_urls_and_empty_means_none():
    assert parse_mirrors("") == ()
    assert parse_mirrors(None) == ()
    assert parse_mirrors('["gs://gcp_xcoms@bucket/xcom"]') == ("gs://gcp_xcoms@bucket/xcom",)
    with pytest.raises(XComKitConfigError, match="not valid JSON"):
        parse_mirrors("gs://gcp_xcoms@bucket/xcom")
    with pytest.raises(XComKitConfigError, match="JSON array"):
        parse_mirrors('{"a": 1}')
    with pytest.raises(XComKitConfigError, match="twice"):
        parse_mirrors('["gs://c@b/x", "gs://c@b/x"]')


def test_allowed_types_are_comma_separated_serializer_names():
    assert parse_allowed_types(" json , numpy ") == frozenset({"json", "numpy"})
    assert parse_allowed_types("") == frozenset(SERIALIZER_NAMES)
    with pytest.raises(XComKitConfigError, match="pickle"):
        parse_allowed_types("json,pickle")


def test_compression_must_be_a_name_in_fsspecs_registry():
    assert parse_compression("gzip") == "gzip"
    assert parse_compression("") is None
    for bad in ("gz", "snappy"):
        with pytest.raises(XComKitConfigError, match=repr(bad)):
            parse_compression(bad)


def test_threshold_and_booleans_reject_garbage_with_the_value():
    assert parse_threshold("-1") == -1
    assert parse_threshold("  4096 ") == 4096
    with pytest.raises(XComKitConfigError, match="'1MB'"):
        parse_threshold("1MB")
    assert parse_bool("False", "opt", True) is False
    assert parse_bool("", "opt", True) is True
    with pytest.raises(XComKitConfigError, match="'maybe'"):
        parse_bool("maybe", "[xcomkit] verify_integrity", True)

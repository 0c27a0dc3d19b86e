"""The DAG of the end-to-end suite: one value above the XCom threshold, one below, read back downstream."""

from __future__ import annotations

import datetime

from airflow.sdk import dag, task

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
# About 81 KiB of JSON: far above the kit's default threshold (1024 bytes), so it goes to object storage.
LARGE = {"kind": "large", "rows": [{"id": i, "text": f"row-{i:05d}-" + "x" * 48} for i in range(1000)]}
# A few bytes of JSON: below the threshold, so it stays in the metadata database.
SMALL = {"kind": "small", "n": 1}


@dag(dag_id="e2e_xcom_roundtrip", start_date=START, schedule=None, catchup=False)
def e2e_xcom_roundtrip():
    @task
    def push_large():
        return LARGE

    @task
    def push_small():
        return SMALL

    @task
    def pull_both(large, small):
        assert large == LARGE, "the large XCom came back different"
        assert small == SMALL, "the small XCom came back different"
        return "pulled"

    pull_both(push_large(), push_small())


e2e_xcom_roundtrip()

"""The DAG of the end-to-end suite and of the quickstart: a large JSON value, a dict and a
DataFrame above the XCom threshold, one small value below it, all read back and compared downstream."""

from __future__ import annotations

import datetime

from airflow.sdk import dag, task

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
# About 81 KiB of JSON: far above the kit's default threshold (1024 bytes), so it goes to object storage.
LARGE = {"kind": "large", "rows": [{"id": i, "text": f"row-{i:05d}-" + "x" * 48} for i in range(1000)]}
# A few KiB of JSON with nested and mixed types: above the threshold too.
DICT = {
    "kind": "dict",
    "owner": "e2e",
    "nested": {"ids": list(range(200)), "flags": {"a": True, "b": False, "c": None}},
    "floats": [i / 7 for i in range(50)],
}
# A few bytes of JSON: below the threshold, so it stays in the metadata database.
SMALL = {"kind": "small", "n": 1}
FRAME_ROWS = 500


def frame():
    import pandas as pd

    return pd.DataFrame(
        {
            "id": range(FRAME_ROWS),
            "name": [f"name-{i:04d}" for i in range(FRAME_ROWS)],
            "value": [i * 0.5 for i in range(FRAME_ROWS)],
        }
    )


@dag(dag_id="e2e_xcom_roundtrip", start_date=START, schedule=None, catchup=False)
def e2e_xcom_roundtrip():
    @task
    def push_large():
        return LARGE

    @task
    def push_dict():
        return DICT

    @task
    def push_frame():
        return frame()

    @task
    def push_small():
        return SMALL

    @task
    def pull_all(large, a_dict, a_frame, small):
        assert large == LARGE, "the large XCom came back different"
        assert a_dict == DICT, "the dict XCom came back different"
        assert a_frame.equals(frame()), "the DataFrame XCom came back different"
        assert small == SMALL, "the small XCom came back different"
        return "pulled"

    pull_all(push_large(), push_dict(), push_frame(), push_small())


e2e_xcom_roundtrip()

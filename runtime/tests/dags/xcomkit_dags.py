"""DAGs the runtime tests run with ``dag.test()`` against the XComKitBackend."""

from __future__ import annotations

import datetime

from airflow.sdk import dag, task

START = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
BIG = "x" * 2000  # pads values past the tests' threshold


class ValidationResultLike:
    """Shaped like a Great Expectations validation result: serializable through to_json_dict()."""

    def __init__(self, success: bool, evaluated: int):
        self.success = success
        self.evaluated = evaluated

    def to_json_dict(self) -> dict:
        return {"success": self.success, "statistics": {"evaluated_expectations": self.evaluated}}


@dag(dag_id="xcomkit_types", start_date=START, schedule=None, catchup=False)
def xcomkit_types():
    @task
    def make_frame():
        import pandas as pd

        return pd.DataFrame({"id": range(500), "name": [f"n{i}" for i in range(500)]})

    @task
    def make_dict():
        return {"rows": 500, "pad": BIG}

    @task
    def make_small():
        return {"rows": 1}

    @task
    def validate():
        return ValidationResultLike(success=True, evaluated=7)

    @task
    def check(frame, big, small, validation):
        import pandas as pd

        assert isinstance(frame, pd.DataFrame), type(frame)
        assert list(frame["id"]) == list(range(500))
        assert big == {"rows": 500, "pad": BIG}
        assert small == {"rows": 1}
        assert validation == {"success": True, "statistics": {"evaluated_expectations": 7}}
        return "checked"

    check(make_frame(), make_dict(), make_small(), validate())


@dag(dag_id="xcomkit_mapped", start_date=START, schedule=None, catchup=False)
def xcomkit_mapped():
    @task
    def numbers():
        return [1, 2, 3]

    @task
    def square(n):
        return {"n": n * n, "pad": BIG}

    @task
    def total(results):
        values = sorted(r["n"] for r in results)
        assert values == [1, 4, 9], values
        return {"total": sum(values)}

    total(square.expand(n=numbers()))


@dag(dag_id="xcomkit_retry", start_date=START, schedule=None, catchup=False)
def xcomkit_retry():
    @task(retries=1, retry_delay=datetime.timedelta(seconds=0))
    def flaky(**context):
        ti = context["ti"]
        ti.xcom_push(key="attempt", value={"try_number": ti.try_number, "pad": BIG})
        if ti.try_number == 1:
            raise RuntimeError("first attempt fails on purpose")
        return "ok"

    @task
    def after(**context):
        attempt = context["ti"].xcom_pull(task_ids="flaky", key="attempt")
        assert attempt["try_number"] == 2, attempt
        return "done"

    flaky() >> after()


@dag(dag_id="xcomkit_branch", start_date=START, schedule=None, catchup=False)
def xcomkit_branch():
    @task.branch
    def choose():
        return "left"

    @task
    def left():
        return {"side": "left", "pad": BIG}

    @task
    def right():
        return {"side": "right"}

    choose() >> [left(), right()]


@dag(dag_id="xcomkit_double_push", start_date=START, schedule=None, catchup=False)
def xcomkit_double_push():
    @task
    def twice(**context):
        ti = context["ti"]
        ti.xcom_push(key="result", value={"version": 1, "pad": BIG})
        ti.xcom_push(key="result", value={"version": 2, "pad": BIG})

    @task
    def read(**context):
        result = context["ti"].xcom_pull(task_ids="twice", key="result")
        assert result["version"] == 2, result
        return "read"

    twice() >> read()


#: What the stock backend writes before the switch: serde types above its threshold.
STOCK_VALUE = {
    "when": datetime.datetime(2024, 3, 1, 12, 0, tzinfo=datetime.timezone.utc),
    "ids": {1, 2, 3},
    "pad": BIG,
}


@dag(dag_id="xcomkit_stock_producer", start_date=START, schedule=None, catchup=False)
def xcomkit_stock_producer():
    @task
    def produce():
        return STOCK_VALUE

    produce()


@dag(dag_id="xcomkit_switch_consumer", start_date=START, schedule=None, catchup=False)
def xcomkit_switch_consumer():
    @task
    def consume(**context):
        import os

        value = context["ti"].xcom_pull(
            dag_id="xcomkit_stock_producer", task_ids="produce", run_id=os.environ["XCOMKIT_PRODUCER_RUN"]
        )
        assert value == STOCK_VALUE, value
        return {"consumed": True, "pad": BIG}

    consume()


xcomkit_types()
xcomkit_mapped()
xcomkit_retry()
xcomkit_branch()
xcomkit_double_push()
xcomkit_stock_producer()
xcomkit_switch_consumer()

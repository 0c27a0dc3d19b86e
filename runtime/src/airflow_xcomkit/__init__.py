"""Airflow XCom backend for object storage with typed serializers, mirrors, integrity checks and purge.

Switch to it with ``AIRFLOW__CORE__XCOM_BACKEND=airflow_xcomkit.backend.XComKitBackend``.
"""

__version__ = "0.1.0"

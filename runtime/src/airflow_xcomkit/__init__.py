"""Airflow XCom backend for object storage with typed serializers, mirrors, integrity checks and purge.

Switch to it with ``AIRFLOW__CORE__XCOM_BACKEND=airflow_xcomkit.backend.XComKitBackend``.
"""

# Importing Airflow resolves the configured XCom backend, which imports airflow_xcomkit.backend.
# Doing it here, before any submodule runs, lets that nested import complete the backend module;
# otherwise a process whose first import is airflow_xcomkit.backend would meet its own module
# half-initialised (an import cycle) and Airflow would fall back to the base XCom class.
import airflow  # noqa: F401

__version__ = "0.1.0"

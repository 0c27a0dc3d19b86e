"""A pre-warmed pytest for mutmut (scripts/mutation.sh): mutmut 2 starts a new test process per
mutant, and importing Airflow costs most of each run. This server imports Airflow and the other heavy
third-party packages once, then forks a fresh child per request; the child imports the package under
test (the mutated scratch copy, never imported by the server) and its tests, runs pytest, and exits
with pytest's status, which the client (``client`` argument) returns to mutmut.

Usage, from the scratch copy of runtime/:
    python pytest_fork_server.py serve <socket>    # prints "ready" once warmed up
    python pytest_fork_server.py client <socket> <pytest args>... [-- <pytest args>...]
Each ``--``-separated group is one pytest run; a group runs only if the previous one passed.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile


def _serve(path: str) -> None:
    # The same isolation as tests/conftest.py, before Airflow reads its configuration: no user
    # AIRFLOW_HOME, no examples, a throwaway database. The backend is not configured here, so that
    # importing Airflow does not import the package under test into the server.
    home = tempfile.mkdtemp(prefix="xcomkit-mutmut-home-")
    os.environ.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
    )
    os.environ.pop("AIRFLOW__CORE__XCOM_BACKEND", None)
    import airflow  # noqa: F401
    import fsspec  # noqa: F401
    import pytest  # noqa: F401

    assert not any(m.startswith("airflow_xcomkit") for m in sys.modules), (
        "the server must not import the package under test"
    )
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            request = b""
            while not request.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                request += chunk
            groups = [
                g.split("\0") for g in request.decode().rstrip("\n").split("\0--\0")
            ]
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    import pytest as child_pytest

                    for args in groups:
                        code = int(child_pytest.main(args))
                        if code != 0:
                            break
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            conn.sendall(f"{code}\n".encode())


def _client(path: str, args: list[str]) -> int:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    client.sendall(("\0".join(args) + "\n").encode())
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = client.recv(64)
        if not chunk:
            return 2
        reply += chunk
    code = int(reply)
    return code if code >= 0 else 1


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        _serve(sys.argv[2])
    else:
        sys.exit(_client(sys.argv[2], sys.argv[3:]))

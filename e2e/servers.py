"""Loopback servers for the end-to-end suite: the runtime package's test servers, shared.

``runtime/tests/servers.py`` starts each server on 127.0.0.1 on a free port, waits for it with a
bounded readiness check and stops it by PID (terminate, then kill) when the context exits. It is
loaded by path under another module name (``localcloud.servers.runtime_test_servers``), since both
folders call their module ``servers``.
"""

from __future__ import annotations

from localcloud.servers import runtime_test_servers

_module = runtime_test_servers()

Server = _module.Server
moto_server = _module.moto_server
keep_logs = _module.keep_logs
keep_tmp_path_logs = _module.keep_tmp_path_logs

__all__ = ["Server", "keep_logs", "keep_tmp_path_logs", "moto_server"]

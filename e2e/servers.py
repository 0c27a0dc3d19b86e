"""Loopback servers for the end-to-end suite: the runtime package's test servers, shared.

``runtime/tests/servers.py`` starts each server on 127.0.0.1 on a free port, waits for it with a
bounded readiness check and stops it by PID (terminate, then kill) when the context exits. It is
loaded by path under another module name, since both folders call their module ``servers``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "xcomkit_runtime_test_servers"  # e2e/localcloud/servers.py loads it under the same name
if _NAME in sys.modules:
    _module = sys.modules[_NAME]
else:
    _PATH = Path(__file__).resolve().parents[1] / "runtime" / "tests" / "servers.py"
    _spec = importlib.util.spec_from_file_location(_NAME, _PATH)
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module  # dataclasses look their module up by name
    _spec.loader.exec_module(_module)

Server = _module.Server
moto_server = _module.moto_server
keep_logs = _module.keep_logs
keep_tmp_path_logs = _module.keep_tmp_path_logs

__all__ = ["Server", "keep_logs", "keep_tmp_path_logs", "moto_server"]

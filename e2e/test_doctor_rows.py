"""Without servers: every failure row ``xcomkit doctor``'s live probe can print carries a fix."""

from __future__ import annotations

import ast
import importlib.util

from conftest import REPO

PROBE = REPO / "lib" / "cli" / "doctor" / "probe.py"


def _report_calls() -> list[ast.Call]:
    tree = ast.parse(PROBE.read_text())
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "report"]


def _arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _may_fail(status: ast.expr) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == "fail" for n in ast.walk(status))


def _is_empty(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (None, "")


def _fix_when_failing(status: ast.expr, fix: ast.expr | None) -> ast.expr | None:
    """The fix expression on the path where the status is "fail": for ``"pass" if ok else "fail"``
    with ``None if ok else "..."``, the branch of the same condition."""
    if isinstance(fix, ast.IfExp) and isinstance(status, ast.IfExp) and ast.dump(status.test) == ast.dump(fix.test):
        fails_in_body = isinstance(status.body, ast.Constant) and status.body.value == "fail"
        return fix.body if fails_in_body else fix.orelse
    return fix


def _verdicts() -> dict[str, ast.IfExp]:
    tree = ast.parse(PROBE.read_text())
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.IfExp) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _may_fail(node.value):
                out[target.id] = node.value
    return out


def test_the_probe_reports_failures_somewhere():
    calls = [c for c in _report_calls() if _may_fail(_arg(c, 2, "status")) or isinstance(_arg(c, 2, "status"), ast.Name)]
    assert len(calls) >= 15, "the AST walk finds the probe's failure rows"


def test_every_failure_row_of_the_probe_has_a_fix():
    verdicts = _verdicts()
    missing = []
    for call in _report_calls():
        status = _arg(call, 2, "status")
        if isinstance(status, ast.Name):
            if status.id not in verdicts:
                continue  # a status passed through (report's own parameter)
            status = verdicts[status.id]
        if not _may_fail(status):
            continue
        fix = _fix_when_failing(status, _arg(call, 4, "fix"))
        empty = fix is None or _is_empty(fix) or (isinstance(fix, ast.IfExp) and (_is_empty(fix.body) or _is_empty(fix.orelse)))
        if empty:
            missing.append(f"line {call.lineno}: {ast.unparse(call)[:160]}")
    assert missing == [], "failure rows without a fix:\n" + "\n".join(missing)


def test_the_probes_report_never_emits_a_failure_without_a_fix():
    spec = importlib.util.spec_from_file_location("doctor_probe", PROBE)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    probe.results.clear()
    probe.report("x", "x", "fail", "something broke")
    probe.report("y", "y", "pass", "fine")
    (failed, passed) = probe.results
    assert failed["fix"].strip()
    assert "fix" not in passed

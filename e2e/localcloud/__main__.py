"""Entry of ``xcomkit local``: ``python -m localcloud up|down|status`` (with e2e/ on sys.path).

Exit codes: 0 ok, 1 failure, 2 usage. ``--json`` prints the state as JSON on stdout, with ``not_enforced``: per cloud, what the
local servers cannot enforce and what covers it instead (``limits.py``).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from .local import CLOUDS, LocalError, as_json, describe, down, status, up


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # a time-out still stops what `up` started
    parser = argparse.ArgumentParser(prog="xcomkit local")
    parser.add_argument("--state-dir", default=".xcomkit/local")
    parser.add_argument("--json", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up")
    p_up.add_argument("--env", default="dev")
    p_up.add_argument("--cdk-out", default="cdk.out")
    p_up.add_argument("--cdktf-out", default="cdktf.out")
    p_up.add_argument("--cloud", action="append", choices=CLOUDS)
    sub.add_parser("down")
    sub.add_parser("status")
    args = parser.parse_args(argv)
    state_dir = Path(args.state_dir)
    try:
        if args.command == "up":
            state = up(
                args.env,
                Path(args.cdk_out),
                Path(args.cdktf_out),
                state_dir,
                args.cloud or list(CLOUDS),
                explicit=bool(args.cloud),
            )
            print(json.dumps(as_json(state), indent=2) if args.json else describe(state))
        elif args.command == "down":
            stopped = down(state_dir)
            if args.json:
                print(json.dumps({name: was_running for name, was_running in stopped}))
            elif not stopped:
                print("no local cloud is up (nothing to stop)")
            else:
                for name, was_running in stopped:
                    print(f"stopped {name}" if was_running else f"{name} was not running")
        else:
            state = status(state_dir)
            if state is None:
                print(json.dumps(None) if args.json else "no local cloud is up (run: xcomkit local up)")
                return 0
            print(json.dumps(as_json(state), indent=2) if args.json else describe(state))
            if not all(s["running"] for s in state["servers"].values()):
                return 1
        return 0
    except LocalError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

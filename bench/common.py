"""Helpers the benchmark modules share: options and measurements in child processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def option(argv: list[str], name: str, default):
    """The value of `--name=value` in argv, converted to the type of `default`."""
    for arg in argv:
        if arg.startswith(f"--{name}="):
            return type(default)(arg.split("=", 1)[1])
    return default


def run_child(module: str, env: dict, *args: str) -> dict:
    """Run `python -m <module> args…` in a fresh process; its last stdout line is JSON."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])

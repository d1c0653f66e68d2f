"""Helpers the benchmark modules share: options and measurements in child processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL server the benchmarks use when one answers (user postgres, trust auth).
PG_HOST = "127.0.0.1"
# Child processes run with debug off, which needs a secret key (portal/settings.py).
BENCH_SECRET_KEY = "bench-only-not-secret-" + "x" * 40


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


def postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"host={PG_HOST} user=postgres dbname=postgres connect_timeout=3").close()
        return True
    except Exception:
        return False


def ensure_pg_database(name: str, fresh: bool = False) -> str:
    """Create the database `name` if missing (`fresh`: drop it first); return its URL."""
    import psycopg

    with psycopg.connect(f"host={PG_HOST} user=postgres dbname=postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@{PG_HOST}:5432/{name}"

"""Run the benchmark modules, print their tables and write bench/results.json.

Each module in MODULES exposes `run(args) -> dict` and prints its own table.
`python -m bench search` runs one of them.
"""

import importlib
import json
import os
import sys
from pathlib import Path

from bench.common import BENCH_SECRET_KEY

MODULES = ["search", "pages", "hsds"]
RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", BENCH_SECRET_KEY)  # debug is off here too
    selected = [a for a in argv if not a.startswith("-")] or MODULES
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in selected:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"[bench] no module bench/{name}.py yet: skipped")
            continue
        results[name] = module.run(argv)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"[bench] figures written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""python -m services.hsds.profile CANONICAL_COMPILED_DIR: rewrites compiled/."""

import sys
from pathlib import Path

from services.hsds.profile import compile_all

for written in compile_all(Path(sys.argv[1])):
    print(written)

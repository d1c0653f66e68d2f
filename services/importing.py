"""What the two imports (the coordinator's CSV sheet and HSDS) share: the problem line and
the size limits. The limits are in the README; a file beyond one is reported, not read."""

from dataclasses import dataclass

MAX_FILE_BYTES = 100 * 1024 * 1024  # one HSDS file (the CSV sheet has its own, smaller one)
MAX_RECORDS = 200_000  # services in one HSDS import
MAX_TEXT = 20_000  # characters in one value
MAX_DEPTH = 12  # levels of nesting in a JSON document (a full service needs 6)


@dataclass
class Problem:
    table: str
    row: int | str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}, rad {self.row}, felt {self.field}: {self.message}"


def too_big_message() -> str:
    return f"filen er større enn {MAX_FILE_BYTES // (1024 * 1024)} MB; ikke lest"


def too_many_message() -> str:
    return f"mer enn {MAX_RECORDS} tjenester i én import; del den opp"


def too_long_message() -> str:
    return f"lengre enn {MAX_TEXT} tegn"


def too_deep_message() -> str:
    return f"nestet dypere enn {MAX_DEPTH} nivåer; ikke lest"


def depth(value, limit: int = MAX_DEPTH) -> int:
    """How deeply `value` nests lists and objects, counted without recursion (stops past
    `limit`, so a hostile document costs no more than a normal one)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > limit:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest

"""Validators for the official HSDS 3 schemas (copied here unchanged) and the Norwegian profile."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from services.hsds import profile

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schema"
COMPILED = SCHEMA / "compiled"
EXAMPLES = HERE / "examples"


@cache
def _registry() -> Registry:
    """The per-object schemas under their file names, for relative $refs."""
    resources = []
    for path in sorted(SCHEMA.glob("*.json")):
        if path.name == "openapi.json":
            continue
        resource = Resource.from_contents(
            json.loads(path.read_text()), default_specification=DRAFT202012
        )
        resources.append((path.name, resource))
    return Registry().with_resources(resources)


@cache
def official(name: str) -> Draft202012Validator:
    schema = json.loads((COMPILED / name).read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


@cache
def profiled(name: str) -> Draft202012Validator:
    schema = json.loads((profile.COMPILED / name).read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker())


@cache
def page_schema() -> dict:
    openapi = json.loads((SCHEMA / "openapi.json").read_text())
    return openapi["components"]["schemas"]["Page"]


def errors(validator: Draft202012Validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(document)
    ]


def assert_valid(name: str, document) -> None:
    """Valid by the official schema and by the Norwegian profile's version of it."""
    assert errors(official(name), document) == [], name
    assert errors(profiled(name), document) == [], f"profile {name}"

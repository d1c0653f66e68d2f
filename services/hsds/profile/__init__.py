"""The Norwegian HSDS profile: JSON Merge Patches (RFC 7386) over the canonical schemas.

Laid out as Open Referral UK's profile does it: `patches/<object>.json` is a
merge patch for one HSDS object (service, location, service_area,
organization); `compiled/<schema>.json` are the canonical compiled schemas with
the patches applied to every nested object of that name.

Regenerate the compiled schemas after changing a patch:
    python -m services.hsds.profile tests/hsds/schema/compiled
(a test checks that they are up to date).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATCHES = HERE / "patches"
COMPILED = HERE / "compiled"
PROFILED_SCHEMAS = [
    "service.json",
    "service_list.json",
    "organization.json",
    "organization_list.json",
    "service_at_location.json",
    "service_at_location_list.json",
]


def merge_patch(target, patch):
    """RFC 7386: objects merge recursively, null removes a member, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def load_patches(folder: Path = PATCHES) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def apply_profile(schema, patches: dict[str, dict]):
    """Applies each object's patch wherever that object appears in a compiled schema."""
    if isinstance(schema, list):
        return [apply_profile(item, patches) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {key: apply_profile(value, patches) for key, value in schema.items()}
    if node.get("type") == "object" and "properties" in node and node.get("name") in patches:
        node = merge_patch(node, patches[node["name"]])
    return node


def compile_all(canonical_dir: Path, out_dir: Path = COMPILED) -> list[Path]:
    patches = load_patches()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PROFILED_SCHEMAS:
        canonical = json.loads((canonical_dir / name).read_text())
        path = out_dir / name
        path.write_text(json.dumps(apply_profile(canonical, patches), ensure_ascii=False) + "\n")
        written.append(path)
    return written


@cache
def _read(path: Path):
    return json.loads(path.read_text())


def index(absolute) -> dict:
    """The profile's description with the URLs of its patches and compiled schemas."""
    return {
        "name": "Veiviser – norsk HSDS-profil",
        "uri": absolute(""),
        "hsds_version": "3.0",
        "description": (
            "JSON Merge Patches (RFC 7386) over Open Referral HSDS 3.0: kommune- og fylkesnummer "
            "på service_area, location og organization, skjermet adresse på location, og "
            "tilgangsvei (henvisning, hvem kan henvise, anonym bruk) på service. Alle feltene er "
            "valgfrie, så dataene er også gyldige etter de offisielle skjemaene."
        ),
        "patches": {p.stem: absolute(f"patches/{p.name}") for p in sorted(PATCHES.glob("*.json"))},
        "compiled": {
            name.removesuffix(".json"): absolute(f"compiled/{name}") for name in PROFILED_SCHEMAS
        },
    }


def document(kind: str, name: str):
    folder = {"patches": PATCHES, "compiled": COMPILED}.get(kind)
    if folder is None:
        return None
    path = folder / name
    if path.parent != folder or not path.is_file():
        return None
    return _read(path)

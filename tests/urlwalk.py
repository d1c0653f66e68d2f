"""Every URL of the project as a concrete path, for tests that a rule holds on all of
them (second factor, no-store, hostile input): a new URL is covered without anyone
remembering to add it."""

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

_route_param = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_regex_group = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")
_unnamed_group = re.compile(r"\((?!\?)[^()]*\)")


@dataclass(frozen=True)
class WalkedURL:
    path: str
    view_name: str  # "namespace:name", or "" for an unnamed pattern
    params: tuple[str, ...]  # the names of the parts taken from the path


def _route_sample(route: str, samples: dict) -> tuple[str, list[str]]:
    names = []

    def fill(match):
        names.append(match["name"])
        return str(samples.get(match["name"]) or samples[match["converter"] or "str"])

    return _route_param.sub(fill, route), names


def _regex_sample(regex: str, samples: dict) -> tuple[str, list[str]]:
    names = []

    def fill(match):
        names.append(match["name"])
        body = match["body"]
        if re.fullmatch(r"[\w|-]+", body):  # an alternation of literals: take the first
            return body.split("|")[0]
        return str(samples.get(match["name"]) or samples["str"])

    def fill_positional(match):
        names.append("")
        return str(samples["str"])

    text = _regex_group.sub(fill, regex.lstrip("^").replace("\\Z", "").rstrip("$"))
    text = _unnamed_group.sub(fill_positional, text)
    return text.replace("\\", ""), names


def walk(samples: dict | None = None) -> list[WalkedURL]:
    """One concrete path per URL pattern. `samples` maps a parameter name or a
    converter ("int", "slug", "uuid", "str", "path") to the value put in its place."""
    values = {"int": 1, "slug": "x", "str": "x", "path": "x", "uuid": uuid.uuid4()}
    values.update(samples or {})
    found = []

    def visit(patterns, prefix, namespace, params):
        for entry in patterns:
            pattern = entry.pattern
            if isinstance(pattern, LocalePrefixPattern):
                piece, names = pattern.language_prefix, []
            elif isinstance(pattern, RoutePattern):
                piece, names = _route_sample(str(pattern), values)
            elif isinstance(pattern, RegexPattern):
                piece, names = _regex_sample(pattern.regex.pattern, values)
            else:  # pragma: no cover - a new kind of pattern must be taught here
                raise AssertionError(f"unknown URL pattern {pattern!r}")
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                visit(entry.url_patterns, prefix + piece, inner, params + tuple(names))
            elif isinstance(entry, URLPattern):
                name = ""
                if entry.name:
                    name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.append(WalkedURL(prefix + piece, name, params + tuple(names)))

    visit(get_resolver().url_patterns, "/", "", ())
    return found

"""Enumerate every named URL pattern of the URL conf with sample arguments.

Used by the access tests, so a view added without an entry in them is still
walked (and fails if it is open to the wrong people).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

SAMPLE_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")
_REGEX_CANDIDATES = ("1", "auth", "x", "0-0")


@dataclass(frozen=True)
class WalkedURL:
    name: str  # namespaced, e.g. "patients:list"
    path: str


def _kwargs_candidates(pattern) -> list[dict]:
    converters = getattr(pattern.pattern, "converters", {})
    if converters:
        kwargs = {}
        for key, converter in converters.items():
            if isinstance(converter, UUIDConverter):
                kwargs[key] = SAMPLE_UUID
            elif isinstance(converter, IntConverter):
                kwargs[key] = 1
            else:
                kwargs[key] = "x"
        return [kwargs]
    group_names = list(re.compile(pattern.pattern.regex.pattern).groupindex)
    if not group_names:
        return [{}]
    return [dict.fromkeys(group_names, candidate) for candidate in _REGEX_CANDIDATES]


def _walk(patterns, namespace: str | None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, full)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def walk_urls() -> list[WalkedURL]:
    found: dict[str, WalkedURL] = {}
    for name, pattern in _walk(get_resolver().url_patterns, None):
        if name in found:
            continue
        for kwargs in _kwargs_candidates(pattern):
            try:
                found[name] = WalkedURL(name, reverse(name, kwargs=kwargs))
                break
            except NoReverseMatch:
                continue
    return sorted(found.values(), key=lambda u: u.name)

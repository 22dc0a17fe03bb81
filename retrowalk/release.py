"""The release's fingerprint, which names the caches (their KEY_PREFIX).

Kept page parts and plan PDFs are drawn by a release's code and templates and by
the packages it pins (Django's widgets, crispy's fields). Their keys name the data
they are drawn from, not the release: during a rolling upgrade, servers of two
releases sharing one cache would hand each other parts drawn by the other's
templates (a button naming a form the other's page no longer draws). Prefixed with
the fingerprint, each release reads only what it drew itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# What draws the pages: the apps' code and the templates, and the pinned packages.
SOURCES = ("retrowalk", "patients", "programs", "templates")
SUFFIXES = {".py", ".html", ".svg", ".txt", ".js"}  # .js: the service worker's template
PINS = "requirements.txt"


def fingerprint(base_dir: Path) -> str:
    """Twelve hex digits that change with any of the release's sources, and only with them."""
    digest = hashlib.sha256()
    for path in sorted(_sources(base_dir)):
        digest.update(path.relative_to(base_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _sources(base_dir: Path):
    for top in SOURCES:
        for path in (base_dir / top).rglob("*"):
            if path.suffix in SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                yield path
    if (base_dir / PINS).is_file():
        yield base_dir / PINS

"""Links to one object's pages, by its public id, without reversing each URL for every object.

A program's section links to ten of its pages, the dashboard to a hundred charts, and each
``{% url %}`` or ``reverse`` walks the URL resolver. Each URL name is reversed once with a
stand-in id (per URL conf and script prefix), and a link is that pattern with the object's id
put in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = uuid.UUID(int=0)


@lru_cache(maxsize=256)
def _pattern(name: str, urlconf: str, prefix: str) -> str:
    # ``reverse`` puts in the script prefix in force: it is part of the key.
    return reverse(name, urlconf=urlconf, kwargs={"public_id": _STAND_IN})


def link_to(name: str) -> Callable[[uuid.UUID], str]:
    """``link_to(name)(public_id)`` is ``reverse(name, kwargs={"public_id": public_id})``."""
    pattern, stand_in = _pattern(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()), str(_STAND_IN)
    return lambda public_id: pattern.replace(stand_in, str(public_id))


def public_links(public_id: uuid.UUID, names: dict[str, str]) -> dict[str, str]:
    """``{key: URL}`` for each ``{key: URL name}``, as ``reverse(name, kwargs={"public_id": public_id})``."""
    return {key: link_to(name)(public_id) for key, name in names.items()}

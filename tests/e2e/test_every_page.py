"""Every page of the permission matrix in a real browser, at desktop and phone width, checked with axe-core.

Each persona opens every page the matrix lets them open (and the patient list in
each of its orders): zero serious or critical axe findings at 1280 px and at 390 px,
no script errors, and on the app's own pages nothing to scroll sideways on a phone
(a wide table scrolls inside its own container). The Django admin is checked with
axe at both widths too; its changelists are wider than a phone by design.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.e2e.conftest import PHONE, check_page, no_horizontal_scroll
from tests.security.conftest import admin_ids, signed_in_pages, world  # noqa: F401 - fixtures

DESKTOP = {"width": 1280, "height": 900}
# Findings in the markup of Django's own admin templates (and django-axes' list filter), which
# retrowalk neither copies nor overrides: (axe rule, part of the element's selector).
ADMIN_UPSTREAM = (
    ("aria-prohibited-attr", ".help-tooltip.search-label-icon"),  # the two-list many-to-many picker
    ("label", "_0"),  # the two halves of a split date-and-time widget (#id_last_login_0, _1)
    ("label", "_1"),
    ("label-title-only", "#searchbar"),  # the changelist's search box
    ("link-in-text-block", '.small > a[href="?"]'),  # "N results (Show all)"
    ("link-name", 'a[href="?path_info="]'),  # an empty value in django-axes' path filter
)


def _session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_passes_axe_at_desktop_and_phone_width(new_page, live_server, world, admin_ids):  # noqa: F811
    pages = signed_in_pages(world, admin_ids)
    assert len(pages) > 80
    checked, failures = 0, []
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        browsers = {}
        for label, persona, url in pages:
            if persona not in browsers:
                browsers[persona] = new_page(viewport=viewport)
                browsers[persona].context.add_cookies([_session_cookie(world.users[persona], live_server)])
            page = browsers[persona]
            page.js_errors.clear()
            response = page.goto(url)
            assert response.status == 200, f"{label}: {response.status}"
            name = f"every-{width}-" + label.replace(":", "-").replace(" ", "-")
            try:
                check_page(page, name, upstream=ADMIN_UPSTREAM if url.startswith("/admin/") else ())
                if width == "phone" and not url.startswith("/admin/"):
                    no_horizontal_scroll(page, name)
            except AssertionError as failed:
                failures.append(str(failed).split("\nassert")[0])
            checked += 1
    assert checked == 2 * len(pages)
    assert not failures, f"{len(failures)} of {checked} pages failed:\n" + "\n".join(failures)

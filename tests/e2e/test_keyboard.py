"""Keyboard only: signing in and logging a session with Tab, arrows, typing and Enter, focus always visible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import SessionLog
from tests.e2e.conftest import check_page
from tests.factories import PASSWORD

# What the focused element is called, and whether its focus is drawn (outline or ring).
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const label = (e.labels && e.labels[0] && e.labels[0].innerText) || e.getAttribute('aria-label')
        || e.innerText || e.value;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    return {name: (label || '').replace(/\\s+/g, ' ').replace(/\\*$/, '').trim(), tag: e.tagName.toLowerCase(),
            type: e.type || '', checked: !!e.checked, drawn: outline || s.boxShadow !== 'none'};
}"""


def tab_to(page, name: str, *, limit: int = 60) -> list[dict]:
    """Press Tab until the element called ``name`` has focus; every stop on the way must show its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append(focused)
        assert focused["drawn"], f"focus is not visible on {focused}"
        if focused["name"] == name:
            return seen
    raise AssertionError(f"Tab never reached {name!r}; it went through {[f['name'] for f in seen]}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_signs_in_and_logs_a_session_with_the_keyboard_alone(patient, screen, prescribe, new_page):
    program = prescribe(patient, screen(patient))
    page = new_page()

    page.goto("/accounts/login/")
    # The username has focus on arrival, so typing starts at once.
    expect(page.get_by_label("Username")).to_be_focused()
    focused = page.evaluate(FOCUSED)
    assert (focused["name"], focused["drawn"]) == ("Username", True)
    page.keyboard.type(patient.user.username)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My walking plan")).to_be_visible()

    tab_to(page, "Log a session")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Log a home session")).to_be_visible()
    check_page(page, "keyboard-01-log-session")
    # Date, minutes, speed and incline come filled in with today's targets; change the minutes.
    tab_to(page, "Minutes walked backward")
    page.keyboard.press("Control+A")
    page.keyboard.type("15")
    for name, value in (("Pain before (0–10)", "1"), ("Pain after (0–10)", "2"), ("Effort (Borg 6–20)", "11")):
        tab_to(page, name, limit=3)
        page.keyboard.type(value)
    # A radio group is one Tab stop; the arrows choose within it.
    rails = tab_to(page, "No hands on the rails", limit=3)[-1]
    assert rails["type"] == "radio"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED) | {"drawn": True} == {
        "name": "One hand on a rail",
        "tag": "input",
        "type": "radio",
        "checked": True,
        "drawn": True,
    }
    tab_to(page, "No fall or near fall", limit=3)
    page.keyboard.press("Space")
    tab_to(page, "Note", limit=3)
    page.keyboard.type("Easier than last week.")
    tab_to(page, "Save the session", limit=3)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My walking plan")).to_be_visible()

    log = SessionLog.objects.get(prescription=program)
    assert (log.minutes, log.pain_before, log.pain_after, log.effort) == (15, 1, 2, 11)
    assert (log.rails, log.event, log.note) == ("one_hand", "none", "Easier than last week.")
    assert log.entered_by_id == patient.user_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_wrong_password_the_keyboard_recovers_and_the_skip_link_leads_to_the_content(
    patient, screen, prescribe, new_page
):
    prescribe(patient, screen(patient))
    page = new_page()
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(patient.user.username)
    page.keyboard.press("Tab")
    page.keyboard.type("not the password at all")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("username and password")
    check_page(page, "keyboard-02-login-refused")
    # The username is kept and has focus again; the right password goes in with Tab and Enter.
    expect(page.get_by_label("Username")).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value(patient.user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My walking plan")).to_be_visible()

    # A fresh page: the first Tab shows the skip link, which jumps past the menu.
    first = tab_to(page, "Skip to main content", limit=1)
    assert first[0]["tag"] == "a"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    in_main = page.evaluate("() => !!document.activeElement.closest('main')")
    assert in_main, page.evaluate(FOCUSED)

"""Real-browser fixtures: Debian's Chromium driven by Playwright against a live server.

Every test here is marked ``e2e``. Without Chromium (``apt-get install -y chromium``)
they are skipped with that instruction; under CI (``CI=true``) a missing browser is
a failure instead, so the journeys can never silently stop running there.

Each journey checks its pages with axe-core (bundled in the axe-playwright-python
package and injected from disk, never fetched) and keeps screenshots in
``tests/e2e/artifacts/`` (ignored by git).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.environ.get("RETROWALK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
BLOCKING_IMPACTS = ("serious", "critical")
PHONE = {"width": 390, "height": 844}

# Page name -> affected elements by (impact, rule), for the summary at the end of the run.
AXE_RESULTS: dict[str, Counter] = {}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_sqlite():
    """On SQLite the live server's request threads share the test's one in-memory connection (Django's
    ``connections_override``): a live preview still in flight when a form is sent would interleave its
    savepoints with the save's on that one connection ("no such savepoint"). There Django answers one
    request at a time (the lock is around the handler, not the connection, which a browser keeps open
    between requests); on PostgreSQL each thread has a connection of its own and nothing changes."""
    import threading

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    answer = WSGIHandler.__call__
    one_at_a_time = threading.Lock()

    def in_turn(handler, environ, start_response):
        with one_at_a_time:
            return answer(handler, environ, start_response)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WSGIHandler, "__call__", in_turn)
        yield


def _missing_browser() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "the browser tests need Playwright and axe-playwright-python: run `make install`"
    if not os.access(CHROMIUM, os.X_OK):
        return f"the browser tests need Chromium at {CHROMIUM}: run `apt-get install -y chromium`"
    return None


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium for one test (skipped with the reason when there is none)."""
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must run the browser journeys, but {missing}.")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop in this thread; the test's own
    # ORM calls (setup and database assertions) are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Inside Playwright's loop Django keeps the test's connections apart from the
            # ones opened before it; close them here, or the test database cannot be dropped.
            connections.close_all()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies) on the live server."""
    contexts = []

    def make(*, viewport: dict | None = None, **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1280, "height": 900},
            accept_downloads=True,
            timezone_id="Europe/Stockholm",
            # No transitions: focus rings and screenshots are read in their final state.
            reduced_motion="reduce",
            **{"locale": "en-GB", **options},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.js_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _upstream(violation: dict, node: dict, upstream) -> bool:
    return any(violation["id"] == rule and part in str(node["target"]) for rule, part in upstream)


def check_page(page, name: str, *, upstream=()) -> None:
    """Axe-core on the page as it is now (zero serious or critical), no script errors, and a screenshot.

    ``upstream`` names (rule, part of the element's selector) findings in markup the app does not own
    (the Django admin's templates): they are reported, not failed.
    """
    from axe_playwright_python.sync_playwright import Axe

    screenshot(page, name)
    assert not page.js_errors, f"{name}: script errors in the browser: {page.js_errors}"
    results = Axe().run(page)
    # axe-core's own probes add a <style> element that the app's CSP rightly blocks; those
    # messages are the test's, not the page's.
    page.js_errors.clear()
    violations = results.response["violations"]
    AXE_RESULTS[name] = Counter({(v["impact"], v["id"]): len(v["nodes"]) for v in violations})
    blocking = [
        v
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS and not all(_upstream(v, n, upstream) for n in v["nodes"])
    ]
    assert not blocking, f"{name}: axe-core found serious or critical problems:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(f"{n['target']} {n.get('failureSummary', '')}" for n in v["nodes"][:5])
        for v in blocking
    )


def no_horizontal_scroll(page, name: str) -> None:
    """The page is no wider than the viewport: nothing to scroll sideways."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1 && e.offsetParent !== null)
            .filter(e => !e.closest('.table-responsive, pre'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
        viewport,
    )
    assert width <= viewport, f"{name}: the page is {width}px wide on a {viewport}px screen; too wide: {wide}"


def fill_session_log(page, *, minutes: str, pain: tuple[str, str], effort: str, rails: str, event: str) -> None:
    """Fill the session-log form by its labels (date, speed and incline keep the week's targets)."""
    page.get_by_label("Minutes walked backward").fill(minutes)
    page.get_by_label("Pain before (0–10)").fill(pain[0])
    page.get_by_label("Pain after (0–10)").fill(pain[1])
    page.get_by_label("Effort (Borg 6–20)").fill(effort)
    page.get_by_label(rails).check()
    page.get_by_label(event).check()


def pytest_terminal_summary(terminalreporter):
    if not AXE_RESULTS:
        return
    terminalreporter.section("axe-core: violations by page (serious and critical fail the test)")
    for name, counts in sorted(AXE_RESULTS.items()):
        shown = ", ".join(f"{impact} {rule} ×{n}" for (impact, rule), n in sorted(counts.items())) or "none"
        terminalreporter.write_line(f"{name:40} {shown}")
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        page: [{"impact": impact, "rule": rule, "elements": n} for (impact, rule), n in counts.items()]
        for page, counts in AXE_RESULTS.items()
    }
    (ARTIFACTS / "axe.json").write_text(json.dumps(report, indent=2))

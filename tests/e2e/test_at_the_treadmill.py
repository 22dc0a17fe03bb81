"""At the treadmill, in a real browser: the session timer on Playwright's fake clock, the treadmill card, and
the plan and the log without a connection (service worker, IndexedDB, exactly-once sending).

The figures the closing note quotes (time from reconnecting to the saved log, what the service worker keeps)
are written to tests/e2e/artifacts/offline.json.
"""

from __future__ import annotations

import io
import json
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from pypdf import PdfReader

from programs import services
from programs.models import Prescription, SessionLog
from tests.e2e.conftest import ARTIFACTS, PHONE, check_page, no_horizontal_scroll, screenshot
from tests.e2e.test_clinician_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MINUTE = 60_000


@pytest.fixture
def program(patient, screen, prescribe):
    return prescribe(patient, screen(patient), baseline_pain=1)


def poll(page, script: str, timeout: float = 15) -> None:
    """Wait until the script (a function) returns true. The app's CSP forbids Playwright's string-eval waits."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if page.evaluate(script):
            return
        time.sleep(0.05)
    raise AssertionError(f"still false after {timeout} s: {script}")


def clock_shows(page, step: str, left: str) -> None:
    expect(page.locator("[data-step-title]")).to_have_text(step)
    expect(page.locator("[data-countdown]")).to_have_text(left)


# --- The session timer ---


def test_the_timer_runs_every_step_in_order_pauses_and_opens_the_log_with_the_minutes_walked(
    new_page, patient, program
):
    week = program.weeks.get(week=1)
    bout, rest = week.bout_minutes * MINUTE, int(week.rest_minutes * MINUTE)
    page = new_page(viewport=PHONE)
    page.clock.install()
    sign_in(page, patient.user.username)
    page.get_by_role("link", name="Start the session timer").click()
    page.wait_for_load_state()
    clock_shows(page, "Ready when you are", "3:00")
    check_page(page, "treadmill-01-timer-phone")
    no_horizontal_scroll(page, "timer on a phone")

    # Keyboard: the Start button takes Enter.
    page.get_by_role("button", name="Start", exact=True).focus()
    page.keyboard.press("Enter")
    clock_shows(page, "Warm up", "3:00")
    expect(page.locator("[data-announce]")).to_have_text("Warm up. The backward walk starts after it.")
    page.clock.run_for(MINUTE)
    clock_shows(page, "Warm up", "2:00")
    page.clock.run_for(2 * MINUTE)
    clock_shows(page, f"Walk backward: 1 of {week.bouts}", f"{week.bout_minutes}:00")
    expect(page.locator("[data-announce]")).to_contain_text("Walk backward now. Walk 1 of")
    expect(page.get_by_role("button", name="Skip this step")).to_be_hidden()  # a walk is never skipped

    # Pause: the countdown stands still however long the pause, then goes on.
    page.clock.run_for(MINUTE)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-announce]")).to_have_text("Paused. Press Resume to go on.")
    page.clock.run_for(5 * MINUTE)
    clock_shows(page, f"Walk backward: 1 of {week.bouts}", f"{week.bout_minutes - 1}:00")
    screenshot(page, "treadmill-02-timer-paused-phone")
    page.get_by_role("button", name="Resume").click()
    page.clock.run_for(bout - MINUTE)
    for number in range(2, week.bouts + 1):
        clock_shows(page, "Rest", f"{rest // MINUTE}:{(rest % MINUTE) // 1000:02d}")
        page.clock.run_for(rest)
        clock_shows(page, f"Walk backward: {number} of {week.bouts}", f"{week.bout_minutes}:00")
        if number == 2:
            page.clock.run_for(90_000)
            screenshot(page, "treadmill-03-timer-mid-bout-phone")
            page.clock.run_for(bout - 90_000)
        else:
            page.clock.run_for(bout)
    # The last walk is over: the log opens, filled in with every minute walked (the pause not counted).
    page.clock.run_for(1000)
    page.wait_for_url("**/log/?from=timer*")
    walked = week.bouts * week.bout_minutes
    expect(page.get_by_label("Minutes walked backward")).to_have_value(str(walked))
    expect(page.get_by_label("Speed (km/h)")).to_have_value(str(week.speed_kmh))
    expect(page.get_by_text(f"From the timer: {walked} minutes walked.")).to_be_visible()
    expect(page.get_by_label("Stopped early")).not_to_be_checked()
    expect(page.locator("[data-stop-rules]")).to_be_hidden()


def test_stop_now_opens_the_log_marked_stopped_early_with_the_stop_rules_and_it_saves_so(new_page, patient, program):
    page = new_page()
    page.clock.install()
    sign_in(page, patient.user.username)
    page.goto(f"/programs/{program.public_id}/timer/")
    check_page(page, "treadmill-04-timer-desktop")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Skip this step").click()  # the warm-up
    page.clock.run_for(2 * MINUTE + 20_000)
    expect(page.locator(".timer-clock")).to_have_attribute("data-kind", "walk")
    page.get_by_role("button", name="Stop now").click()
    page.wait_for_url("**/log/?from=timer*stopped=1*")
    expect(page.get_by_label("Minutes walked backward")).to_have_value("2")
    expect(page.get_by_label("Stopped early")).to_be_checked()
    rules = page.locator("[data-stop-rules]")
    expect(rules).to_be_visible()
    expect(rules).to_contain_text("chest pain or pressure")
    page.get_by_label("Pain before (0–10)").fill("2")
    page.get_by_label("Pain after (0–10)").fill("6")
    page.get_by_label("Effort (Borg 6–20)").fill("13")
    page.get_by_label("Both hands on the rails").check()
    check_page(page, "treadmill-05-log-after-stop-now")
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_url("**/my-plan/")
    log = SessionLog.objects.get(prescription=program)
    assert (log.minutes, log.stopped_early, log.pain_after) == (2, True, 6)


# --- The treadmill card ---


def test_the_card_reads_well_on_a_phone_and_a_desktop_and_prints_on_one_page(new_page, patient, program):
    page = new_page()
    sign_in(page, patient.user.username)
    page.get_by_role("link", name="Treadmill card").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="BACKWARD")).to_be_visible()
    check_page(page, "treadmill-06-card-desktop")
    for paper in ("A4", "Letter"):
        printed = PdfReader(io.BytesIO(page.pdf(format=paper)))
        assert len(printed.pages) == 1, paper
        text = printed.pages[0].extract_text()
        assert "BACKWARD" in text and "chest pain or pressure" in text, paper
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF (A5, half A4)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    download.value.save_as(ARTIFACTS / "treadmill-card-a5.pdf")
    assert len(pdf.pages) == 1 and "Clip on the safety key" in pdf.pages[0].extract_text()
    page.set_viewport_size(PHONE)
    page.reload()
    check_page(page, "treadmill-07-card-phone")
    no_horizontal_scroll(page, "card on a phone")


# --- Without a connection ---


KEPT_PAGES = """() => caches.has('rw-pages').then(has => has ? caches.open('rw-pages').then(c => c.keys())
    .then(keys => keys.map(r => new URL(r.url).pathname)) : [])"""
KEPT_BYTES = """async () => {
    let bytes = 0, entries = 0;
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            bytes += (await (await cache.match(request)).blob()).size;
            entries += 1;
        }
    }
    return {bytes, entries};
}"""
QUEUE = "() => RetrowalkQueue.all()"
# Logs left in the phone's store (opened without the app's script, as after signing out).
STORED_LOGS = """() => new Promise(done => {
    const opening = indexedDB.open('retrowalk');
    opening.onsuccess = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains('session-logs')) return done(0);
        const count = db.transaction('session-logs').objectStore('session-logs').count();
        count.onsuccess = () => done(count.result);
    };
})"""


def _log_offline(page, program, minutes: str) -> str:
    page.goto(f"/programs/{program.public_id}/log/")
    page.get_by_label("Minutes walked backward").fill(minutes)
    page.get_by_label("Pain before (0–10)").fill("1")
    page.get_by_label("Pain after (0–10)").fill("2")
    page.get_by_label("Effort (Borg 6–20)").fill("12")
    page.get_by_label("One hand on a rail").check()
    submission = page.locator("input[name=submission]").input_value()
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_url("**/my-plan/?kept=*")
    return submission


def test_the_plan_timer_and_log_work_offline_and_each_log_is_saved_once_or_refused_with_the_reason(
    new_page, patient, program, clinician
):
    page = new_page(viewport=PHONE, service_workers="allow")
    sign_in(page, patient.user.username)
    poll(page, "() => navigator.serviceWorker.controller !== null")
    plan, timer = "/my-plan/", f"/programs/{program.public_id}/timer/"
    log_form, card = f"/programs/{program.public_id}/log/", f"/plans/{program.public_id}/card/"
    poll(
        page,
        f"() => ({KEPT_PAGES})().then(kept => {json.dumps([plan, timer, log_form, card])}"
        ".every(p => kept.includes(p)))",
    )
    kept = page.evaluate(KEPT_BYTES)

    context = page.context
    context.set_offline(True)
    page.goto(plan)
    expect(page.get_by_role("heading", name="My walking plan")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    # The worker has no network either: a page never opened here is the offline page, not the real one.
    page.goto("/accounts/preferences/")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    page.goto(plan)
    page.get_by_role("link", name="Start the session timer").click()
    expect(page.get_by_role("button", name="Stop now")).to_be_visible()

    first = _log_offline(page, program, "12")
    expect(page.locator("[data-queue-summary]")).to_have_text(
        "1 session log waits to be sent. They are sent when the connection returns."
    )
    screenshot(page, "treadmill-08-offline-log-kept-phone")
    assert not SessionLog.objects.exists()

    # Back online: sent once, and said when.
    started = time.perf_counter()
    context.set_offline(False)
    poll(page, f"() => ({QUEUE})().then(all => all.length === 1 && all[0].state === 'sent')")
    reconnect_to_saved = time.perf_counter() - started
    log = SessionLog.objects.get()
    assert (str(log.public_id), log.minutes, log.setting) == (first, 12, "home")
    expect(page.locator("[data-queue-summary]")).to_have_text("Every session log kept on this phone has been sent.")
    expect(page.locator("[data-queue-list]")).to_contain_text("sent ")

    # The same log sent again (an answer lost on the way): already saved, still one row.
    page.evaluate("() => RetrowalkQueue.all().then(([entry]) => RetrowalkQueue.update({...entry, state: 'waiting'}))")
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    poll(page, f"() => ({QUEUE})().then(all => all[0].state === 'sent')")
    assert SessionLog.objects.count() == 1
    assert page.evaluate(QUEUE)[0]["message"] == "This session was already saved."

    # A log kept while the therapist paused the program: refused on arrival, shown with the reason.
    context.set_offline(True)
    _log_offline(page, program, "8")
    program.refresh_from_db()
    services.prescription_pause(
        prescription=program, by=clinician, expected_version=program.version, reason="Swollen knee"
    )
    context.set_offline(False)
    poll(page, f"() => ({QUEUE})().then(all => all.some(e => e.state === 'refused'))")
    expect(page.locator("[data-queue-summary]")).to_have_text("1 session log was not saved: the reason is below.")
    refused = page.locator(".offline-entry[data-state=refused]")
    expect(refused).to_contain_text("not saved: the clinic’s system refused it")
    expect(refused).to_contain_text("it is paused (Swollen knee)")
    screenshot(page, "treadmill-09-offline-log-refused-phone")
    assert SessionLog.objects.count() == 1 and Prescription.objects.get().status == "paused"
    refused.get_by_role("button", name="Dismiss").click()
    expect(refused).to_have_count(0)

    # Signing out with a log not yet sent asks first; cancelled, nothing is lost.
    context.set_offline(True)
    _log_offline(page, program, "5")
    page.get_by_role("button", name="Show menu").click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Sign out").click()
    for _ in range(200):  # the question comes once the page has counted the logs (IndexedDB)
        if asked:
            break
        page.wait_for_timeout(50)
    assert asked and asked[0].startswith("1 session log on this phone has not been sent yet."), asked
    assert [e["state"] for e in page.evaluate(QUEUE)].count("waiting") == 1

    # Signed out (online): nothing of the plan opens offline any more, and no log is left on the phone.
    context.set_offline(False)
    page.goto(plan)
    page.get_by_role("button", name="Show menu").click()
    page.on("dialog", lambda dialog: dialog.accept())  # (the log may still be on its way: sign out anyway)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/logout/")
    assert page.evaluate(KEPT_PAGES) == []
    assert page.evaluate(STORED_LOGS) == 0
    # Clear-Site-Data also took the service worker away: offline, the plan is the browser's own error.
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(plan)
    context.set_offline(False)

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "offline.json").write_text(
        json.dumps({"reconnect_to_saved_seconds": round(reconnect_to_saved, 3), "kept": kept}, indent=2)
    )


def test_another_person_signing_in_empties_the_device_and_a_clinician_s_pages_are_never_kept(
    new_page, patient, program, clinician, other_patient, other_clinician, screen, prescribe
):
    # Set up before the browser runs: on SQLite the test's writes must not meet the worker's fetches.
    theirs = prescribe(other_patient, screen(other_patient, by=other_clinician), by=other_clinician)
    page = new_page(service_workers="allow")
    sign_in(page, patient.user.username)
    poll(page, "() => navigator.serviceWorker.controller !== null")
    mine = f"/programs/{program.public_id}/timer/"
    poll(page, f"() => ({KEPT_PAGES})().then(kept => kept.includes('{mine}'))")

    # The session ends without signing out (left idle), and another patient signs in on the same phone.
    page.context.clear_cookies()
    sign_in(page, other_patient.user.username)
    timer = f"/programs/{theirs.public_id}/timer/"
    poll(page, f"() => ({KEPT_PAGES})().then(kept => kept.length === 4 && kept.includes('{timer}'))")
    assert not [path for path in page.evaluate(KEPT_PAGES) if str(program.public_id) in path]

    # A clinician on the same browser: the patient's pages go, and none of the clinician's is kept.
    page.context.clear_cookies()
    sign_in(page, clinician.username)
    poll(page, f"() => ({KEPT_PAGES})().then(kept => kept.length === 0)")
    for url in (program.get_absolute_url(), mine, f"/plans/{program.public_id}/card/"):
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
    assert page.evaluate(KEPT_PAGES) == []

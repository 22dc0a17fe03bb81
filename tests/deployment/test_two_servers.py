"""Two app servers on one PostgreSQL behind HAProxy (round robin, health checks on /healthz), as the README's
deployment runs them: a clinician's whole visit and a patient's logging land on both servers and nothing is
lost between them; sign-ins and lockouts hold across them; one server killed mid-stream costs only what was
in flight on it.

Needs Debian's ``haproxy`` (.ci/run installs it); marked ``haproxy`` and run by .ci/run on PostgreSQL.
"""

import os
import shutil
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import BalanceScreening
from programs.models import Prescription, SessionLog
from tests import factories
from tests.bench.run import Server, Session, _free_port, http_request
from tests.deployment.conftest import ROOT, database_url, production_env, signs_in_on_a_server
from tests.programs.conftest import prescribe_post
from tests.programs.test_program_services import log_post

pytestmark = [
    pytest.mark.haproxy,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOTP_KEY = "3132333435363738393031323334353637383930"
# The load balancer the README shows, plus a response header naming the server (for the test only).
HAPROXY = """
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch

frontend web
    bind 127.0.0.1:{port}
    http-request set-header X-Forwarded-Proto https
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1 hdr X-Forwarded-Proto https
    http-check expect status 200
    default-server inter 300ms fall 2 rise 2
    http-response set-header X-Served-By %s
{servers}
"""


class Balancer:
    def __init__(self, tmp_path, servers: dict[str, int]):
        self.port = _free_port()
        config = tmp_path / "haproxy.cfg"
        config.write_text(
            HAPROXY.format(
                port=self.port,
                servers="\n".join(f"    server {name} 127.0.0.1:{port} check" for name, port in servers.items()),
            )
        )
        program = shutil.which("haproxy")
        self.process = subprocess.Popen(  # noqa: S603
            [program, "-f", str(config), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.wait_until(lambda: http_request(self.port, "GET", "/healthz").status == 200)

    @staticmethod
    def wait_until(check, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("HAProxy did not come up")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def two_servers(tmp_path, collected_static):
    if shutil.which("haproxy") is None:
        missing = "the two-server test needs HAProxy: run `apt-get install -y haproxy`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must run the two-server test, but {missing}.")
        pytest.skip(missing)
    # The caches shared by both servers, in the database (README: which caches may stay per server).
    env = production_env(database_url(), RETROWALK_CACHE="database")
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    servers = {name: Server(env, _free_port(), tmp_path / f"{name}.log", workers=2) for name in ("a", "b")}
    balancer = Balancer(tmp_path, {name: server.port for name, server in servers.items()})
    yield balancer, servers
    balancer.stop()
    for server in servers.values():
        if server.process.poll() is None:
            server.stop()


class Counted(Session):
    """A browser through the balancer that notes which server answered each request."""

    def __init__(self, port):
        super().__init__(port)
        self.served = Counter()

    def _send(self, method, path, data=None):
        response = super()._send(method, path, data)
        self.served[response.headers.get("X-Served-By")] += 1
        return response


def test_a_visit_across_two_servers_behind_haproxy(two_servers):
    balancer, _servers = two_servers
    clinician = factories.ClinicianFactory(first_name="Cara", last_name="Twoservers")
    signs_in_on_a_server(clinician)
    TOTPDevice.objects.create(user=clinician, name="phone", key=TOTP_KEY, confirmed=True)
    patient_user = factories.PatientUserFactory(first_name="Pat", last_name="Twoservers")
    signs_in_on_a_server(patient_user)
    patient = factories.PatientFactory(care_team=[clinician], user=patient_user, first_name="Pat", last_name="Two")

    browser = Counted(balancer.port)
    browser.sign_in(clinician.username, factories.PASSWORD, TOTP_KEY)
    screening = {
        "screened_on": timezone.localdate().isoformat(),
        "berg": "52",
        "falls_last_6_months": "0",
        "bp_systolic": "120",
        "bp_diastolic": "80",
        "checklist_confirmed": "on",
        "action": "save",
    }
    assert browser.post(f"/patients/{patient.public_id}/screenings/new/", screening).status == 302
    assert BalanceScreening.objects.get(patient=patient).outcome == "cleared"
    template = factories.condition("knee_oa").templates.get(is_active=True)
    prescribe = reverse("programs:prescribe", kwargs={"public_id": patient.public_id})
    assert browser.get(prescribe).status == 200
    assert browser.post(prescribe, {k: str(v) for k, v in prescribe_post(template).items()}).status == 302
    program = Prescription.objects.get(patient=patient)
    log = reverse("programs:log", kwargs={"public_id": program.public_id})
    for n in range(4):
        assert browser.get(log).status == 200
        assert browser.post(log, log_post(note=f"clinic {n}")).status == 302
    pdf = browser.get(reverse("programs:plan_pdf", kwargs={"public_id": program.public_id}) + "?paper=a4")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")
    assert SessionLog.objects.filter(prescription=program).count() == 4
    # Every step was answered, and both servers took part: the session lives in the database.
    assert set(browser.served) == {"a", "b"}, browser.served


def test_lockouts_count_across_both_servers(two_servers):
    balancer, _servers = two_servers
    user = factories.PatientUserFactory(first_name="Lock", last_name="Out")
    signs_in_on_a_server(user)
    browser = Counted(balancer.port)
    browser.get("/accounts/login/")
    wrong = {"username": user.username, "password": "not the password at all"}
    answers = [browser.post("/accounts/login/", wrong) for _ in range(5)]
    # Four wrong passwords answered by the two servers in turn, then the fifth pauses the sign-in (django-axes
    # counts in the database) and the right password is refused too.
    assert [answer.status for answer in answers] == [200, 200, 200, 200, 429]
    answer = browser.post("/accounts/login/", {"username": user.username, "password": factories.PASSWORD})
    assert answer.status == 429 and "Sign-in paused for 15 minutes" in answer.body.decode()
    assert "sessionid" not in browser.cookies
    assert set(browser.served) == {"a", "b"}, browser.served


STREAMS = 4  # browsers logging sessions at once
POSTS_EACH = 25
KILL_AFTER = 30  # session logs answered before server "a" is killed


def test_a_server_killed_mid_stream_loses_no_log_and_duplicates_none(two_servers, patient, screen, prescribe):
    """Patients keep logging sessions while one server dies (SIGKILL, master and workers). A POST that fails
    on the way is sent again as the browser would, with the same form; HAProxy sends it to the live server.
    Every log ends up stored exactly once, whether or not the dead server had saved it."""
    import threading
    import uuid

    balancer, servers = two_servers
    signs_in_on_a_server(patient.user)
    program = prescribe(patient, screen(patient))
    url = reverse("programs:log", kwargs={"public_id": program.public_id})
    answered, killed = Counter(), threading.Event()
    posts: list[dict] = []
    lock = threading.Lock()

    browsers = [Counted(balancer.port) for _ in range(STREAMS)]
    for browser in browsers:
        browser.sign_in(patient.user.username, factories.PASSWORD)

    def stream(n):
        browser = browsers[n]
        for i in range(POSTS_EACH):
            post = {"note": f"stream {n} post {i}", "submission": str(uuid.uuid4()), "statuses": []}
            while True:
                try:
                    status = browser.post(url, {**log_post(note=post["note"]), "submission": post["submission"]}).status
                except OSError:
                    status = "no answer"
                post["statuses"].append(status)
                if status == 302:
                    break
                assert len(post["statuses"]) < 6, post
                time.sleep(0.2)
                post["sent_again_at"] = timezone.now()
            with lock:
                posts.append(post)
                answered["posts"] += 1
                if answered["posts"] == KILL_AFTER:
                    servers["a"].kill()
                    killed.set()
        answered.update(browser.served)

    threads = [threading.Thread(target=stream, args=(n,)) for n in range(STREAMS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert killed.is_set() and len(posts) == STREAMS * POSTS_EACH
    failed_first = [post for post in posts if post["statuses"][0] != 302]
    rows = {str(log.public_id): log for log in SessionLog.objects.filter(prescription=program)}
    logs = {submission: log.note for submission, log in rows.items()}
    # A failed POST may have been saved by the dying server before its answer was lost: sent again, it was found.
    saved_by_the_dead = [post for post in failed_first if rows[post["submission"]].created_at < post["sent_again_at"]]
    # Every POST is one row, under the form's own submission, and nothing else was stored.
    assert logs == {post["submission"]: post["note"] for post in posts}
    assert answered["a"] > 0 and answered["b"] > 0
    print(
        f"{len(posts)} session logs posted by {STREAMS} browsers, server a killed after {KILL_AFTER}: "
        f"{len(failed_first)} failed on the way ({Counter(s for p in failed_first for s in p['statuses'][:-1])}) "
        f"and were sent again ({len(saved_by_the_dead)} of them saved before the server died, not saved twice); "
        f"{len(logs)} rows; answered by a {answered['a']}, by b {answered['b']}"
    )

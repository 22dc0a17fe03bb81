"""When the database goes away, every page answers a 503 that says so and /healthz answers 503; when it is
back, the same servers serve again by themselves (Django's pool checks a connection before reusing it).

The database is reached through a forwarder the test cuts (connections dropped, new ones refused) and
restores, as a restart of PostgreSQL or a network cut would.
"""

import time

import pytest
from django.db import connection

from tests import factories
from tests.bench.run import Server, Session, _free_port
from tests.deployment.conftest import database_url, production_env, signs_in_on_a_server
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_app_answers_503_while_the_database_is_away_and_recovers_by_itself(tmp_path, collected_static):
    patient_user = factories.PatientUserFactory(first_name="Pat", last_name="Away")
    signs_in_on_a_server(patient_user)
    settings = connection.settings_dict
    proxy = TcpProxy((settings["HOST"], int(settings["PORT"] or 5432)))
    server = Server(
        production_env(database_url(host="127.0.0.1", port=proxy.port)), _free_port(), tmp_path / "app.log", workers=2
    )
    try:
        browser = Session(server.port)
        browser.sign_in(patient_user.username, factories.PASSWORD)
        assert browser.get("/my-plan/").status == 200

        proxy.cut()
        cut = time.monotonic()
        page = browser.get("/my-plan/")
        answered = time.monotonic() - cut
        body = page.body.decode()
        assert page.status == 503, body
        assert "retrowalk is briefly unavailable" in body and "Nothing you entered has been half-saved" in body
        assert page.headers["Retry-After"] == "30"
        assert "Traceback" not in body and "OperationalError" not in body
        assert server.get("/healthz").status == 503

        proxy.restore()
        back = time.monotonic()
        while server.get("/healthz").status != 200:
            assert time.monotonic() - back < 30, "the app did not recover within 30 s of the database"
            time.sleep(0.2)
        recovered = time.monotonic() - back
        page = browser.get("/my-plan/")
        assert page.status == 200 and "Pat" in page.body.decode()  # still signed in: the session is in the database
        print(
            f"503 answered {answered:.1f} s into the outage; recovered {recovered:.1f} s after the database came back"
        )
    finally:
        server.stop()
        proxy.cut()

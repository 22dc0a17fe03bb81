"""The permission matrix, generated from the URL conf (SECURITY.md "Access").

Every named URL × persona × method, with the patient's real objects in the
URL. Each request runs alone (rolled back after), and a refused write must
leave every table as it was. A URL added without a row here fails
``test_every_url_has_a_row``.

Personas, in column order: anonymous, the treating clinician, a clinician of
another team, the patient, another patient, the administrator. Each cell is the
expected status of an empty GET / POST.
"""

import pytest
from django.db import transaction

from tests.security.conftest import PERSONAS, fingerprint, url_for
from tests.urlwalk import walk_urls

# Statuses that refuse: nothing may change behind them.
REFUSED = {302, 400, 403, 404, 405, 429}
# Empty POSTs that are allowed to change something, by whom.
CHANGES = {
    ("patients:portal_end", "treating"),  # ends the patient's portal access
    ("patients:portal_invite", "treating"),  # a new set-password link for the linked login
    ("admin:axes_accessattempt_change", "admin"),  # the admin's own "changed nothing" log entry
    # A patient's empty POST makes their calendar address (shown once on the page it answers with).
    ("programs:calendar_renew", "patient"),
    ("programs:calendar_renew", "other_patient"),
    # The set-up page (an empty POST shows it again) makes the unconfirmed authenticator whose key it shows.
    *(
        ("two_factor_setup", persona)
        for persona in ("treating", "other_clinician", "patient", "other_patient", "admin")
    ),
}
# Pages that answer anyone: their 302s need not go to a login page.
PUBLIC = {
    "healthz",
    "programs:calendar_feed",
    "programs:unsubscribe",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "portal:welcome",
    "portal:set_password",
    "admin:login",
    "set_language",
}

MATRIX = {
    "admin:app_list": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_group_add": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_group_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_group_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_group_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_group_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_user_add": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_user_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_user_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_user_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_user_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:auth_user_password_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:autocomplete": ("302 302 302 302 302 403", "302 302 302 302 302 405"),
    "admin:axes_accessattempt_add": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:axes_accessattempt_change": ("302 302 302 302 302 200", "302 302 302 302 302 302"),
    "admin:axes_accessattempt_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:axes_accessattempt_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:axes_accessattempt_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:axes_accessfailurelog_add": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:axes_accessfailurelog_change": ("302 302 302 302 302 200", "302 302 302 302 302 403"),
    "admin:axes_accessfailurelog_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:axes_accessfailurelog_delete": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:axes_accessfailurelog_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:axes_accesslog_add": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:axes_accesslog_change": ("302 302 302 302 302 200", "302 302 302 302 302 403"),
    "admin:axes_accesslog_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:axes_accesslog_delete": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:axes_accesslog_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:index": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:jsi18n": ("302 302 302 302 302 200", "302 302 302 302 302 405"),
    "admin:login": ("200 200 200 200 200 302", "200 200 200 200 200 200"),
    "admin:logout": ("302 302 302 302 302 405", "302 302 302 302 302 200"),
    "admin:otp_static_staticdevice_add": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_static_staticdevice_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_static_staticdevice_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_static_staticdevice_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_static_staticdevice_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_totp_totpdevice_add": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_totp_totpdevice_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_totp_totpdevice_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_totp_totpdevice_config": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:otp_totp_totpdevice_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_totp_totpdevice_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:otp_totp_totpdevice_qrcode": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:password_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:password_change_done": ("302 302 302 302 302 200", "302 302 302 302 302 405"),
    "admin:patients_condition_add": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_condition_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_condition_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_condition_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_condition_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_screeningpolicy_add": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:patients_screeningpolicy_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_screeningpolicy_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:patients_screeningpolicy_delete": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:patients_screeningpolicy_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:programs_programtemplate_add": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:programs_programtemplate_change": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:programs_programtemplate_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:programs_programtemplate_delete": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:programs_programtemplate_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:retrowalk_accessrecord_add": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:retrowalk_accessrecord_change": ("302 302 302 302 302 200", "302 302 302 302 302 403"),
    "admin:retrowalk_accessrecord_changelist": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:retrowalk_accessrecord_delete": ("302 302 302 302 302 403", "302 302 302 302 302 403"),
    "admin:retrowalk_accessrecord_history": ("302 302 302 302 302 200", "302 302 302 302 302 200"),
    "admin:view_on_site": ("302 302 302 302 302 404", "302 302 302 302 302 404"),
    "healthz": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    # The installable web app's parts: nothing private in them, for everyone (a worker must load signed out).
    "service_worker": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "web_manifest": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "offline": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "home": ("302 302 302 302 302 302", "302 302 302 302 302 302"),
    "login": ("200 302 302 302 302 302", "200 302 302 302 302 302"),
    "logout": ("302 405 405 405 405 405", "302 200 200 200 200 200"),
    "password_change": ("302 200 200 200 200 200", "302 200 200 200 200 200"),
    "password_change_done": ("302 200 200 200 200 200", "302 405 405 405 405 405"),
    "password_reset": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "password_reset_complete": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "password_reset_confirm": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "password_reset_done": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "patients:care_team_add": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "patients:create": ("302 200 200 403 403 403", "302 200 200 403 403 403"),
    "patients:detail": ("302 200 404 403 403 403", "302 405 405 403 403 403"),
    "patients:edit": ("302 200 404 403 403 403", "302 200 404 403 403 403"),
    "patients:list": ("302 200 200 403 403 403", "302 405 405 403 403 403"),
    "patients:portal_end": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "patients:portal_invite": ("302 405 405 405 405 405", "302 200 404 403 403 403"),
    "patients:screening_create": ("302 200 404 403 403 403", "302 200 404 403 403 403"),
    "patients:screening_preview": ("302 405 405 405 405 405", "302 200 404 403 403 403"),
    "patients:search": ("302 405 405 405 405 405", "302 302 302 403 403 403"),
    "portal:set_password": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "portal:welcome": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "preferences": ("302 200 200 200 200 200", "302 200 200 200 200 200"),
    # Django's set_language: a GET or an empty POST goes back to the page it came from, changing nothing.
    "set_language": ("302 302 302 302 302 302", "302 302 302 302 302 302"),
    "programs:adjust": ("302 200 404 403 403 403", "302 200 404 403 403 403"),
    "programs:complete": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "programs:dashboard": ("302 200 200 403 403 403", "302 405 405 405 405 405"),
    "programs:history": ("302 200 404 403 403 403", "302 405 405 405 405 405"),
    "programs:log": ("302 200 404 200 404 404", "302 200 404 200 404 404"),
    # An empty log sent from the phone's store is refused with its reasons (400), and saves nothing.
    "programs:log_sync": ("302 405 405 405 405 405", "302 400 404 400 404 404"),
    "programs:timer": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:card": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:card_pdf": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:my_plan": ("302 403 403 200 200 403", "302 405 405 405 405 405"),
    "programs:next_day": ("302 405 405 405 405 405", "302 302 404 302 404 404"),
    "programs:pause": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "programs:plan_pdf": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:plan_print": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:prescribe": ("302 302 404 403 403 403", "302 302 404 403 403 403"),
    "programs:prescription": ("302 200 404 403 403 403", "302 405 405 405 405 405"),
    "programs:resume": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "programs:review": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "programs:stop": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "programs:summary": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:summary_pdf": ("302 200 404 200 404 404", "302 405 405 405 405 405"),
    "programs:closing_note": ("302 405 405 405 405 405", "302 302 404 403 403 403"),
    "programs:record": ("302 200 404 403 403 403", "302 405 405 405 405 405"),
    "programs:my_record": ("302 403 403 200 200 403", "302 405 405 405 405 405"),
    "programs:calendar_renew": ("302 405 405 405 405 405", "302 403 403 200 200 403"),
    "programs:calendar_stop": ("302 405 405 405 405 405", "302 403 403 302 302 403"),
    "programs:calendar_feed": ("404 404 404 404 404 404", "405 405 405 405 405 405"),
    "programs:reminders": ("302 200 200 200 200 403", "302 200 200 200 200 403"),
    "programs:unsubscribe": ("400 400 400 400 400 400", "400 400 400 400 400 400"),
    "two_factor_backup_codes": ("302 302 302 302 302 302", "302 302 302 302 302 302"),
    "two_factor_setup": ("302 200 200 200 200 200", "302 200 200 200 200 200"),
    "two_factor_turn_off": ("302 405 405 405 405 405", "302 302 302 302 302 302"),
    "two_factor_verify": ("302 200 200 200 200 200", "302 200 200 200 200 200"),
}


def test_every_url_has_a_row():
    """SECURITY.md: A clinician reaches only patients on their care team"""
    walked = {u.name for u in walk_urls()}
    assert walked - MATRIX.keys() == set(), "new URLs need a row in the permission matrix"
    assert MATRIX.keys() - walked == set(), "rows for URLs that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX), ids=str)
def test_permission_matrix(name, world, admin_ids):
    """SECURITY.md: A clinician reaches only patients on their care team
    SECURITY.md: A patient reaches only their own plans and logs
    SECURITY.md: The administrator edits templates and users but does not browse patient charts
    """
    url = url_for(name, world, admin_ids)
    failures = []
    for method, row in zip(("get", "post"), MATRIX[name], strict=True):
        for persona, expected in zip(PERSONAS, map(int, row.split()), strict=True):
            with transaction.atomic():
                client = world.client(persona)
                before = fingerprint() if method == "post" else None
                response = getattr(client, method)(url)
                changed = before is not None and fingerprint() != before
                transaction.set_rollback(True)
            status = response.status_code
            if status != expected:
                failures.append(f"{method.upper()} as {persona}: {status}, expected {expected}")
            # A comment or tag the template language did not take (a {# #} comment ends with its line).
            html = status == 200 and response.get("Content-Type", "").startswith("text/html")
            if html and any(syntax in response.content.decode() for syntax in ("{#", "#}", "{%", "%}")):
                failures.append(f"{method.upper()} as {persona}: template syntax shown on the page")
            if changed and (status in REFUSED - {302} or (name, persona) not in CHANGES):
                failures.append(f"{method.upper()} as {persona} ({status}) changed the database")
            location = response.get("Location", "")
            # (The admin's logout sends others to the admin index, which asks them to log in.)
            to_login = location.startswith(("/accounts/login/", "/admin/login/")) or location == "/admin/"
            if status == 302 and persona == "anonymous" and name not in PUBLIC and not to_login:
                failures.append(f"{method.upper()} anonymous went to {location}, not a login page")
            admin_page = name.startswith("admin:") and name != "admin:login"
            if status == 302 and admin_page and persona != "admin" and not to_login:
                failures.append(f"{method.upper()} as {persona} went to {location}")
    assert not failures, f"{url}: " + "; ".join(failures)

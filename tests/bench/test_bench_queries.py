"""The benchmark's requests take the same number of queries at two sizes: at most 12 a page, 13 for the log POST.

The same requests as ``make bench`` (tests.bench.pages), counted the same way
(tests.bench.prepare), on a small database and on one with three times the
patients, a bigger caseload and more programs.
"""

import pytest
from django.utils import timezone

from tests.bench.pages import pages
from tests.bench.prepare import count_queries, signed_in_client
from tests.bench.run import max_queries
from tests.bench.seed import SEARCH_NAME, build_caseload


def _counts(caseload) -> dict[str, int]:
    found = pages(caseload=caseload, search=SEARCH_NAME, today=timezone.localdate())
    clients = {"clinician": signed_in_client(caseload.clinician), "patient": signed_in_client(caseload.patient_user)}
    return {page.name: count_queries(clients, page) for page in found}


@pytest.mark.django_db
def test_every_benchmark_page_takes_a_fixed_number_of_queries(settings):
    settings.ROOT_URLCONF = "tests.bench.urls"
    caseload = build_caseload(size=20, clinician_name="small-clinician")
    small = _counts(caseload)
    other = build_caseload(size=40, clinician_name="other-clinician")
    for patient in other.patients[:20]:
        patient.care_team.add(caseload.clinician)  # the caseload doubles and the database triples
    large = _counts(caseload)
    assert set(small) == {
        "reference",
        "dashboard",
        "patient list",
        "patient search",
        "patient chart",
        "patient chart (es)",
        "prescribe preview",
        "plan page",
        "plan page (es)",
        "plan PDF",
        "session-log POST",
    }
    assert large == small
    assert {page: n for page, n in large.items() if n > max_queries(page)} == {}

"""Change between screenings against MDC and MCID (CLINICAL.md section 8): at, below and above each
threshold, in both directions, and "no published threshold" where section 8 has none."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import outcomes
from patients.outcomes import Reach
from patients.services import screening_record
from tests import factories

DAY = date(2026, 3, 2)


def compare(key, group, before, after, *, same_rater=False):
    rater_a, rater_b = ("a", "a") if same_rater else ("a", "b")
    return outcomes.change(
        outcomes.INSTRUMENTS[key],
        outcomes.Point(DAY, D(before), rater_a),
        outcomes.Point(DAY + timedelta(days=42), D(after), rater_b),
        group,
    )


@pytest.mark.parametrize(
    ("after", "beyond", "better"),
    [
        ("10.9", Reach.WITHIN, True),  # 1.1 s faster: at the same-rater MDC, not beyond it
        ("10.8", Reach.BEYOND, True),  # 1.2 s faster
        ("11.0", Reach.WITHIN, True),  # 1.0 s faster: below
        ("13.2", Reach.BEYOND, False),  # 1.2 s slower: beyond, the wrong way
        ("12.0", None, None),
    ],
)
def test_a_lower_tug_is_better_and_knee_oa_s_same_rater_mdc_is_1_10_s(after, beyond, better):
    change = compare("tug", "knee_oa", "12.0", after, same_rater=True)
    assert change.mdc.value == D("1.10") and change.mdc.source == "M3"
    if better is None:
        assert change.better is None and change.direction == "same" and change.beyond_error is Reach.WITHIN
        return
    assert change.better is better
    assert change.beyond_error is beyond
    assert change.important is Reach.NONE  # section 8 has no MCID for the TUG in knee OA


def test_between_two_raters_the_knee_oa_tug_mdc_is_1_14_s():
    assert compare("tug", "knee_oa", "12.0", "10.86").beyond_error is Reach.WITHIN  # exactly 1.14
    assert compare("tug", "knee_oa", "12.0", "10.8").beyond_error is Reach.BEYOND
    assert compare("tug", "knee_oa", "12.0", "10.8").mdc.value == D("1.14")


@pytest.mark.parametrize(
    ("after", "beyond", "better"),
    [("46.5", Reach.WITHIN, True), ("47", Reach.BEYOND, True), ("44", Reach.WITHIN, True), ("33", Reach.BEYOND, False)],
)
def test_a_higher_berg_is_better_and_older_adults_mdc_is_6_5(after, beyond, better):
    change = compare("berg", "older_adult", "40", after)
    assert (change.better, change.beyond_error, change.mdc.value, change.mdc.borrowed) == (better, beyond, D("6.5"), "")


def test_knee_oa_borrows_the_older_adults_berg_figure_and_says_so():
    change = compare("berg", "knee_oa", "40", "47")
    assert change.beyond_error is Reach.BEYOND and change.mdc.source == "M6"
    assert str(change.mdc.borrowed) == "older adults"


@pytest.mark.parametrize(
    ("before", "after", "important", "better"),
    [("20", "24", Reach.WITHIN, True), ("20", "25", Reach.BEYOND, True), ("20", "15", Reach.BEYOND, False)],
)
def test_fga_s_mcid_for_older_adults_is_4_points(before, after, important, better):
    change = compare("fga", "older_adult", before, after)
    assert (change.important, change.better, change.mcid.value) == (important, better, D("4"))
    assert change.beyond_error is Reach.NONE  # no MDC for older adults in section 8


def test_acl_reconstruction_has_no_published_threshold_for_any_instrument():
    for key in ("tug", "berg", "bmwt", "fga", "dgi", "fsst", "abc", "gait_speed"):
        change = compare(key, "post_surgical", "10", "30")
        assert (change.mdc, change.mcid, change.beyond_error, change.important) == (None, None, Reach.NONE, Reach.NONE)


def test_the_cp_tug_figures_vary_by_gmfcs_level_so_the_middle_of_the_range_depends_on_it():
    assert compare("tug", "cerebral_palsy", "15", "13.6").beyond_error is Reach.WITHIN  # 1.40: the range's bottom
    assert compare("tug", "cerebral_palsy", "15", "12").beyond_error is Reach.DEPENDS
    assert compare("tug", "cerebral_palsy", "15", "6.26").beyond_error is Reach.DEPENDS  # 8.74: the top, not beyond
    assert compare("tug", "cerebral_palsy", "15", "6.2").beyond_error is Reach.BEYOND
    assert compare("tug", "cerebral_palsy", "15", "14.9").important is Reach.WITHIN  # 0.1 < 0.22
    assert compare("tug", "cerebral_palsy", "15", "9.6").important is Reach.BEYOND  # 5.4 > 5.31


def test_pediatric_balance_scale_mdc_and_mcid_in_cerebral_palsy():
    change = compare("pbs", "cerebral_palsy", "40", "43")
    assert (change.beyond_error, change.important) == (Reach.BEYOND, Reach.WITHIN)  # 3 > 1.59, 3 < 3.66
    assert compare("pbs", "cerebral_palsy", "40", "44").important is Reach.BEYOND


def test_a_stroke_becomes_chronic_six_months_after_and_its_figures_follow():
    stroke = date(2026, 1, 15)
    group = outcomes.group_of(condition_code="stroke", population="stroke", stroke_date=stroke, on=date(2026, 7, 14))
    assert group == "stroke_subacute"
    group = outcomes.group_of(condition_code="stroke", population="stroke", stroke_date=stroke, on=date(2026, 7, 15))
    assert group == "stroke_chronic"
    assert compare("berg", "stroke_chronic", "40", "43").beyond_error is Reach.BEYOND  # 3 > 2.7 [M4]
    assert compare("berg", "stroke_subacute", "40", "43").beyond_error is Reach.WITHIN  # 3 < 6 [M7]
    assert compare("berg", "stroke_subacute", "40", "47").important is Reach.BEYOND  # 7 > 6.5 [M8]
    assert compare("berg", "stroke_chronic", "40", "47").important is Reach.NONE  # the MCID is for acute stroke
    assert compare("tug", "stroke", "20", "10").beyond_error is Reach.NONE  # phase unknown: no TUG figure


def test_gait_speed_is_compared_in_metres_per_second():
    assert compare("gait_speed", "knee_oa", "1.00", "1.07").important is Reach.WITHIN  # 0.07 [M17]
    assert compare("gait_speed", "knee_oa", "1.00", "1.08").important is Reach.BEYOND
    assert compare("gait_speed", "stroke_subacute", "0.50", "0.67").important is Reach.BEYOND  # 0.16 [M16]


def test_a_gmfcs_level_change_is_an_event():
    events = outcomes.level_changes([(DAY, 2), (DAY + timedelta(days=30), 2), (DAY + timedelta(days=90), 3)])
    assert [(e.on, e.was, e.now) for e in events] == [(DAY + timedelta(days=90), 2, 3)]


@pytest.mark.django_db
def test_the_chart_shows_each_instrument_over_time_with_its_marks(clinician_client, clinician, patient):
    today = timezone.localdate()
    for days_ago, tug, berg in ((60, "12.5", 44), (30, "11.9", 48), (0, "11.2", 52)):
        screening_record(
            patient=patient,
            by=clinician,
            values={
                "screened_on": today - timedelta(days=days_ago),
                "tug_seconds": D(tug),
                "berg": berg,
                "bp_systolic": 120,
                "bp_diastolic": 80,
            },
        )
    html = clinician_client.get(reverse("patients:detail", kwargs={"public_id": patient.public_id})).content.decode()
    assert 'id="outcome-tug"' in html and 'id="outcome-berg"' in html
    assert html.count('class="progress-panel"') == 2  # TUG and Berg
    tug = html[html.index('id="outcome-tug"') : html.index('id="outcome-berg"')]
    # 12.5 → 11.2: 1.3 s faster, beyond the knee-OA MDC (same rater 1.10); from the previous, 0.7 s: within.
    assert "−1.3 s" in tug and "beyond measurement error" in tug and "within measurement error" in tug
    assert "MCID: no published threshold for this population" in tug
    berg = html[html.index('id="outcome-berg"') :]
    assert "+8" in berg and "figure for older adults" in berg


@pytest.mark.django_db
def test_a_patient_never_measured_has_no_trend(clinician_client, clinician):
    patient = factories.PatientFactory(care_team=[clinician])
    html = clinician_client.get(reverse("patients:detail", kwargs={"public_id": patient.public_id})).content.decode()
    assert "Outcomes over time" in html and "No instrument results yet" in html and 'id="outcome-' not in html


# CLINICAL.md section 8, transcribed here apart from the code: (group, instrument) -> (MDC, MCID, sources).
# Ranges (the CP TUG by GMFCS level) are tested above; "borrowed" figures below.
SECTION_8 = {
    ("stroke_subacute", "bmwt"): ("1.57", None, "M1"),
    ("stroke_chronic", "bmwt"): ("1.57", None, "M1"),
    ("older_adult", "tug"): ("2.08", None, "M2"),
    ("knee_oa", "tug"): ("1.14", None, "M3"),
    ("stroke_chronic", "tug"): ("3.2", None, "M4"),
    ("older_adult", "berg"): ("6.5", None, "M6"),
    ("stroke_subacute", "berg"): ("6", "6.5", "M7/M8"),
    ("stroke_chronic", "berg"): ("2.7", None, "M4"),
    ("older_adult", "fga"): (None, "4", "M9"),
    ("stroke_subacute", "fga"): ("6", None, "M10"),
    ("older_adult", "dgi"): ("2.9", None, "M6"),
    ("stroke_chronic", "dgi"): ("1.9", None, "M4"),
    ("stroke_chronic", "fsst"): ("6.21", None, "M11"),
    ("cerebral_palsy", "fsst"): ("5.29", None, "M12"),
    ("stroke_subacute", "abc"): (None, "15.6", "M13"),
    ("cerebral_palsy", "pbs"): ("1.59", "3.66", "M14"),
    ("older_adult", "gait_speed"): (None, "0.05", "M15"),
    ("stroke_subacute", "gait_speed"): (None, "0.16", "M16"),
    ("knee_oa", "gait_speed"): (None, "0.07", "M17"),
}
GROUPS = ("older_adult", "knee_oa", "stroke_subacute", "stroke_chronic", "cerebral_palsy", "post_surgical")
BORROWED = {"berg", "fga", "dgi"}  # knee OA takes the older adults' figures, saying so


def expected(group, key):
    if (group, key) in SECTION_8:
        return SECTION_8[(group, key)]
    if group == "knee_oa" and key in BORROWED:
        return SECTION_8[("older_adult", key)]
    if group == "cerebral_palsy" and key == "tug":
        return ("range", "range", "M5")
    return (None, None, None)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("key", sorted(outcomes.INSTRUMENTS))
def test_every_figure_is_section_8_s_and_none_is_borrowed_silently(group, key):
    mdc, mcid = outcomes.thresholds(key, group)
    want_mdc, want_mcid, source = expected(group, key)
    for got, want in ((mdc, want_mdc), (mcid, want_mcid)):
        if want is None:
            assert got is None, f"{group} {key}: section 8 has no figure, the code has {got}"
        elif want != "range":
            assert got.value == D(want) and got.source in source.split("/") and got.upper is None
            borrowed = group == "knee_oa" and key in BORROWED
            assert bool(got.borrowed) == borrowed


def _figures():
    for (group, key), (mdc, mcid, _) in sorted(SECTION_8.items()):
        for kind, figure in (("mdc", mdc), ("mcid", mcid)):
            if figure is not None:
                yield group, key, kind, D(figure)


@pytest.mark.parametrize(("group", "key", "kind", "figure"), list(_figures()))
@pytest.mark.parametrize("way", ["better", "worse"])
def test_each_threshold_at_below_and_above_in_both_directions(group, key, kind, figure, way):
    instrument = outcomes.INSTRUMENTS[key]
    lower_is_better = instrument.better is outcomes.Better.LOWER
    sign = -1 if (way == "better") == lower_is_better else 1
    step = D("0.01")
    start = D("50")
    for size, reach in ((figure - step, Reach.WITHIN), (figure, Reach.WITHIN), (figure + step, Reach.BEYOND)):
        change = compare(key, group, start, start + sign * size)
        assert change.direction == way
        assert (change.beyond_error if kind == "mdc" else change.important) is reach, (group, key, kind, size)

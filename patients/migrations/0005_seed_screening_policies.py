"""Screening cutoffs per shipped condition, from CLINICAL.md section 4.

Blank cutoffs mean "no validated cutoff for this population": recorded, not
judged. Rule defaults (Berg <= 20 not cleared; 30-day validity) are product
defaults for clinical review (CLINICAL.md s4 "Defaults for the screening outcome").
"""

from decimal import Decimal as D

from django.db import migrations

COMMON = {
    "validity_days": 30,  # default validity window, CLINICAL.md s4
    "berg_not_cleared_at_or_below": 20,  # default rule 1, CLINICAL.md s4
    "bp_systolic_max": 200,  # hard stop > 200 systolic [T6]
    "bp_diastolic_max": 100,  # hard stop > 100 diastolic [T6]
}
OLDER_ADULT_CUTOFFS = {
    "bmwt_high_risk_s": D("4.5"),  # 3MBWT >= 4.5 s [B1]
    "berg_high_risk_below": D("45"),  # Berg < 45 [B3]
    "tug_high_risk_s": D("13.5"),  # TUG >= 13.5 s [B5]
    "fga_high_risk_at_or_below": 22,  # FGA <= 22 [B6]
    "dgi_high_risk_below": D("19"),  # DGI < 19 [B7]
    "fsst_high_risk_above_s": D("15"),  # FSST > 15 s or unable [B8]
}

POLICIES = {
    "knee_oa": {
        **OLDER_ADULT_CUTOFFS,
        "abc_high_risk_below_pct": 67,  # ABC < 67 % (weakly sourced) [B9]
        "suited_instruments": "bmwt,berg,tug,fga,dgi,fsst",
        "sources": "Older-adult cutoffs: B1 (3MBWT), B3 (Berg), B5 (TUG), B6 (FGA), B7 (DGI), B8 (FSST), B9 (ABC). "
        "Hard stops T6, T7, K3. Berg <= 20 not cleared and 30-day validity: product defaults for review.",
    },
    "stroke": {
        "bmwt_high_risk_s": None,  # no usable 3MBWT cutoff after stroke [B2]
        "berg_high_risk_below": D("47"),  # Berg < 47 (studies 46.5-50.5) [B4]
        "tug_high_risk_s": D("15"),  # TUG >= 15 s [B4]
        "dgi_high_risk_below": D("16.5"),  # DGI < 16.5 in stroke [B7]
        "suited_instruments": "berg,tug,dgi",
        "sources": "Stroke cutoffs: B4 (Berg < 47, TUG >= 15 s), B7 (DGI < 16.5); no usable 3MBWT cutoff: B2. "
        "Low balance means more protection, not exclusion: T3, T7. Hard stops T6, T7.",
    },
    "cerebral_palsy": {
        "gmfcs_protect_from": 3,  # GMFCS III needs protection [C4]
        "gmfcs_stop_from": 4,  # GMFCS IV-V hard stop [C5]
        "suited_instruments": "gmfcs,pbs",
        "sources": "GMFCS III protection, IV-V hard stop: C4, C5. Pediatric Balance Scale has no validated cutoff: "
        "recorded (C6). Hard stops C2, C5, T6.",
    },
    "acl_reconstruction": {
        # Young athletic patients hit the tests' ceiling; gate on surgical criteria and record a 3MBWT (CLINICAL.md s4).
        # Older-adult cutoffs applied conservatively: product default for review.
        **OLDER_ADULT_CUTOFFS,
        "suited_instruments": "bmwt",
        "min_full_weeks_after_surgery": 6,  # backward treadmill from week 7 [A2]
        "surgeon_clearance_required": True,  # documented clearance for full weight bearing [A2][A3]
        "sources": "Surgical criteria: A2 (from week 7; surgeon clearance), A3 (effusion, limp), A4 (meniscal repair "
        "or microfracture weight bearing). Record a 3MBWT (CLINICAL.md s4); older-adult cutoffs B1, B3, B5, B6, B7, "
        "B8 applied conservatively as defaults for review.",
    },
}


def seed(apps, schema_editor):
    Condition = apps.get_model("patients", "Condition")
    ScreeningPolicy = apps.get_model("patients", "ScreeningPolicy")
    for code, values in POLICIES.items():
        condition = Condition.objects.filter(code=code).first()
        if condition is not None:
            ScreeningPolicy.objects.update_or_create(condition=condition, defaults={**COMMON, **values})


def unseed(apps, schema_editor):
    apps.get_model("patients", "ScreeningPolicy").objects.filter(condition__code__in=list(POLICIES)).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_screening")]

    operations = [migrations.RunPython(seed, unseed)]

"""The four conditions retrowalk ships with (CLINICAL.md sections 2-4)."""

from django.db import migrations

CONDITIONS = [
    {
        "code": "acl_reconstruction",
        "name": "ACL reconstruction",
        "screening_population": "post_surgical",
        "description": (
            "After anterior cruciate ligament reconstruction. Backward walking straightens the knee fully "
            "and works the front of the thigh; an uphill backward walk improves the sense of knee position. "
            "Allowed from week 7 after surgery once the surgeon has cleared full weight bearing, with no "
            "swelling or limp."
        ),
        "sources": (
            "A1 Shen 2021 (backward walking and knee proprioception, 0-15 degrees incline); "
            "A2 surgeon protocol (backward treadmill weeks 7-12, incline up to 7-10 degrees); "
            "A3 University of Delaware guidelines (effusion, soreness); A4 Dartmouth-Hitchcock protocol "
            "(weight bearing after meniscal repair or microfracture)."
        ),
    },
    {
        "code": "knee_oa",
        "name": "Knee osteoarthritis",
        "screening_population": "older_adult",
        "description": (
            "Mild to moderate knee osteoarthritis (Kellgren-Lawrence 1-3), usually aged 40 or over. "
            "Ten minutes of supervised backward walking three times a week for six weeks, on top of usual "
            "care, eased pain and disability more than usual care alone."
        ),
        "sources": (
            "K1 Alghadir 2019 (6 weeks, 3/week, 10 min; pain -1.8 vs -1.0 NRS); "
            "K2 Almutairi 2023 (protocols up to 30 min); K3 NCT05585099 (KL 1-3, age 40+, no lower-limb "
            "injury or surgery in 12 months)."
        ),
    },
    {
        "code": "stroke",
        "name": "Stroke",
        "screening_population": "stroke",
        "description": (
            "Community-dwelling adults after stroke. Thirty minutes three times a week for six weeks, "
            "starting at the person's overground walking speed and adding 10 % of it each week; "
            "a harness or body-weight support protects people with poor balance."
        ),
        "sources": (
            "T1 Michaelsen 2014 (30 min, 3/week, 6 weeks, +10 % of baseline speed per week); "
            "T2 Chang 2021; T3 NCT02688777 (harness and body-weight support); T4 Wang 2022 meta-analysis "
            "(>= 30 min, 3-5/week, >= 4 weeks); T6 trial eligibility (cardiac, blood pressure, MMSE)."
        ),
    },
    {
        "code": "cerebral_palsy",
        "name": "Cerebral palsy",
        "screening_population": "paediatric",
        "description": (
            "Children and teenagers (5-18 years) with cerebral palsy who walk without physical help "
            "(GMFCS I-II; level III with protection). Fifteen to twenty-five minutes, two to three times "
            "a week, holding the handrails, after stretching."
        ),
        "sources": (
            "C1 El-Basatiny 2015; C2 Kim 2013 (built up to 20 min, handrails, stretching before); "
            "C3 Dogan 2023; C4 Menezes 2023 meta-analysis (+0.10 m/s, +2 Pediatric Balance Scale points); "
            "C5 NCT04981964 (GMFCS I-II, seizures, surgery within 12 months)."
        ),
    },
]


def seed(apps, schema_editor):
    Condition = apps.get_model("patients", "Condition")
    for row in CONDITIONS:
        Condition.objects.update_or_create(code=row["code"], defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("patients", "Condition").objects.filter(code__in=[c["code"] for c in CONDITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

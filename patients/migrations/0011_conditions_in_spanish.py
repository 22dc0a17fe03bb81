"""The shipped conditions' names and descriptions in Spanish (patients migration 0002 has the English).

Every condition's existing words become its English text. A Spanish text is added only where the English
is still the shipped one, so a clinic's own wording is never given a translation of something else; those
stay English in Spanish pages until an administrator translates them. The sources stay as written.
"""

from django.db import migrations
from django.db.models import F

SPANISH = {
    "ACL reconstruction": "Reconstrucción del LCA",
    "Knee osteoarthritis": "Artrosis de rodilla",
    "Stroke": "Ictus",
    "Cerebral palsy": "Parálisis cerebral",
    (
        "After anterior cruciate ligament reconstruction. Backward walking straightens the knee fully "
        "and works the front of the thigh; an uphill backward walk improves the sense of knee position. "
        "Allowed from week 7 after surgery once the surgeon has cleared full weight bearing, with no "
        "swelling or limp."
    ): (
        "Después de la reconstrucción del ligamento cruzado anterior (LCA). Caminar hacia atrás estira la "
        "rodilla por completo y trabaja la parte delantera del muslo; caminar hacia atrás cuesta arriba mejora "
        "el sentido de la posición de la rodilla. Se permite desde la semana 7 después de la cirugía, cuando el "
        "cirujano ya autorizó apoyar todo el peso y no hay hinchazón ni cojera."
    ),
    (
        "Mild to moderate knee osteoarthritis (Kellgren-Lawrence 1-3), usually aged 40 or over. "
        "Ten minutes of supervised backward walking three times a week for six weeks, on top of usual "
        "care, eased pain and disability more than usual care alone."
    ): (
        "Artrosis de rodilla leve o moderada (Kellgren-Lawrence 1-3), por lo general a partir de los 40 años. "
        "Diez minutos de marcha hacia atrás supervisada, tres veces por semana durante seis semanas y además del "
        "tratamiento habitual, aliviaron el dolor y la discapacidad más que el tratamiento habitual solo."
    ),
    (
        "Community-dwelling adults after stroke. Thirty minutes three times a week for six weeks, "
        "starting at the person's overground walking speed and adding 10 % of it each week; "
        "a harness or body-weight support protects people with poor balance."
    ): (
        "Adultos que viven en su casa después de un ictus. Treinta minutos, tres veces por semana durante seis "
        "semanas, empezando a la velocidad a la que la persona camina en el suelo y sumando un 10 % de ella cada "
        "semana; un arnés o un soporte del peso corporal protege a quien tiene mal equilibrio."
    ),
    (
        "Children and teenagers (5-18 years) with cerebral palsy who walk without physical help "
        "(GMFCS I-II; level III with protection). Fifteen to twenty-five minutes, two to three times "
        "a week, holding the handrails, after stretching."
    ): (
        "Niños y adolescentes (de 5 a 18 años) con parálisis cerebral que caminan sin ayuda física "
        "(GMFCS I-II; nivel III con protección). De quince a veinticinco minutos, dos o tres veces por semana, "
        "sujetándose a las barras, después de estirar."
    ),
}

FIELDS = ("name", "description")


def translate(apps, schema_editor):
    for model in ("Condition", "HistoricalCondition"):
        rows = apps.get_model("patients", model).objects
        rows.filter(name_en=None).update(name_en=F("name"))
        rows.filter(description_en=None).update(description_en=F("description"))
    for condition in apps.get_model("patients", "Condition").objects.all():
        changed = []
        for field in FIELDS:
            english = getattr(condition, f"{field}_en")
            if english in SPANISH and not getattr(condition, f"{field}_es"):
                setattr(condition, f"{field}_es", SPANISH[english])
                changed.append(f"{field}_es")
        if changed:
            condition.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("patients", "0010_condition_in_each_language")]

    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]

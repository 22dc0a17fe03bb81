"""The shipped templates' names, summaries and warm-ups in Spanish (programs migrations 0002 and 0008 have
the English).

Every template's existing words become its English text, in the templates, their weeks and their
histories. A Spanish text is added only where the English is still the shipped one, so a clinic's own
wording is never given a translation of something else; those stay English in Spanish pages until an
administrator translates them. Translating does not make a new version: the numbers and the English a
prescription was written from are unchanged. The sources stay as written.
"""

from django.db import migrations
from django.db.models import F

SPANISH = {
    "Knee osteoarthritis — 6 weeks": "Artrosis de rodilla — 6 semanas",
    "Stroke — 6 weeks": "Ictus — 6 semanas",
    "Cerebral palsy — 8 weeks": "Parálisis cerebral — 8 semanas",
    "ACL reconstruction — weeks 7–12 after surgery": "Reconstrucción del LCA — semanas 7–12 después de la cirugía",
    (
        "Six weeks, three sessions a week on a level belt, starting with 10 minutes and building "
        "toward 30 by adding minutes before speed (older adults). Supervised, on top of usual care."
    ): (
        "Seis semanas, tres sesiones por semana con la cinta sin inclinación, empezando con 10 minutos y "
        "llegando poco a poco a 30, con más minutos antes que más velocidad (adultos mayores). Supervisado, "
        "además del tratamiento habitual."
    ),
    (
        "Six weeks, three 30-minute sessions a week in three 10-minute bouts, starting at the baseline "
        "overground speed and adding 10 % of it each week. Both handrails; harness when the screening "
        "asks for protection."
    ): (
        "Seis semanas, tres sesiones de 30 minutos por semana en tres tandas de 10 minutos, empezando a la "
        "velocidad inicial de marcha en el suelo y sumando un 10 % de ella cada semana. Las dos barras; arnés "
        "cuando la evaluación del equilibrio pide protección."
    ),
    (
        "Eight weeks, three sessions a week holding the handrails after stretching, building from 15 to "
        "25 minutes in 5- and 6-minute bouts; a modest speed step in the second half."
    ): (
        "Ocho semanas, tres sesiones por semana sujetándose a las barras después de estirar, de 15 a 25 minutos "
        "en tandas de 5 y 6 minutos; un pequeño aumento de velocidad en la segunda mitad."
    ),
    (
        "Six weeks from the 7th week after surgery, three sessions a week at a self-selected speed, "
        "with the belt raised in steps 0 → 5 → 10 % to load the quadriceps and train knee position sense. "
        "Brace as the surgeon directs."
    ): (
        "Seis semanas desde la 7.ª semana después de la cirugía, tres sesiones por semana a la velocidad que "
        "elija el paciente, con la cinta inclinada por pasos 0 → 5 → 10 % para cargar el cuádriceps y entrenar "
        "el sentido de la posición de la rodilla. Rodillera según indique el cirujano."
    ),
    (
        "Stretch your legs the way your therapist showed you. Then step on, hold the handrails "
        "and clip on the safety key before the belt starts."
    ): (
        "Estire las piernas como le enseñó su terapeuta. Después suba a la cinta, sujétese a las barras y "
        "enganche la llave de seguridad antes de que arranque la cinta."
    ),
    (
        "Walk forward at an easy pace for a few minutes on the level belt, as your therapist showed you. "
        "Then stop the belt, turn round, hold the handrails and clip on the safety key."
    ): (
        "Camine hacia delante a paso suave durante unos minutos con la cinta sin inclinación, como le enseñó "
        "su terapeuta. Después pare la cinta, dese la vuelta, sujétese a las barras y enganche la llave de "
        "seguridad."
    ),
}

FIELDS = ("name", "summary", "warm_up")


def translate(apps, schema_editor):
    for model in ("ProgramTemplate", "HistoricalProgramTemplate"):
        apps.get_model("programs", model).objects.filter(name_en=None).update(
            name_en=F("name"), summary_en=F("summary"), warm_up_en=F("warm_up")
        )
    for model in ("TemplateWeek", "HistoricalTemplateWeek"):
        apps.get_model("programs", model).objects.filter(note_en=None).update(note_en=F("note"))
    for template in apps.get_model("programs", "ProgramTemplate").objects.all():
        changed = []
        for field in FIELDS:
            english = getattr(template, f"{field}_en")
            if english in SPANISH and not getattr(template, f"{field}_es"):
                setattr(template, f"{field}_es", SPANISH[english])
                changed.append(f"{field}_es")
        if changed:
            template.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("programs", "0013_template_in_each_language")]

    operations = [migrations.RunPython(translate, migrations.RunPython.noop)]

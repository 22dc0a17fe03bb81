# Separate from 0004 so that the rows it filled in are committed before the column becomes NOT NULL.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_session_logs_and_progression")]

    operations = [
        migrations.AlterField(
            model_name="historicalprescription",
            name="week_started_on",
            field=models.DateField(
                help_text="When the current week's targets took effect (a review starts a new one).",
                verbose_name="week in force since",
            ),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="week_started_on",
            field=models.DateField(
                help_text="When the current week's targets took effect (a review starts a new one).",
                verbose_name="week in force since",
            ),
        ),
    ]

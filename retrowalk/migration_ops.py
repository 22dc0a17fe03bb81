"""Migration operations for rules only PostgreSQL can hold (time-dependent
CHECKs, triggers). On SQLite they do nothing; model validation still applies
there, and the tests for them are marked ``postgres``."""

from django.db import migrations


def postgres_sql(forward: str, backward: str) -> migrations.RunPython:
    def run(sql):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward))

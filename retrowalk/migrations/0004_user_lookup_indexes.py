"""Case-insensitive username and email lookups by index on PostgreSQL.

The portal's username suggestion (``istartswith``), its taken-name check and the
care team's colleague lookup (``iexact``) compare ``UPPER(column)``; without these
indexes each is a scan of every account, which grows with the health system.
"""

from django.conf import settings
from django.db import migrations

from retrowalk.migration_ops import postgres_sql

FORWARD = """
CREATE INDEX IF NOT EXISTS retrowalk_user_username_upper
    ON auth_user (UPPER(username::text) text_pattern_ops);
CREATE INDEX IF NOT EXISTS retrowalk_user_email_upper ON auth_user (UPPER(email::text));
"""
BACKWARD = """
DROP INDEX IF EXISTS retrowalk_user_username_upper;
DROP INDEX IF EXISTS retrowalk_user_email_upper;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("retrowalk", "0003_access_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [postgres_sql(FORWARD, BACKWARD)]

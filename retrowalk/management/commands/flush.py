"""``manage.py flush``: Django's, emptying every table on SQLite as it does on PostgreSQL.

PostgreSQL empties the tables with TRUNCATE, which row triggers do not see. SQLite deletes the rows, and the
triggers that refuse a delete (a recorded screening, the access log: retrowalk/migration_ops.py) would stop it.
On SQLite those triggers are set aside while the tables are emptied and put back as they were, in the same
transaction. Test databases are emptied this way after each transactional test.
"""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'")
            refusing = cursor.fetchall()
            for name, _sql in refusing:
                cursor.execute(f'DROP TRIGGER "{name}"')
            super().handle(**options)
            for _name, sql in refusing:
                cursor.execute(sql)
        return None

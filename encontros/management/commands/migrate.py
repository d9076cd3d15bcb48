from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

# Any fixed number: the key of the PostgreSQL advisory lock taken while migrating.
MIGRATION_LOCK = 4_870_201


class Command(DjangoMigrateCommand):
    """Django's migrate, one at a time on PostgreSQL: replicas or jobs that start
    together wait for each other instead of creating the same tables twice."""

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            # The connection's bounds on statements and lock waits (settings.py)
            # are for requests: another replica's migration may take longer.
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("SET lock_timeout = 0")
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            cursor.execute("RESET statement_timeout")
            cursor.execute("RESET lock_timeout")
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])

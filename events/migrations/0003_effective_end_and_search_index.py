from datetime import timedelta

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce

# events.models.DEFAULT_DURATION when this migration was written.
DEFAULT_DURATION = timedelta(hours=3)

TRIGRAM_INDEX = "event_search_text_trgm"


def fill_effective_end(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.update(effective_end=Coalesce("ends_at", F("starts_at") + DEFAULT_DURATION))


def create_trigram_index(apps, schema_editor):
    """Searches (LIKE '%word%' on search_text) use a trigram index on PostgreSQL.

    The database must allow the pg_trgm extension (a trusted extension since
    PostgreSQL 13, which managed services such as DigitalOcean's allow). SQLite
    has no such index and keeps scanning, which suits development.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} "
        "ON events_event USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("events", "0002_event_managers_group")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="effective_end",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill_effective_end, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="effective_end",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["status", "effective_end", "starts_at"],
                name="events_even_status_715053_idx",
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]

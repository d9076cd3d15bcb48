from django.db import migrations, models


def continue_the_calendar_sequence(apps, schema_editor):
    # Calendars have seen SEQUENCE = seconds between creation and last change;
    # the revision starts there so that the next change still reads as newer.
    Event = apps.get_model("events", "Event")
    for event in Event.objects.only("created_at", "updated_at").iterator():
        sequence = int((event.updated_at - event.created_at).total_seconds())
        Event.objects.filter(pk=event.pk).update(revision=max(sequence, 0))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_effective_end_and_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="revision"),
        ),
        migrations.RunPython(continue_the_calendar_sequence, migrations.RunPython.noop),
    ]

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Event managers"
MODELS = ["event", "technology"]
ACTIONS = ["add", "change", "delete", "view"]


def create_event_managers(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now.
    app_config = apps.get_app_config("events")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="events", codename__in=codenames)
    )


def remove_event_managers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_event_managers, remove_event_managers)]

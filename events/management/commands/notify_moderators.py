from django.core.management.base import BaseCommand

from events import services


class Command(BaseCommand):
    help = (
        "E-mail the moderators the pending events they have not heard about yet. "
        "Schedule it every few minutes: it sends what arrived at the end of a burst."
    )

    def handle(self, *args, **options):
        count = services.notify_moderators()
        self.stdout.write(f"{count} pending event(s) announced.")

"""What the events app tells the rest of the project, without knowing who listens."""

from django.dispatch import Signal

# Sent by every write service of events/services.py. The project's public cache
# (encontros/public_cache.py) listens, so that no cache serves what a write replaced.
public_content_changed = Signal()


def content_changed():
    """Tell every listener (every worker and replica, through the shared cache)
    that public content changed."""
    public_content_changed.send(sender=__name__)

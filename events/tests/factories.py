from datetime import timedelta

import factory
from django.utils import timezone

from events.edit_tokens import hash_edit_token, new_edit_token
from events.models import Event, Technology, technology_slug
from events.services import refresh_search_text, unique_slug


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Tech {n}")
    slug = factory.LazyAttribute(lambda o: technology_slug(o.name))


class EventFactory(factory.django.DjangoModelFactory):
    """A published, in-person event next week. Pass `edit_token=` to know its token."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    class Params:
        edit_token = factory.LazyFunction(new_edit_token)

    title = factory.Sequence(lambda n: f"Meetup {n}")
    slug = factory.LazyAttribute(lambda o: unique_slug(title=o.title, starts_at=o.starts_at))
    description = "Talks and networking."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    mode = Event.Mode.IN_PERSON
    city = "São Paulo"
    venue = "Espaço Comunidade"
    organizer_name = "Grupo Local"
    status = Event.Status.PUBLISHED
    edit_token_hash = factory.LazyAttribute(lambda o: hash_edit_token(o.edit_token))

    @factory.post_generation
    def technologies(self, create, extracted, **kwargs):
        if create and extracted:
            self.technologies.set(extracted)
        if create:
            refresh_search_text(self)

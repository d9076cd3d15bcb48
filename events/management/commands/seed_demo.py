from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from events import services
from events.models import Event

# (title, days from today, start hour, hours long, mode, city, venue, technologies, organizer, free)
DEMO_EVENTS = [
    (
        "Python São Paulo: encontro mensal",
        5,
        19,
        3,
        "in_person",
        "São Paulo",
        "Google for Startups Campus",
        ["Python", "Django"],
        "Grupy-SP",
        True,
    ),
    (
        "Python Brasil 2026",
        40,
        9,
        56,
        "in_person",
        "Rio de Janeiro",
        "Centro de Convenções SulAmérica",
        ["Python", "Data Science", "Django"],
        "Associação Python Brasil",
        False,
    ),
    (
        "Django Girls Recife",
        12,
        9,
        8,
        "in_person",
        "Recife",
        "Porto Digital",
        ["Python", "Django"],
        "Django Girls Recife",
        True,
    ),
    (
        "Meetup React Floripa",
        8,
        19,
        2,
        "in_person",
        "Florianópolis",
        "ACATE",
        ["React", "JavaScript", "TypeScript"],
        "React Floripa",
        True,
    ),
    (
        "GDG Belo Horizonte: DevFest",
        21,
        9,
        9,
        "in_person",
        "Belo Horizonte",
        "Inova UFMG",
        ["Android", "Kotlin", "Flutter", "Cloud"],
        "GDG BH",
        False,
    ),
    (
        "Rust Brasil online: async na prática",
        3,
        20,
        2,
        "online",
        "",
        "",
        ["Rust"],
        "Rust Brasil",
        True,
    ),
    (
        "Workshop de Kubernetes para iniciantes",
        15,
        14,
        4,
        "hybrid",
        "Porto Alegre",
        "Tecnopuc",
        ["Kubernetes", "Docker", "DevOps"],
        "CNCF Porto Alegre",
        False,
    ),
    (
        "Go Curitiba #12",
        10,
        19,
        3,
        "in_person",
        "Curitiba",
        "Aldeia Coworking",
        ["Go"],
        "Gophers Curitiba",
        True,
    ),
    (
        "Front in Sampa",
        30,
        9,
        9,
        "in_person",
        "São Paulo",
        "Teatro Gazeta",
        ["JavaScript", "CSS", "Acessibilidade"],
        "Front in Sampa",
        False,
    ),
    (
        "PostgreSQL: tuning na vida real",
        6,
        19,
        2,
        "online",
        "",
        "",
        ["PostgreSQL", "Bancos de dados"],
        "PG Brasil",
        True,
    ),
    (
        "Data Science Salvador",
        18,
        18,
        3,
        "in_person",
        "Salvador",
        "Hub Salvador",
        ["Python", "Data Science", "Machine Learning"],
        "Data Science Salvador",
        True,
    ),
    (
        "Elixir Brasil Meetup",
        25,
        19,
        2,
        "hybrid",
        "São Paulo",
        "Plataformatec House",
        ["Elixir", "Phoenix"],
        "Elixir Brasil",
        True,
    ),
    (
        "Java Manaus: Spring Boot 4",
        9,
        19,
        2,
        "in_person",
        "Manaus",
        "Sidia",
        ["Java", "Spring"],
        "JUG Manaus",
        True,
    ),
    (
        "Hackathon Cidades Inteligentes",
        45,
        8,
        34,
        "in_person",
        "Fortaleza",
        "Instituto Atlântico",
        ["IoT", "Python", "JavaScript"],
        "Prefeitura de Fortaleza",
        True,
    ),
    (
        "Segurança em APIs com OWASP",
        4,
        19,
        2,
        "online",
        "",
        "",
        ["Segurança", "APIs"],
        "OWASP São Paulo",
        True,
    ),
    (
        "Flutter Goiânia",
        14,
        19,
        3,
        "in_person",
        "Goiânia",
        "Estação Goiânia",
        ["Flutter", "Dart"],
        "Flutter Goiás",
        True,
    ),
    (
        "TDC Business Brasília",
        60,
        9,
        32,
        "in_person",
        "Brasília",
        "Centro Internacional de Convenções",
        ["Agile", "Cloud", "Liderança"],
        "The Developer's Conference",
        False,
    ),
    (
        "Vue.js Campinas",
        11,
        19,
        2,
        "in_person",
        "Campinas",
        "Venturus",
        ["Vue.js", "JavaScript"],
        "Vue Campinas",
        True,
    ),
    (
        "Machine Learning Engineering online",
        22,
        19,
        2,
        "online",
        "",
        "",
        ["Machine Learning", "MLOps", "Python"],
        "MLOps Brasil",
        True,
    ),
    (
        "PHP com Rapadura",
        35,
        9,
        9,
        "in_person",
        "Fortaleza",
        "Universidade de Fortaleza",
        ["PHP", "Laravel"],
        "PHP com Rapadura",
        False,
    ),
    (
        "Ruby on Rails Natal",
        16,
        19,
        2,
        "in_person",
        "Natal",
        "Metrópole Digital",
        ["Ruby", "Rails"],
        "Ruby RN",
        True,
    ),
    (
        "Mulheres em Tecnologia: mentoria",
        2,
        18,
        2,
        "online",
        "",
        "",
        ["Carreira"],
        "PyLadies Brasil",
        True,
    ),
    # Cancelled and pending examples, and past events.
    (
        "Angular Vitória",
        20,
        19,
        2,
        "in_person",
        "Vitória",
        "Findes",
        ["Angular", "TypeScript"],
        "Angular ES",
        True,
    ),
    (
        "Cloud Native Day Belém",
        50,
        9,
        8,
        "in_person",
        "Belém",
        "Parque de Ciência e Tecnologia Guamá",
        ["Kubernetes", "Cloud"],
        "Cloud Native Belém",
        False,
    ),
    (
        # Named after the month it falls in (see MONTHLY_TITLE).
        "Python São Paulo: encontro de {month}",
        -30,
        19,
        3,
        "in_person",
        "São Paulo",
        "Google for Startups Campus",
        ["Python"],
        "Grupy-SP",
        True,
    ),
    (
        "DevOpsDays Porto Alegre",
        -20,
        9,
        9,
        "in_person",
        "Porto Alegre",
        "PUCRS",
        ["DevOps", "Cloud"],
        "DevOpsDays POA",
        False,
    ),
    (
        "JavaScript Recife",
        -12,
        19,
        2,
        "in_person",
        "Recife",
        "CESAR School",
        ["JavaScript", "Node.js"],
        "JS Recife",
        True,
    ),
    (
        "Live: carreira em dados",
        -7,
        20,
        2,
        "online",
        "",
        "",
        ["Data Science", "Carreira"],
        "Dados Abertos BR",
        True,
    ),
    (
        "Kotlin Florianópolis",
        -45,
        19,
        2,
        "in_person",
        "Florianópolis",
        "Softplan",
        ["Kotlin", "Android"],
        "Kotlin Floripa",
        True,
    ),
    (
        "C# e .NET Belo Horizonte",
        -3,
        19,
        2,
        "hybrid",
        "Belo Horizonte",
        "Hotmart",
        ["C#", ".NET"],
        ".NET BH",
        True,
    ),
]
CANCELLED_TITLE = "Angular Vitória"
STATES = {
    "Belém": "PA",
    "Belo Horizonte": "MG",
    "Brasília": "DF",
    "Campinas": "SP",
    "Curitiba": "PR",
    "Florianópolis": "SC",
    "Fortaleza": "CE",
    "Goiânia": "GO",
    "Manaus": "AM",
    "Natal": "RN",
    "Porto Alegre": "RS",
    "Recife": "PE",
    "Rio de Janeiro": "RJ",
    "Salvador": "BA",
    "São Paulo": "SP",
    "Vitória": "ES",
}
PENDING_TITLE = "Cloud Native Day Belém"


class Command(BaseCommand):
    help = "Create realistic demo events. Running it again creates nothing new."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        created = 0
        for (
            title,
            days,
            hour,
            hours,
            mode,
            city,
            venue,
            technologies,
            organizer,
            is_free,
        ) in DEMO_EVENTS:
            starts_at = timezone.make_aware(
                datetime.combine(today + timedelta(days=days), time(hour))
            )
            with translation.override("pt-br"):
                title = title.format(month=date_format(starts_at, "F").lower())
            if Event.objects.filter(title=title).exists():
                continue
            event = Event(
                title=title,
                description=self._description(title, organizer),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=hours),
                mode=mode,
                city=city,
                state=STATES.get(city, ""),
                venue=venue,
                online_url="https://meet.example.org/"
                + title.lower().split(":")[0].replace(" ", "-")
                if mode != "in_person"
                else "",
                organizer_name=organizer,
                url="https://example.org/eventos",
                is_free=is_free,
                status=self._status(title),
            )
            services.event_create(
                event=event, channel="seed", technology_names=technologies, moderated=False
            )
            created += 1
        self.stdout.write(
            f"Demo data: {created} events created, {len(DEMO_EVENTS) - created} already there."
        )

    @staticmethod
    def _status(title):
        if title == CANCELLED_TITLE:
            return Event.Status.CANCELLED
        if title == PENDING_TITLE:
            return Event.Status.PENDING
        return Event.Status.PUBLISHED

    @staticmethod
    def _description(title, organizer):
        return (
            f"{title}, organizado por {organizer}.\n\n"
            "Palestras, conversas e networking com a comunidade. Traga suas dúvidas e "
            "projetos!\n\nMais informações em https://example.org/eventos"
        )

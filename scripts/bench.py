"""Benchmark of the production server: `make bench` (see docs/performance.md).

Fills a database with EVENTS realistic events (kept between runs: a second run
at the same size reuses it), starts the production server (gunicorn.conf.py,
DEBUG off, a Redis of its own as the cache) and, on the same gunicorn, a
trivial WSGI app as the ceiling; runs wrk against each URL with the headers of
a browser (Accept-Encoding: gzip, br), then the list and API again with the
cache turned off; prints one table per run, SQL queries per request, worker
memory, and in-process p50/p95 with the cache on and bypassed.

Compare the share of the ceiling rather than absolute figures: both come from
the same run on the same machine.
"""

import argparse
import gc
import hashlib
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

CITIES = [
    "São Paulo",
    "Rio de Janeiro",
    "Recife",
    "Belo Horizonte",
    "Porto Alegre",
    "Curitiba",
    "Florianópolis",
    "Salvador",
    "Fortaleza",
    "Brasília",
    "Manaus",
    "Natal",
    "Goiânia",
    "Campinas",
    "Belém",
    "Vitória",
    "João Pessoa",
    "Maceió",
]
TECHNOLOGIES = [
    "Python",
    "Django",
    "JavaScript",
    "TypeScript",
    "React",
    "Go",
    "Rust",
    "Java",
    "Kotlin",
    "Elixir",
    "Ruby",
    "PHP",
    "Data Science",
    "DevOps",
    "Kubernetes",
    "Segurança",
    "Cloud",
    "Flutter",
    "Swift",
    "C#",
    ".NET",
    "Machine Learning",
    "Acessibilidade",
    "Liderança",
    "Testes",
    "Linux",
]
KINDS = ["Meetup", "Workshop", "Conferência", "Encontro", "Hackathon", "Talk", "Dojo"]


def ceiling_app(environ, start_response):
    """The ceiling: the same gunicorn answering "ok" with no framework at all."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def environment(arguments, **extra):
    variables = {
        key: value for key, value in os.environ.items() if not key.startswith("PUBLIC_CACHE")
    }
    variables.update(
        DEBUG="false",
        SECRET_KEY=arguments.secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=arguments.database_url,
        CACHE_URL=arguments.cache_url,
        LOG_LEVEL="WARNING",
        SECURE_SSL="false",
    )
    variables.update(extra)
    return variables


def free_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def wait_until_answers(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server at {url} exited early")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {seconds} s")


@contextmanager
def redis_server():
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def gunicorn(arguments, app, **variables):
    port = free_port()
    # As in the image (Dockerfile): metrics shared by the workers through files,
    # in a directory of this server's own (two servers run at once).
    metrics_directory = tempfile.mkdtemp(prefix="encontros-bench-metrics-")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--pythonpath",
            "scripts",
            app,
        ],
        cwd=BASE_DIR,
        env=environment(
            arguments,
            HOST="127.0.0.1",
            PORT=str(port),
            # Two servers run at once: the ceiling, and the site.
            METRICS_PORT=str(free_port()),
            PROMETHEUS_MULTIPROC_DIR=metrics_directory,
            WEB_CONCURRENCY=str(arguments.workers),
            **variables,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/health", process)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(metrics_directory, ignore_errors=True)


def manage(arguments, *command):
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env=environment(arguments),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def fill(count):
    """Realistic events: search text, technologies, a spread of dates around now."""
    from django.db import transaction
    from django.utils import timezone

    from events.models import DEFAULT_DURATION, Event, Technology, technology_slug
    from events.search import normalize

    if Event.objects.count() == count:
        return False
    rng = random.Random(42)
    with transaction.atomic():
        Event.objects.all().delete()
        technologies = [
            Technology.objects.get_or_create(slug=technology_slug(name), defaults={"name": name})[0]
            for name in TECHNOLOGIES
        ]
        now = timezone.now()
        Through = Event.technologies.through
        for start in range(0, count, 2000):
            events, chosen = [], []
            for number in range(start, min(start + 2000, count)):
                city = rng.choice(CITIES)
                techs = rng.sample(technologies, rng.randint(1, 3))
                title = f"{rng.choice(KINDS)} {techs[0].name} {city} #{number}"
                # About half upcoming, spread over two years either side of now.
                starts_at = now + timedelta(hours=rng.randint(-17_000, 17_000))
                ends_at = starts_at + timedelta(hours=rng.choice([2, 3, 8])) if number % 4 else None
                description = (
                    f"Palestras sobre {', '.join(t.name for t in techs)} em {city}. "
                    "Networking, pizza e muita conversa sobre tecnologia."
                )
                venue = f"Espaço {number % 97}"
                events.append(
                    Event(
                        title=title,
                        slug=f"evento-{number}",
                        description=description,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        effective_end=ends_at or starts_at + DEFAULT_DURATION,
                        city=city,
                        venue=venue,
                        organizer_name=f"Comunidade {techs[0].name} {city}",
                        status=Event.Status.PUBLISHED if number % 20 else Event.Status.CANCELLED,
                        edit_token_hash=hashlib.sha256(f"bench-{number}".encode()).hexdigest(),
                        search_text=normalize(
                            " ".join(
                                [
                                    title,
                                    description,
                                    city,
                                    venue,
                                    f"Comunidade {techs[0].name} {city}",
                                ]
                                + [t.name for t in techs]
                            )
                        ),
                    )
                )
                chosen.append(techs)
            Event.objects.bulk_create(events)
            Through.objects.bulk_create(
                Through(event_id=event.pk, technology_id=technology.pk)
                for event, techs in zip(events, chosen, strict=True)
                for technology in techs
            )
    from django.db import connection

    if connection.vendor == "postgresql":
        # As autovacuum would soon after a bulk load: statistics for the planner,
        # and the visibility map that lets counts read indexes only.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return True


def urls():
    from events.models import Event

    event = Event.objects.published().upcoming()[Event.objects.published().upcoming().count() // 2]
    from django.contrib.staticfiles.storage import staticfiles_storage

    return {
        "/health": "/health",
        "/": "/",
        "search": "/?search=python+sao+paulo",
        "filtered list": "/?city=recife&technology=python",
        "event page": event.get_absolute_url(),
        "embed": "/embed/",
        "API list": "/api/events/",
        "API search": "/api/events/?search=python+sao+paulo",
        "ICS feed": "/feeds/events.ics",
        "Atom feed": "/feeds/events.atom",
        "sitemap": "/sitemap.xml",
        "static CSS": staticfiles_storage.url("css/site.css"),
    }


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1, "s": 1000}


def wrk(arguments, port, path):
    result = subprocess.run(
        [
            "wrk",
            f"-t{arguments.threads}",
            f"-c{arguments.connections}",
            f"-d{arguments.seconds}s",
            "--latency",
            "-H",
            "Accept-Encoding: gzip, br",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    output = result.stdout
    latencies = {p: float(v) * UNIT[u] for p, v, u in LATENCY.findall(output)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(number) for number in match.groups())
    return {"rate": rate, "p50": latencies.get("50"), "p99": latencies.get("99"), "errors": errors}


def warm_up(port, path, workers):
    """A few requests first, so that every worker has done what it does once
    (templates, translations, its database connection, kept pieces) and, with
    the cache on, holds the answer: the runs measure a worker that has served
    before, as in production."""
    for _ in range(workers * 4):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def worker_rss_mb(master):
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


def queries_per_request(paths):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    counts = {}
    with override_settings(PUBLIC_CACHE_SECONDS=0):
        for name, path in paths.items():
            with CaptureQueriesContext(connection) as queries:
                client.get(path, headers={"accept-encoding": "gzip, br"})
            counts[name] = len(queries)
    return counts


def in_process(paths, *, cached, repeat):
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    timings = {}
    # As gunicorn's workers do once started (gunicorn.conf.py): what is loaded
    # by now stays out of the collector's full passes.
    gc.freeze()
    with override_settings(PUBLIC_CACHE_SECONDS=60 if cached else 0):
        for name, path in paths.items():
            client.get(path)
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(path, headers={"accept-encoding": "gzip, br"})
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            timings[name] = (
                statistics.median(samples),
                samples[max(0, int(len(samples) * 0.95) - 1)],
            )
    return timings


def milliseconds(value):
    return "–" if value is None else f"{value:,.1f} ms"


def print_table(title, results, ceiling, queries):
    print(f"\n### {title}\n")
    print("| url | req/s | p50 | p99 | errors | share of the ceiling | SQL queries |")
    print("|---|---|---|---|---|---|---|")
    for name, result in results.items():
        share = result["rate"] / ceiling * 100
        print(
            f"| {name} | {result['rate']:,.0f} | {milliseconds(result['p50'])} | "
            f"{milliseconds(result['p99'])} | {result['errors']} | {share:.1f}% | "
            f"{queries.get(name, '–')} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=int(os.environ.get("EVENTS", 1000)))
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://encontros@127.0.0.1:5432/encontros_bench"
        ),
    )
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ.get("BENCH_REPEAT", 30)),
        help="in-process requests per URL",
    )
    parser.add_argument("--only", nargs="*", help="names of the URLs to measure (default: all)")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt install wrk")
    arguments.secret_key = secrets.token_urlsafe(50)

    with redis_server() as cache_url:
        arguments.cache_url = cache_url
        os.environ.update(environment(arguments))
        os.environ["DJANGO_SETTINGS_MODULE"] = "encontros.settings"
        manage(arguments, "migrate", "--noinput")
        if not (BASE_DIR / "staticfiles" / "staticfiles.json").exists():
            manage(arguments, "collectstatic", "--noinput")
        import django

        django.setup()
        started = time.monotonic()
        if fill(arguments.events):
            print(f"filled {arguments.events:,} events in {time.monotonic() - started:.0f} s")
        paths = urls()
        if arguments.only:
            paths = {name: path for name, path in paths.items() if name in arguments.only}
        print(
            f"\n{arguments.events:,} events, {arguments.workers} workers, "
            f"{arguments.connections} connections, {arguments.seconds} s per URL, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
            f"Python {platform.python_version()}"
        )

        queries = queries_per_request(paths)
        # The ceiling server idles while the site is measured. Each table has a
        # ceiling measured just before it: a shared machine's speed drifts
        # within minutes, and a share against an earlier ceiling would drift with it.
        with gunicorn(arguments, "bench:ceiling_app") as (ceiling_port, _master):
            ceiling = wrk(arguments, ceiling_port, "/")
            results = {"ceiling": ceiling}
            with gunicorn(arguments, "encontros.wsgi") as (port, master):
                for name, path in paths.items():
                    warm_up(port, path, arguments.workers)
                    results[name] = wrk(arguments, port, path)
                rss = worker_rss_mb(master)
            print_table("Cache on (warm)", results, ceiling["rate"], queries)
            print(f"\nworker RSS after the run: {', '.join(f'{size:.0f} MB' for size in rss)}")

            bypassed_paths = {
                name: path
                for name, path in paths.items()
                if name in {"/", "API list", "event page", "ICS feed"}
            }
            with gunicorn(arguments, "encontros.wsgi", PUBLIC_CACHE_SECONDS="0") as (port, _m):
                for path in bypassed_paths.values():
                    warm_up(port, path, arguments.workers)
                ceiling = wrk(arguments, ceiling_port, "/")
                bypassed = {"ceiling": ceiling}
                for name, path in bypassed_paths.items():
                    bypassed[name] = wrk(arguments, port, path)
            print_table("Cache bypassed", bypassed, ceiling["rate"], queries)

        print("\n### In process (Django test client), p50 / p95\n")
        print("| url | cache on | cache bypassed |")
        print("|---|---|---|")
        timed = {name: path for name, path in paths.items() if name != "static CSS"}
        on = in_process(timed, cached=True, repeat=arguments.repeat)
        off = in_process(timed, cached=False, repeat=arguments.repeat)
        for name in timed:
            print(
                f"| {name} | {on[name][0]:.1f} / {on[name][1]:.1f} ms | "
                f"{off[name][0]:.1f} / {off[name][1]:.1f} ms |"
            )


if __name__ == "__main__":
    main()

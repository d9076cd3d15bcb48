"""Concurrent requests against the production server on PostgreSQL: no write is
lost, no deleted event comes back, a burst makes one event and never a 500.

Each test sends real HTTP requests from threads released at the same instant to
a gunicorn with several workers, then reads the database directly.
"""

import itertools
import json
import re
import secrets
from functools import partial

import psycopg
import pytest

from events.tests.servers import (
    concurrently,
    gunicorn,
    manage,
    production_environment,
    signed_form_time,
    throwaway_postgres,
    throwaway_redis,
)

pytestmark = pytest.mark.own_servers

# More workers than cores, so that requests really overlap in the database and the cache.
WORKERS = 8
ROUNDS = 12
# Generous: under a burst on a busy machine an answer may take seconds.
TIMEOUT = 120
EDIT_LINK = re.compile(r"/events/edit/[A-Za-z0-9_-]{43}/")
_addresses = itertools.count(1)


def a_client():
    """Headers of a visitor of their own (the balancer's X-Forwarded-For), so that
    one test's rate limits never count another's requests."""
    number = next(_addresses)
    return {"X-Forwarded-For": f"198.18.{number // 250}.{number % 250 + 1}"}


@pytest.fixture(scope="module")
def site(collected_static):
    """A gunicorn on a PostgreSQL and a Redis of its own, with limits high enough
    that the bursts below are not refused."""
    with throwaway_postgres() as database, throwaway_redis() as redis_url:
        environment = production_environment(
            DATABASE_URL=database.url,
            CACHE_URL=redis_url,
            API_CREATE_THROTTLE_RATE="100000/h",
            EVENTS_SUBMISSION_RATE="100000/h",
            EVENTS_EDIT_TOKEN_RATE="100000/m",
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=WORKERS) as server:
            server.database_url = database.url
            server.secret_key = environment["SECRET_KEY"]
            yield server


def call(server, method, path, **kwargs):
    return server.send(method, path, timeout=TIMEOUT, **kwargs)


def query(site, sql, *parameters):
    with psycopg.connect(site.database_url) as connection:
        return connection.execute(sql, parameters).fetchall()


def payload(**overrides):
    return {
        "title": f"Race meetup {secrets.token_hex(4)}",
        "description": "Talks.",
        "starts_at": "2031-05-10T19:00:00-03:00",
        "mode": "in_person",
        "city": "Recife",
        "venue": "Porto Digital",
        "organizer_name": "Race Group",
        "is_free": True,
        **overrides,
    }


def create(site, **overrides):
    status, headers, body = call(
        site, "POST", "/api/events/", body=payload(**overrides), headers=a_client()
    )
    assert status == 201, body
    created = json.loads(body)
    return created["slug"], {"X-Edit-Token": created["edit_token"], **a_client()}


def server_errors(statuses):
    return sum(status >= 500 for status in statuses)


def test_an_event_deleted_while_being_edited_stays_deleted(site):
    resurrected, statuses = [], []
    for _round in range(ROUNDS):
        slug, holder = create(site)
        url = f"/api/events/{slug}/"
        answers = concurrently(
            partial(call, site, "DELETE", url, headers=holder),
            *[
                partial(call, site, "PATCH", url, body={field: "Edited"}, headers=holder)
                for field in ("venue", "city", "organizer_name")
            ],
        )
        statuses += [status for status, _headers, _body in answers]
        if query(site, "SELECT 1 FROM events_event WHERE slug = %s", slug):
            resurrected.append(slug)
        assert call(site, "GET", url, headers=holder)[0] in (404, 200)

    assert (len(resurrected), server_errors(statuses)) == (0, 0), (
        f"{len(resurrected)} of {ROUNDS} deleted events came back; "
        f"{server_errors(statuses)} answers were 5xx: {sorted(statuses)}"
    )
    assert set(statuses) <= {200, 204, 404}


def test_concurrent_changes_to_different_fields_are_all_kept(site):
    changes = {
        "title": "Title {}",
        "venue": "Venue {}",
        "organizer_name": "Organizer {}",
        "address": "Address {}",
        "description": "Description {}",
    }
    lost, statuses = 0, []
    for number in range(ROUNDS):
        slug, holder = create(site)
        url = f"/api/events/{slug}/"
        answers = concurrently(
            *[
                partial(
                    call, site, "PATCH", url, body={field: value.format(number)}, headers=holder
                )
                for field, value in changes.items()
            ]
        )
        statuses += [status for status, _headers, _body in answers]
        [stored] = query(
            site,
            "SELECT title, venue, organizer_name, address, description "
            "FROM events_event WHERE slug = %s",
            slug,
        )
        acknowledged = [
            value.format(number)
            for (status, _headers, _body), value in zip(answers, changes.values(), strict=True)
            if status == 200
        ]
        lost += sum(value not in stored for value in acknowledged)

    assert (lost, server_errors(statuses)) == (0, 0), (
        f"{lost} of {ROUNDS * len(changes)} acknowledged changes were lost; "
        f"answers: {sorted(statuses)}"
    )
    assert set(statuses) == {200}


def test_if_match_lets_one_of_several_writers_of_one_version_through(site):
    slug, holder = create(site)
    url = f"/api/events/{slug}/"
    status, headers, _body = call(site, "GET", url, headers=holder)
    assert status == 200
    version = headers["ETag"]

    answers = concurrently(
        *[
            lambda number=number: call(
                site,
                "PATCH",
                url,
                body={"venue": f"Venue {number}"},
                headers={**holder, "If-Match": version},
            )
            for number in range(6)
        ]
    )

    statuses = sorted(status for status, _headers, _body in answers)
    assert statuses == [200] + [412] * 5
    [winner] = [json.loads(body)["venue"] for status, _h, body in answers if status == 200]
    assert query(site, "SELECT venue FROM events_event WHERE slug = %s", slug) == [(winner,)]


def site_submission(site, **fields):
    form = {
        "title": "Burst meetup",
        "description": "Talks.",
        "starts_at": "2031-06-10T19:00",
        "mode": "in_person",
        "city": "Recife",
        "venue": "Porto Digital",
        "organizer_name": "Burst Group",
        "homepage": "",
        "rendered_at": signed_form_time(site.secret_key),
        **fields,
    }
    return site.post_form(
        "/events/new/", form, headers={"Accept-Language": "en", **a_client()}, timeout=TIMEOUT
    )


def test_a_burst_of_identical_submissions_creates_one_event(site):
    title = f"Burst {secrets.token_hex(4)}"
    same_event = payload(title=title, starts_at="2031-06-10T19:00:00-03:00")

    answers = concurrently(
        *[lambda: call(site, "POST", "/api/events/", body=same_event, headers=a_client())] * 16,
        *[lambda: site_submission(site, title=title)] * 16,
    )

    statuses = [status for status, _headers, _body in answers]
    created = query(site, "SELECT count(*) FROM events_event WHERE title = %s", title)[0][0]
    api_created = statuses[:16].count(201)
    site_created = sum(bool(EDIT_LINK.search(body)) for _status, _headers, body in answers[16:])
    assert (created, server_errors(statuses)) == (1, 0), (
        f"{created} events from 32 identical submissions; answers: {sorted(statuses)}"
    )
    assert api_created + site_created == 1
    assert set(statuses[:16]) <= {201, 400}


def test_a_burst_of_confirmed_duplicates_gives_each_its_own_slug(site):
    title = f"Slug burst {secrets.token_hex(4)}"
    same_event = payload(title=title, confirm_duplicate=True)

    answers = concurrently(
        *[lambda: call(site, "POST", "/api/events/", body=same_event, headers=a_client())] * 40
    )

    statuses = [status for status, _headers, _body in answers]
    slugs = [json.loads(body)["slug"] for status, _headers, body in answers if status == 201]
    assert statuses.count(201) == 40, f"answers: {sorted(statuses)}"
    assert len(set(slugs)) == 40
    assert query(site, "SELECT count(*) FROM events_event WHERE title = %s", title) == [(40,)]


def test_the_creation_limit_is_exact_under_parallel_requests(collected_static):
    with throwaway_postgres() as database, throwaway_redis() as redis_url:
        environment = production_environment(
            DATABASE_URL=database.url, CACHE_URL=redis_url, API_CREATE_THROTTLE_RATE="10/h"
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=WORKERS) as server:
            one_client = a_client()
            answers = concurrently(
                *[
                    lambda: call(server, "POST", "/api/events/", body=payload(), headers=one_client)
                    for _ in range(40)
                ]
            )

    statuses = sorted(status for status, _headers, _body in answers)
    assert statuses.count(201) == 10, f"a 10/h limit let {statuses.count(201)} of 40 through"
    assert statuses == [201] * 10 + [429] * 30

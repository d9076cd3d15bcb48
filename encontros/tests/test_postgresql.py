"""Timestamps read from PostgreSQL: parsed by psycopg's own loader, with the
values and zone Django's loader gives."""

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import pq

from encontros.postgresql import PSYCOPG_TIMESTAMPTZ_LOADER, TIMESTAMPTZ_OID, CompiledTzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections"),
]


def registered_loader():
    connection.ensure_connection()
    return connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)


def test_connections_parse_timestamps_with_psycopgs_registered_loader():
    loader = registered_loader()(TIMESTAMPTZ_OID, connection.connection)
    assert isinstance(loader, CompiledTzLoader)
    assert type(loader.parse.__self__) is PSYCOPG_TIMESTAMPTZ_LOADER


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.timezones(),
    )
)
def test_a_timestamp_reads_as_djangos_loader_reads_it(moment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, %s::timestamptz::text", [moment.isoformat()] * 2)
        read, text = cursor.fetchone()

    class DjangosLoader(BaseTzLoader):
        timezone = connection.timezone

    expected = DjangosLoader(TIMESTAMPTZ_OID, connection.connection).load(text.encode())
    # In UTC: an aware time in a zone's repeated or skipped hour compares unequal
    # to every time in another zone (PEP 495).
    assert read == expected == moment.astimezone(dt.UTC)
    assert read.tzinfo is expected.tzinfo is connection.timezone

"""The PostgreSQL backend: timestamps parsed by psycopg's own loader, with the
values and zone Django's loader gives; connections checked without a round trip."""

import datetime as dt
import time

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import pq

from encontros.postgresql import PSYCOPG_TIMESTAMPTZ_LOADER, TIMESTAMPTZ_OID, CompiledTzLoader
from encontros.postgresql.base import has_input
from events.tests.servers import wait_for

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


def test_a_live_connection_is_found_usable_without_a_query(monkeypatch):
    connection.ensure_connection()

    def no_query(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(connection.connection, "cursor", no_query)
    monkeypatch.setattr(connection.connection, "execute", no_query)

    assert connection.is_usable()


def test_a_message_the_server_sends_on_its_own_leaves_a_connection_usable():
    listener = connections.create_connection("default")
    notifier = connections.create_connection("default")
    try:
        listener.ensure_connection()
        listener.connection.execute("LISTEN encontros_health_check")
        notifier.ensure_connection()
        notifier.connection.execute("NOTIFY encontros_health_check")
        wait_for(lambda: has_input(listener.connection.fileno()), seconds=10, what="a notification")

        assert listener.is_usable()
        assert not has_input(listener.connection.fileno())
    finally:
        listener.close()
        notifier.close()


def test_a_connection_in_a_failed_transaction_is_found_unusable():
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        other.connection.execute("BEGIN")
        with pytest.raises(psycopg.errors.DivisionByZero):
            other.connection.execute("SELECT 1 / 0")

        assert not other.is_usable()
    finally:
        other.close()


def test_a_connection_the_server_ended_is_found_unusable():
    other = connections.create_connection("default")
    other.ensure_connection()
    try:
        assert other.is_usable()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [other.connection.info.backend_pid])
        wait_for(lambda: has_input(other.connection.fileno()), seconds=10, what="the close")
        # The server's last message and the end of the stream have both arrived.
        time.sleep(0.5)

        assert not other.is_usable()
    finally:
        other.close()

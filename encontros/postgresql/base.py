"""The site's PostgreSQL backend: django-prometheus's (query and error counts on
the metrics port), with a health check that costs no round trip."""

import select

import psycopg
from django_prometheus.db.backends.postgresql import base
from psycopg import pq

# Transaction states in which a connection can take a query: idle, or inside a
# transaction that has not failed (not ACTIVE, with a result still pending, nor
# INERROR, which only a rollback leaves).
READY_STATES = {pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS}
# Reads of what a live connection was sent while it waited, before giving up on it.
MAX_READS = 5


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        """Whether the connection can still serve queries (CONN_HEALTH_CHECKS asks
        before a request's first query), told without a round trip: Django's own
        check sends `SELECT 1` on every request that reads the database.

        A connection the server closed (a restart, a terminated session) has
        something to read while it waits for a query: the server's last message,
        then the end of the stream. What a server sends on its own to a live
        connection (a notice, a notification, a changed setting) is read and
        leaves it usable. A server that vanished without closing (a host lost
        without a word) is not seen here: the next query fails, and the
        connection is replaced after that request.
        """
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status not in READY_STATES:
            return False
        try:
            descriptor = connection.fileno()
            # A read takes what has arrived: after a server's last message, the
            # end of the stream is only seen (and raises) by the next one.
            for _read in range(MAX_READS):
                if not has_input(descriptor):
                    return connection.pgconn.status == pq.ConnStatus.OK
                connection.pgconn.consume_input()
        except (psycopg.Error, OSError, ValueError):
            return False
        # Still more to read: something is wrong; a new connection is cheap.
        return False


def has_input(descriptor):
    """Whether the socket has something to read (or was closed), without waiting;
    poll() where there is one, since select() refuses descriptors above 1023."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(descriptor, select.POLLIN)
        return bool(poller.poll(0))
    readable, _writable, _failed = select.select([descriptor], [], [], 0)
    return bool(readable)

"""The site's PostgreSQL backend: django-prometheus's (query and error counts on
the metrics port), with a health check that costs no round trip."""

import select

from django_prometheus.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        """Whether the connection can still serve queries (CONN_HEALTH_CHECKS asks
        before a request's first query), told from its socket: Django's own check
        sends `SELECT 1`, a round trip on every request that reads the database.

        A connection the server closed (a restart, a failover, an ended session)
        has something to read while it waits for a query: the server's last
        message, then the end of the stream. Such a connection, or one psycopg
        already knows to be broken, is closed and a new one is made.
        """
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        return not readable

"""The site's PostgreSQL backend (the DATABASES engine, see base.py), and
timestamps read by psycopg's compiled code.

Django reads `timestamptz` values with a loader derived from psycopg's
pure-Python one (it needs to set the time zone of the values), so with
psycopg[binary] every timestamp of every row is still parsed in Python: about
six per event, over a tenth of what a list page costs to render. The loader
registered here keeps Django's behaviour (the same values, in the same zone) and
lets psycopg's own loader, the compiled one when installed, parse them.
"""

from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import adapters, pq
from psycopg.postgres import types

TIMESTAMPTZ_OID = types["timestamptz"].oid
# What psycopg registers for timestamptz: its C implementation when there is one.
PSYCOPG_TIMESTAMPTZ_LOADER = adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)


class CompiledTzLoader(BaseTzLoader):
    """Django's loader (its `timezone`, which Django's cursors check before
    registering their own), parsing with psycopg's registered loader."""

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.parse = PSYCOPG_TIMESTAMPTZ_LOADER(oid, context).load

    def load(self, data):
        return self.parse(data).replace(tzinfo=self.timezone)


def use_compiled_timestamp_loader(sender, connection, **kwargs):
    """Connected to connection_created: each new PostgreSQL connection reads
    timestamps with CompiledTzLoader, in the zone Django gives the connection."""
    if connection.vendor != "postgresql":
        return
    loader = type("CompiledTzLoader", (CompiledTzLoader,), {"timezone": connection.timezone})
    connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, loader)

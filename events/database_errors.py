"""What a database error means: an outage, or the database refusing one statement
while it keeps serving others."""

from psycopg import errors

# The transaction lost to a concurrent one and was rolled back: run again, it may succeed.
CONFLICTS = (errors.DeadlockDetected, errors.SerializationFailure)
# The statement ran into a bound (DATABASE_STATEMENT_TIMEOUT, DATABASE_LOCK_TIMEOUT).
TIMEOUTS = (errors.QueryCanceled, errors.LockNotAvailable)


def is_conflict(error):
    """A Django database error caused by a conflict with a concurrent transaction."""
    return isinstance(error.__cause__, CONFLICTS)


def is_busy(error):
    """A Django database error that is no outage: a conflict, or a statement over its bound."""
    return isinstance(error.__cause__, CONFLICTS + TIMEOUTS)

"""PostgreSQL's prepared statements across a schema change.

On PostgreSQL each connection prepares the statements it runs again (the database settings,
`LECTERN_PG_PREPARED`). PostgreSQL plans a prepared statement again by itself when a table
changes, except when the change alters what the statement returns: a migration that changes
the type of a column a statement returns (a longer `max_length`, say) makes every later run
of that statement on that connection fail with "cached plan must not change result type",
in every process started before the migration. Such a failure is one failed request or
worker cycle: the connection it happened on is closed at the end of it (`close_at`, which
Django checks after each request and the worker checks each cycle), and the next one
prepares its statements afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

FEATURE_NOT_SUPPORTED = "0A000"
STALE_PLAN = "cached plan must not change result type"


def close_after_stale_plan(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """An execute wrapper: run the statement; if PostgreSQL refuses a plan prepared before a
    schema change, have the connection closed when the request or cycle ends."""
    try:
        return execute(sql, params, many, context)
    except Exception as exc:
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == FEATURE_NOT_SUPPORTED and STALE_PLAN in str(cause):
            context["connection"].close_at = 0
        raise


def watch(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """On each new PostgreSQL connection (`connection_created`), once per wrapper."""
    if (
        connection.vendor == "postgresql"
        and close_after_stale_plan not in connection.execute_wrappers
    ):
        # First: `execute_wrapper()` blocks pop the last one when they end.
        connection.execute_wrappers.insert(0, close_after_stale_plan)

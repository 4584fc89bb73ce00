"""Readiness: may this machine take traffic? Yes when the database answers and every
migration is applied. The outbox and the scheduler are reported beside, for alerts, but
never make a machine unready: a mail backlog must not take every web machine out of its
load balancer, and a fresh start is ready before its first tick."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from lectern.operations.selectors import outbox_state, scheduler_state

logger = logging.getLogger(__name__)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _database() -> dict[str, Any]:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        # The error is logged in full; the public answer names only its kind.
        logger.error("readiness: the database does not answer: %s", exc)
        connection.close()
        return {
            "ok": False,
            "error": f"the database does not answer ({type(exc).__name__})",
        }
    return {"ok": True, "vendor": connection.vendor}


def _migrations() -> dict[str, Any]:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.error("readiness: cannot read the applied migrations: %s", exc)
        return {"ok": False, "error": f"cannot read the applied migrations ({type(exc).__name__})"}
    unapplied = [f"{m.app_label}.{m.name}" for m, backwards in plan if not backwards]
    if unapplied:
        return {
            "ok": False,
            "error": f"{len(unapplied)} migration(s) not applied; run `lectern migrate`",
            "unapplied": unapplied,
        }
    return {"ok": True}


def readiness(*, now: datetime) -> tuple[bool, dict[str, Any]]:
    """Return (ready, checks). `database` and `migrations` decide; `outbox` and
    `scheduler` inform (`ok` is absent from them on purpose)."""
    checks: dict[str, Any] = {"database": _database()}
    if not checks["database"]["ok"]:
        checks["migrations"] = {"ok": False, "error": "not checked: no database"}
        return False, checks
    checks["migrations"] = _migrations()
    try:
        outbox, scheduler = outbox_state(now=now), scheduler_state(now=now)
    except DatabaseError as exc:  # tables missing before the first migrate
        logger.warning("readiness: cannot read the outbox or the scheduler: %s", exc)
        checks["outbox"] = checks["scheduler"] = {"error": type(exc).__name__}
        return False, checks
    checks["outbox"] = {
        "due": outbox.due,
        "oldest_due_at": _iso(outbox.oldest_due_at),
        "oldest_due_age_seconds": outbox.oldest_due_age_seconds,
        "failed": outbox.failed,
        "bounced": outbox.bounced,
        "backing_up": outbox.backing_up,
    }
    checks["scheduler"] = {
        "last_run_at": _iso(scheduler.last_run_at),
        "seconds_since_last_run": scheduler.seconds_since,
        "last_run_seconds": scheduler.seconds,
        "silent": scheduler.silent,
    }
    ready = checks["database"]["ok"] and checks["migrations"]["ok"]
    return ready, checks

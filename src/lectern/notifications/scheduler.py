"""The scheduler: rules that write emails when their moment comes, then the sender.

`lectern tick` runs every rule once and sends what is due; `lectern serve` does it every
minute. Rules are idempotent (the outbox's unique key), so two ticks at once, on one machine
or several, write nothing twice. Each rule looks back over a window, so one missed while the
service was down runs at the next tick; each says when its moment has lost its meaning.

Each app registers its own rules with `@rule` in its `rules.py`, which its `AppConfig.ready()`
imports: the scheduler, below them, never names them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from lectern.core import clock
from lectern.core.heartbeat import TICK, heartbeat_record
from lectern.notifications.models import RuleRun
from lectern.notifications.sender import SendReport, send_due

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    name: str
    run: Callable[[datetime], int]
    every: timedelta | None = None  # None: every tick


RULES: dict[str, Rule] = {}


def rule(
    name: str, *, every: timedelta | None = None
) -> Callable[[Callable[[datetime], int]], Callable[[datetime], int]]:
    """Register a rule: a function of `now` that returns how many emails it wrote. A rule
    with `every` runs at most that often (its last run is kept in the database)."""

    def register(function: Callable[[datetime], int]) -> Callable[[datetime], int]:
        RULES[name] = Rule(name, function, every)
        return function

    return register


def _due(item: Rule, now: datetime, last_runs: dict[str, datetime]) -> bool:
    last = last_runs.get(item.name)
    return item.every is None or last is None or now - last >= item.every or last > now


@dataclass
class TickReport:
    rules: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    mail: SendReport = field(default_factory=SendReport)
    seconds: float = 0.0

    def __str__(self) -> str:
        ran = ", ".join(f"{name}: {count}" for name, count in self.rules.items()) or "none"
        lines = [f"rules: {ran}", f"mail: {self.mail}", f"took {self.seconds:.2f} s"]
        lines += [f"error in {name}: {error}" for name, error in self.errors.items()]
        return "\n".join(lines)


def tick(*, now: datetime | None = None, send: bool = True) -> TickReport:
    """Run every rule once, each in its own transaction, then send due emails."""
    now = clock.resolve(now)
    started = time.perf_counter()
    report = TickReport()
    last_runs = dict(RuleRun.objects.values_list("name", "last_run_at"))
    for name, item in RULES.items():
        if not _due(item, now, last_runs):
            continue
        try:
            with transaction.atomic():
                report.rules[name] = item.run(now)
                if item.every is not None:
                    RuleRun.objects.update_or_create(name=name, defaults={"last_run_at": now})
        except Exception as exc:
            logger.exception("rule %s failed", name)
            report.errors[name] = f"{type(exc).__name__}: {exc}"
    if send:
        report.mail = send_due(now=now)
    report.seconds = time.perf_counter() - started
    heartbeat_record(name=TICK, at=now, seconds=report.seconds)  # readiness and metrics read it
    return report

"""GET /api/v1/metrics: Prometheus' text format.

Two sources, chosen so that counters hold across gunicorn's workers and across machines:
- read from the database at scrape time (`DatabaseCollector`): registrations, the outbox,
  emails sent, failed and bounced, the scheduler's last tick, seats. These are the same on
  every machine; alert on them with `max()`, not `sum()`.
- counted by each web process (`lectern.core.metrics`): requests, latency, refusals. Under
  `lectern serve` the library's multiprocess mode adds up the machine's workers; each
  machine is its own scrape target.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Sum
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from lectern.memberships.models import Membership
from lectern.notifications.models import MessageStatus
from lectern.operations.selectors import outbox_state, scheduler_state
from lectern.registrations.models import Registration, RegistrationStatus

SEAT_STATES = ("granted", "reserved", "used", "rolled_out")


class DatabaseCollector(Collector):
    """Figures read from the database when Prometheus scrapes (a handful of grouped queries)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        yield from self._registrations()
        yield from self._outbox()
        yield from self._scheduler()
        yield from self._seats()

    def _registrations(self) -> Iterator[Metric]:
        counts = dict(
            Registration.objects.order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        total = CounterMetricFamily(
            "lectern_registrations", "Registrations ever made (each holds or held a seat)."
        )
        total.add_metric([], sum(counts.values()))
        yield total
        by_status = GaugeMetricFamily(
            "lectern_registrations_by_status",
            "Registrations by their status now.",
            labels=["status"],
        )
        for status in RegistrationStatus.values:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status

    def _outbox(self) -> Iterator[Metric]:
        outbox = outbox_state(now=self.now)
        by_status = GaugeMetricFamily(
            "lectern_outbox_messages", "Emails in the outbox by status.", labels=["status"]
        )
        for status, n in outbox.by_status.items():
            by_status.add_metric([status], n)
        yield by_status
        yield GaugeMetricFamily(
            "lectern_outbox_due_messages", "Pending emails whose time has come.", value=outbox.due
        )
        yield GaugeMetricFamily(
            "lectern_outbox_oldest_due_age_seconds",
            "How long the oldest due email has waited (0 when none waits).",
            value=outbox.oldest_due_age_seconds or 0.0,
        )
        for name, status, text in (
            ("sent", MessageStatus.SENT, "Emails sent."),
            ("failed", MessageStatus.FAILED, "Emails that failed for good after every attempt."),
            ("bounced", MessageStatus.BOUNCED, "Emails sent, then returned as undeliverable."),
        ):
            family = CounterMetricFamily(f"lectern_emails_{name}", text)
            family.add_metric([], outbox.by_status.get(status, 0))
            yield family

    def _scheduler(self) -> Iterator[Metric]:
        scheduler = scheduler_state(now=self.now)
        if scheduler.last_run_at is None:
            return  # never ran: absent, so that `absent()` alerts can tell
        yield GaugeMetricFamily(
            "lectern_tick_last_run_timestamp_seconds",
            "When the scheduler's last tick finished (Unix time).",
            value=scheduler.last_run_at.timestamp(),
        )
        yield GaugeMetricFamily(
            "lectern_tick_duration_seconds",
            "How long the scheduler's last tick took.",
            value=scheduler.seconds or 0.0,
        )

    def _seats(self) -> Iterator[Metric]:
        today = self.now.date()
        totals = Membership.objects.filter(start_date__lte=today, end_date__gte=today).aggregate(
            **{state: Sum(f"seats_{state}") for state in SEAT_STATES}
        )
        family = GaugeMetricFamily(
            "lectern_seats",
            "Seats of the memberships active today, by state (from their ledgers).",
            labels=["state"],
        )
        for state in SEAT_STATES:
            family.add_metric([state], totals[state] or 0)
        available = (totals["granted"] or 0) - sum(
            totals[state] or 0 for state in ("reserved", "used", "rolled_out")
        )
        family.add_metric(["available"], available)
        yield family


def metrics_text(*, now: datetime) -> bytes:
    """The exposition: this process's (or this machine's workers') counters, then the
    database's figures."""
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(now))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        return generate_latest(processes) + generate_latest(database)
    return generate_latest(REGISTRY) + generate_latest(database)

"""What each web process counts itself: requests, their latency, and refusals.

Everything else the metrics show (registrations, the outbox, emails, the scheduler, seats)
is read from the database at scrape time (`lectern.operations.metrics`), so it is the same
whichever process or machine answers. These counters are per process; under gunicorn
`lectern serve` sets `PROMETHEUS_MULTIPROC_DIR` before any worker starts, and the client
library's multiprocess mode adds up every worker of the machine (one file per worker in
that folder, emptied when `serve` starts).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from prometheus_client import Counter, Histogram, disable_created_metrics, multiprocess

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
disable_created_metrics()  # type: ignore[no-untyped-call]  # a `_created` series per label set doubles the output for nothing

REQUESTS = Counter(
    "lectern_http_requests",
    "HTTP requests answered, by method, route (the URL pattern, never the path) and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "lectern_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route.",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REFUSALS = Counter(
    "lectern_refusals",
    "Requests refused with a domain error, by its stable code and the route.",
    ["code", "route"],
)


def route_of(request: object) -> str:
    """The URL pattern that answered (`api/v1/registrations/<int:registration_id>`), or
    `unmatched`: a label with a bounded set of values and no personal data."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    return f"/{route}" if route else "unmatched"


def metrics_folder_reset() -> None:
    """Empty the folder when `serve` starts: counts of an earlier run are not this one's."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def metrics_worker_exit(server: Any, worker: Any) -> None:
    """gunicorn's `child_exit` hook: a dead worker's live gauges stop counting (its
    counters stay, as counters must)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]

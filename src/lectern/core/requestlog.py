"""One log line per request, and a request id that every log line written while answering
it carries (the services' own lines included), so an operator can follow one request.

The id comes from the proxy's `X-Request-ID` when it has a sane shape (so the proxy's log
and ours share it), else a fresh one; the response sends it back in `X-Request-ID`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from lectern.core.logmask import mask_path
from lectern.core.metrics import LATENCY, REQUESTS, route_of

# Metric labels take these as sent; any other method is "other", so a client cannot make
# series without end by inventing methods.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

logger = logging.getLogger("lectern.request")

REQUEST_ID: ContextVar[str | None] = ContextVar("lectern_request_id", default=None)
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request being answered (`-` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return True


class RequestLogMiddleware:
    """Outermost middleware: set the request id, time the request, count it, log it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if ACCEPTED_ID.match(given) else uuid.uuid4().hex
        reset = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            self._record(request, response.status_code, seconds)
            response["X-Request-ID"] = request_id
            return response
        except Exception:
            self._record(request, 500, time.perf_counter() - started)
            raise
        finally:
            REQUEST_ID.reset(reset)

    @staticmethod
    def _record(request: HttpRequest, status: int, seconds: float) -> None:
        route = route_of(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        LATENCY.labels(method=method, route=route).observe(seconds)
        path = mask_path(request.path, request.META.get("QUERY_STRING", ""))
        milliseconds = round(seconds * 1000, 1)
        logger.info(
            "%s %s %s %.1fms",
            method,
            path,
            status,
            milliseconds,
            extra={
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "duration_ms": milliseconds,
            },
        )

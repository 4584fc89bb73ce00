"""The JSON API at /api/v1: authentication, the error shape, and every app's routes."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from prometheus_client import CONTENT_TYPE_LATEST
from psycopg.errors import NumericValueOutOfRange

from lectern.accounts.services import token_authenticate
from lectern.certificates.api import router as certificates_router
from lectern.checkout.api import router as checkout_router
from lectern.checkout_sessions.api import router as checkout_sessions_router
from lectern.core import clock
from lectern.core.errors import DomainError, RateLimited, Unauthenticated
from lectern.core.metrics import REFUSALS, route_of
from lectern.core.permissions import Principal, principal, require_staff
from lectern.core.schemas import refusals
from lectern.events.api import router as events_router
from lectern.exports.api import router as exports_router
from lectern.memberships.api import router as memberships_router
from lectern.notifications.api import router as notifications_router
from lectern.operations.api import MetricsTokenAuth
from lectern.operations.api import router as operations_router
from lectern.operations.metrics import metrics_text
from lectern.registrations.api import router as registrations_router
from lectern.registrations.selectors import registration_for_token, trainee_for_token
from lectern.registrations.tokens import trainee_id_of
from lectern.trainers.api import router as trainers_router

logger = logging.getLogger(__name__)


class BearerAuth(HttpBearer):
    """Resolve the caller: anonymous without a header, a user for a valid bearer token.

    A header that is present but wrong is refused (401) rather than treated as anonymous,
    so that a client with a revoked token learns it at once.
    """

    def __call__(self, request: HttpRequest) -> Principal:
        header = request.headers.get("Authorization")
        if not header:
            return Principal.anonymous()
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Principal:
        if token.startswith("lr_"):
            registration = registration_for_token(token)
            if registration is None:
                raise Unauthenticated("This manage link is not valid.", code="invalid_token")
            return Principal.trainee(registration.pk)
        if trainee_id_of(token) is not None:
            # A personal link's token (lt_<id>_<40 hex>). Users' API tokens share the `lt_`
            # prefix but not this shape; one that still matched falls through to them.
            trainee = trainee_for_token(token)
            if trainee is not None:
                return Principal.personal(trainee.pk)
        user = token_authenticate(token)
        if user is None:
            raise Unauthenticated(
                "This token or personal link is not valid, or it was revoked or replaced.",
                code="invalid_token",
            )
        return Principal(user=user)


api = NinjaAPI(
    title="Lectern API",
    version="1",
    description="Instructor training for member organisations. Errors have the shape "
    '`{"error": {"code", "message", "fields"?}}`.',
    auth=BearerAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    REFUSALS.labels(code=exc.code, route=route_of(request)).inc()
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form"}:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(list(error.get("loc", []))), []).append(
            str(error.get("msg", "Invalid value."))
        )
    names = ", ".join(sorted(fields))
    REFUSALS.labels(code="validation_error", route=route_of(request)).inc()
    body = {
        "code": "validation_error",
        "message": f"Some fields are not valid: {names}.",
        "fields": fields,
    }
    return api.create_response(request, {"error": body}, status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return on_domain_error(request, Unauthenticated())


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        code, message = "invalid_json", "The request body is not valid JSON."
    else:
        code, message = f"http_{exc.status_code}", str(exc)
    body = {"code": code, "message": message}
    return api.create_response(request, {"error": body}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    body = {"code": "not_found", "message": "Not found."}
    return api.create_response(request, {"error": body}, status=404)


def _out_of_range(exc: Exception) -> bool:
    """A number too large for the database: SQLite's driver cannot bind it, PostgreSQL
    refuses it for the column."""
    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and isinstance(exc.__cause__, NumericValueOutOfRange)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if _out_of_range(exc):  # the transaction it happened in has been rolled back
        body = {"code": "validation_error", "message": "A number in the request is too large."}
        return api.create_response(request, {"error": body}, status=422)
    logger.exception("unexpected error on %s %s", request.method, request.path)
    if settings.DEBUG_PROPAGATE_EXCEPTIONS:
        raise exc
    body = {
        "code": "internal_error",
        "message": "Something went wrong on our side. "
        "It has been logged; try again or contact the programme staff.",
    }
    return api.create_response(request, {"error": body}, status=500)


class HealthOut(Schema):
    status: str


@api.get("/health", response=HealthOut, auth=None, tags=["service"])
def health(request: HttpRequest) -> dict[str, str]:
    """Answer without touching the database: a liveness probe for load balancers."""
    return {"status": "ok"}


@api.get(
    "/metrics",
    auth=[MetricsTokenAuth(), BearerAuth()],
    response={200: None, **refusals(403)},
    tags=["service"],
    openapi_extra={
        "responses": {
            "200": {
                "description": "Prometheus' text format; metric names start with `lectern_`.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format, for a staff token or `LECTERN_METRICS_TOKEN`."""
    require_staff(principal(request))  # the metrics token acts as the system, which may
    return HttpResponse(metrics_text(now=clock.now()), content_type=CONTENT_TYPE_LATEST)


api.add_router("", operations_router)
api.add_router("", memberships_router)
api.add_router("", events_router)
api.add_router("", notifications_router)
api.add_router("", registrations_router)
api.add_router("", checkout_router)
api.add_router("", checkout_sessions_router)
api.add_router("", trainers_router)
api.add_router("", certificates_router)
api.add_router("", exports_router)

"""Replay the first response to an API POST that repeats its `Idempotency-Key`.

A client that lost a response (timeout, dropped connection) can send the same request again
with the same key and is sure it acts once. The key is scoped to the caller's credentials.
A key reused with a different body is refused; a repeat that arrives while the first is
still running is told to wait.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from lectern.core import clock
from lectern.core.models import IdempotencyRecord

API_PREFIX = "/api/v1/"


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if not key or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(key) > 255:
            return _error(422, "validation_error", "Idempotency-Key is longer than 255 characters.")
        caller = hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()
        request_hash = hashlib.sha256(request.path.encode() + b"\0" + request.body).hexdigest()
        now = clock.now()
        hours: int = settings.LECTERN["IDEMPOTENCY_KEY_HOURS"]
        horizon = now - timedelta(hours=hours)
        IdempotencyRecord.objects.filter(caller=caller, key=key, created_at__lt=horizon).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    key=key,
                    caller=caller,
                    path=request.path,
                    request_hash=request_hash,
                    created_at=now,
                )
        except IntegrityError:
            return self._replay(caller, key, request_hash)
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            record.delete()
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body"])
        return response

    def _replay(self, caller: str, key: str, request_hash: str) -> HttpResponse:
        record = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if record is None or record.status_code is None:
            return _error(
                409,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed.",
            )
        if record.request_hash != request_hash:
            return _error(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
            )
        response = HttpResponse(
            bytes(record.body),
            status=record.status_code,
            content_type=record.content_type or "application/json",
        )
        response["Idempotent-Replayed"] = "true"
        return response

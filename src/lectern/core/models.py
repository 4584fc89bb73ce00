from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what to which object, and why: written by the service that did it."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an `Idempotency-Key`, replayed on repeats."""

    key = models.CharField(max_length=255)
    caller = models.CharField(max_length=64, help_text="Hash of the credentials that sent it.")
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.path}"


class RateCount(models.Model):
    """How many times something was done in one fixed window, per (scope, bucket).

    The bucket is a digest of what is counted (an address, a client), so that counters hold
    no personal data. Written only by `lectern.core.ratelimit`, in one atomic statement."""

    scope = models.CharField(max_length=32)
    bucket = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "bucket", "window_start"], name="ratecount_unique_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.bucket[:8]} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class Heartbeat(models.Model):
    """When a recurring job last finished and how long it took (the scheduler's tick), so
    that readiness, metrics and the staff banner on any machine can tell it is alive."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S} ({self.seconds:.2f} s)"

from __future__ import annotations

from django.db import models


class Certificate(models.Model):
    """An instructor award: its number is kept for life, through re-issues and revocation."""

    trainee = models.OneToOneField(
        "registrations.Trainee", on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(max_length=32, unique=True)
    awarded_on = models.DateField()
    name_on_certificate = models.CharField(max_length=200)
    issued_at = models.DateTimeField()
    reissued_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.number

    @property
    def valid(self) -> bool:
        return self.revoked_at is None

from __future__ import annotations

from django.db import models


class Certificate(models.Model):
    """An instructor award. Its number is kept through revocation; a re-issue with a
    corrected name takes a new number and keeps the old one as `SupersededCertificate`."""

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


class SupersededCertificate(models.Model):
    """A number that was replaced by a re-issue: verifying it says it was superseded."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="superseded"
    )
    number = models.CharField(max_length=32, unique=True)
    name_on_certificate = models.CharField(max_length=200)
    awarded_on = models.DateField()
    superseded_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.number} (superseded by {self.certificate.number})"

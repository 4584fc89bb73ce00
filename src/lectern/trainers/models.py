"""The trainer pool: each trainer's profile and the days they can teach."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrainerProfile(models.Model):
    """What staff need to staff an event: the languages a trainer teaches in and their zone.
    (Name and email are the user's; events taught and demos hosted are read from them.)"""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profile"
    )
    languages = models.CharField(
        max_length=100, default="en", help_text="Language codes, comma-separated (en,es)."
    )
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA zone.")

    def __str__(self) -> str:
        return f"trainer profile of {self.user}"

    @property
    def language_list(self) -> list[str]:
        return [code for code in (c.strip() for c in self.languages.split(",")) if code]


class Availability(models.Model):
    """Days a trainer can teach in a quarter: one day, or a week (Monday to Sunday)."""

    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    quarter = models.CharField(max_length=7, help_text="2027-Q1")
    first_day = models.DateField()
    last_day = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["first_day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "first_day", "last_day"], name="availability_once"
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="availability_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainer} {self.first_day}..{self.last_day}"

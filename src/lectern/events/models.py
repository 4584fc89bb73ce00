"""Training events and their sessions. Instants are stored in UTC; the zone is the event's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("event status", "Scheduled")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")
    COMPLETED = "completed", pgettext_lazy("event status", "Completed")


class Event(models.Model):
    """A two-day online instructor training.

    `first_start`, `last_end` and `first_local_date` are copies of what the sessions say,
    written only by `events.services` when sessions change, so that the calendar can filter
    and sort in the database. `places_taken` is the running count of confirmed registrations,
    written only by the registration services under a lock of this row.

    The deadline columns (`registration_closes_at` ... `attendance_closes_at`) are the instants
    `events.deadlines` computes from the sessions and the zone, written with them, so that
    scheduled rules and lists filter on the exact instant. `enrolment_decided_at` and
    `enrolment_at_decision` record the low-enrolment decision, taken once.
    """

    title = models.CharField(max_length=200)
    timezone = models.CharField(
        max_length=64, verbose_name="time zone", help_text="IANA zone, e.g. America/New_York"
    )
    capacity = models.PositiveIntegerField()
    min_enrolment = models.PositiveIntegerField()
    places_taken = models.PositiveIntegerField(default=0)
    meeting_url = models.URLField(
        max_length=500, blank=True, help_text="Private: confirmed trainees only."
    )
    preparation_notes = models.TextField(blank=True, help_text="Requirements and homework.")
    language = models.CharField(max_length=16, default="en")
    public = models.BooleanField(default=True)
    membership = models.ForeignKey(
        "memberships.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="in_house_events",
        help_text="Set for an in-house event of one membership.",
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="events_taught"
    )
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    run_regardless = models.BooleanField(default=False, help_text="Never cancel for low enrolment.")
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    first_start = models.DateTimeField(db_index=True)
    last_end = models.DateTimeField()
    first_local_date = models.DateField(db_index=True, verbose_name="first day (local)")
    registration_closes_at = models.DateTimeField(db_index=True)
    enrolment_decision_at = models.DateTimeField(db_index=True)
    trainer_notice_at = models.DateTimeField()
    emergency_closes_at = models.DateTimeField()
    attendance_closes_at = models.DateTimeField(db_index=True)
    enrolment_decided_at = models.DateTimeField(
        null=True, blank=True, help_text="When the low-enrolment decision was taken."
    )
    enrolment_at_decision = models.PositiveIntegerField(
        null=True, blank=True, help_text="Confirmed registrations when it was taken."
    )
    change_sequence = models.PositiveIntegerField(
        default=0,
        help_text="Rises with each change people are told of: the calendar invitations' "
        "SEQUENCE, and the key of each change's emails.",
    )
    sessions_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sessions last changed after scheduling."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["first_start", "id"]
        indexes = [models.Index(fields=["status", "public", "first_local_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="event_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(places_taken__lte=models.F("capacity")),
                name="event_not_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.first_local_date:%Y-%m-%d})"

    @property
    def places_left(self) -> int:
        """Places not taken by confirmed registrations (the API calls it `seats_left`)."""
        return max(self.capacity - self.places_taken, 0)


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}Z-{self.end:%H:%M}Z"

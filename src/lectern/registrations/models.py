"""Trainees, their registrations for events, the waiting list, and failed code attempts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from lectern.registrations.tokens import new_nonce

TECHNOLOGIES = ("r", "python", "shell", "sql", "openrefine", "spreadsheets", "git")
TECHNOLOGY_LABELS = {
    "r": "R",
    "python": "Python",
    "shell": "Unix shell",
    "sql": "SQL",
    "openrefine": "OpenRefine",
    "spreadsheets": "Spreadsheets",
    "git": "Git",
}


class UsageFrequency(models.TextChoices):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    LESS = "less", "less than monthly"


class Trainee(models.Model):
    """A person who registers for training, identified by email."""

    email = models.EmailField(unique=True, help_text="Stored in lower case.")
    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=200)
    country = CountryField()
    timezone = models.CharField(max_length=64, blank=True, help_text="The trainee's own zone.")
    technologies = models.JSONField(default=list)
    usage_frequency = models.CharField(max_length=16, choices=UsageFrequency.choices)
    carpentries_experience = models.JSONField(default=list)
    teaching_experience = models.TextField(blank=True)
    directory_consent = models.BooleanField(default=False)
    github = models.CharField(max_length=39, blank=True, help_text="GitHub user name.")
    orcid = models.CharField(max_length=19, blank=True, help_text="e.g. 0000-0002-1825-0097")
    website = models.URLField(max_length=300, blank=True)
    link_nonce = models.CharField(
        max_length=32,
        default=new_nonce,
        help_text="Part of the personal link's signature; change it to replace the link.",
    )
    created_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="The record this one was merged into (the same person); this one is unused.",
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("registration status", "Confirmed")
    # a coordinator's team registration
    PENDING_DETAILS = "pending_details", pgettext_lazy("registration status", "pending details")
    # pending at the cutoff: place and seat given back
    RELEASED = "released", pgettext_lazy("registration status", "Released")
    WITHDRAWN = "withdrawn", pgettext_lazy("registration status", "Withdrawn")
    FORFEITED = "forfeited", pgettext_lazy("registration status", "Forfeited")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")
    ATTENDED = "attended", pgettext_lazy("registration status", "Attended")
    FAILED = "failed", pgettext_lazy("registration status", "Failed")


# The statuses that hold a place at the event and a seat of the membership: one at a time
# per trainee ("one active registration").
HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_DETAILS)


class Registration(models.Model):
    """A trainee's place at an event, holding one seat of a membership."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, related_name="registrations"
    )
    membership = models.ForeignKey(
        "memberships.Membership", on_delete=models.PROTECT, related_name="registrations"
    )
    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(
        max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    manage_nonce = models.CharField(
        max_length=32, help_text="Part of the manage link's signature; change it to revoke."
    )
    advisories = models.JSONField(default=list)
    override_reason = models.TextField(blank=True)
    submitted_details = models.JSONField(
        default=dict,
        blank=True,
        help_text="The details typed with this registration; the trainee's own change only "
        "when they confirm them through their emailed link, or by staff.",
    )
    free_change_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After its event's sessions changed: until then it may be withdrawn or "
        "moved without forfeiting, even past the cutoff.",
    )
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee"],
                condition=models.Q(status__in=["confirmed", "pending_details"]),
                name="one_active_registration_per_trainee",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["membership", "status"]),
            # The few team registrations still waiting for their details, which the
            # scheduler looks for every minute (`team_details_release`) among all of them.
            models.Index(
                fields=["event"],
                condition=models.Q(status="pending_details"),
                name="registration_pending_details",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} at {self.event} ({self.status})"

    @property
    def holds_place(self) -> bool:
        """Confirmed, or waiting for the trainee's details: a place and a seat are held."""
        return self.status in HOLDING

    @property
    def submitted_name(self) -> str:
        """The name given with this registration (pages about one registration show it)."""
        if self.trainee.erased_at is not None:
            return self.trainee.name
        return str(self.submitted_details.get("name") or self.trainee.name)

    @property
    def submitted_email(self) -> str:
        return self.trainee.email

    @property
    def submitted_affiliation(self) -> str:
        if self.trainee.erased_at is not None:
            return self.trainee.affiliation
        return str(self.submitted_details.get("affiliation") or self.trainee.affiliation)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("waiting list status", "Waiting")
    OFFERED = "offered", pgettext_lazy("waiting list status", "Offered")
    ACCEPTED = "accepted", pgettext_lazy("waiting list status", "Accepted")
    EXPIRED = "expired", pgettext_lazy("waiting list status", "Expired")
    ENDED = "ended", pgettext_lazy("waiting list status", "Ended")


class WaitlistEntry(models.Model):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="waitlist")
    membership = models.ForeignKey(
        "memberships.Membership", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(
        max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offer_digest = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_details = models.JSONField(
        default=dict, blank=True, help_text="The details typed when joining the list."
    )
    registration = models.OneToOneField(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entry",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waiting-list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "trainee"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} waiting for {self.event} ({self.status})"

    @property
    def submitted_name(self) -> str:
        if self.trainee.erased_at is not None:
            return self.trainee.name
        return str(self.submitted_details.get("name") or self.trainee.name)

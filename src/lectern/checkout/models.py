"""After the training: attendance, the checkout steps, extensions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SessionAttendance(models.Model):
    """Minutes a trainee missed of one session (the whole session when absent)."""

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.ForeignKey(
        "events.Session", on_delete=models.CASCADE, related_name="attendance"
    )
    minutes_missed = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="attendance_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}/{self.session_id}: {self.minutes_missed} min"


class AttendanceOutcome(models.Model):
    """The result of attendance for one registration."""

    registration = models.OneToOneField(
        "registrations.Registration", on_delete=models.CASCADE, related_name="outcome"
    )
    minutes_missed = models.PositiveIntegerField()
    passed = models.BooleanField()
    no_show = models.BooleanField(default=False)
    made_up = models.BooleanField(default=False, help_text="A makeup meeting was recorded.")
    revision = models.PositiveIntegerField(
        default=1, help_text="Rises with each change of result; the email's deduplication key."
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=254)

    def __str__(self) -> str:
        return f"{self.registration_id}: {'passed' if self.passed else 'failed'}"


class CheckoutStatus(models.TextChoices):
    # Labels in the page's or email's language, the same English words as before
    IN_PROGRESS = "in_progress", pgettext_lazy("checkout status", "In Progress")
    EXPIRED = "expired", pgettext_lazy("checkout status", "Expired")
    CERTIFIED = "certified", pgettext_lazy("checkout status", "Certified")


class Checkout(models.Model):
    """A trainee's checkout after passing the training: steps to pass before a deadline."""

    trainee = models.OneToOneField(
        "registrations.Trainee", on_delete=models.CASCADE, related_name="checkout"
    )
    registration = models.ForeignKey(
        "registrations.Registration",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The training passed.",
    )
    status = models.CharField(
        max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.IN_PROGRESS
    )
    deadline = models.DateField(help_text="Last day, inclusive, in the event's time zone.")
    started_at = models.DateTimeField()
    certified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"checkout of {self.trainee} ({self.status})"


class StepState(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("checkout step state", "Not Started")
    SUBMITTED = "submitted", pgettext_lazy("checkout step state", "Submitted")
    PASSED = "passed", pgettext_lazy("checkout step state", "Passed")
    ASKED_TO_REPEAT = "asked_to_repeat", pgettext_lazy("checkout step state", "Asked To Repeat")
    FAILED = "failed", pgettext_lazy("checkout step state", "Failed")


# The steps' names for people (a requirement not named here reads as its code, capitalised)
REQUIREMENT_LABELS = {
    "welcome_session": _("Welcome session"),
    "get_involved": _("Get involved"),
    "teaching_demo": _("Teaching demo"),
}


class Step(models.Model):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="steps")
    requirement = models.CharField(max_length=32)
    state = models.CharField(
        max_length=16, choices=StepState.choices, default=StepState.NOT_STARTED
    )
    updated_at = models.DateTimeField()
    evaluated_by = models.CharField(max_length=254, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout", "requirement"], name="step_once_per_checkout"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement}: {self.state}"

    @property
    def label(self) -> str:
        known = REQUIREMENT_LABELS.get(self.requirement)
        return str(known) if known else self.requirement.replace("_", " ").capitalize()


class ActivityKind(models.TextChoices):
    SERVED = "served", _("served as instructor or helper")
    GITHUB = "github", _("GitHub contribution")
    MEETING = "meeting", _("community meeting")
    OTHER = "other", pgettext_lazy("Get Involved activity", "other")


class Evidence(models.Model):
    """What a trainee submitted for a step (e.g. a Get Involved activity)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices, blank=True)
    date = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind or 'evidence'} {self.date}"


class Extension(models.Model):
    checkout = models.ForeignKey(Checkout, on_delete=models.CASCADE, related_name="extensions")
    previous_deadline = models.DateField()
    new_deadline = models.DateField()
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_by_label = models.CharField(max_length=254)
    granted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.previous_deadline} -> {self.new_deadline}"

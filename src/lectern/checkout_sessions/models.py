"""Welcome sessions and teaching demos: short online sessions on a calendar of their own.

`places_taken` is the running count of sign-ups that hold a place (signed up, or with a
result), written only by `checkout_sessions.services` under the session's row lock
(`core.locking.lock`); a check constraint keeps it at or below the capacity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SessionKind(models.TextChoices):
    WELCOME_SESSION = "welcome_session", _("welcome session")
    TEACHING_DEMO = "teaching_demo", _("teaching demo")


class CheckoutSessionStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class CheckoutSession(models.Model):
    """One welcome session or teaching demo: its host, times (UTC; entered in its zone),
    capacity and meeting link (shown only to those signed up, the host and staff)."""

    kind = models.CharField(max_length=32, choices=SessionKind.choices)
    title = models.CharField(max_length=200, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkout_sessions_hosted"
    )
    timezone = models.CharField(max_length=64, help_text="IANA zone, e.g. Europe/Berlin")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    places_taken = models.PositiveIntegerField(default=0)
    meeting_url = models.URLField(max_length=500, help_text="Private: those signed up only.")
    language = models.CharField(max_length=16, default="en")
    status = models.CharField(
        max_length=16,
        choices=CheckoutSessionStatus.choices,
        default=CheckoutSessionStatus.SCHEDULED,
    )
    cancel_reason = models.TextField(blank=True, help_text="Told to the trainees signed up.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="checkout_session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(places_taken__lte=models.F("capacity")),
                name="checkout_session_not_overbooked",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="checkout_session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}Z"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def label(self) -> str:
        return self.title or self.get_kind_display().capitalize()


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", pgettext_lazy("session sign-up status", "signed up")
    LEFT = "left", pgettext_lazy("session sign-up status", "left")
    # The place given back for the trainee: the session was cancelled, or their checkout closed
    RELEASED = "released", pgettext_lazy("session sign-up status", "released")
    ATTENDED = "attended", pgettext_lazy("session sign-up status", "attended")  # welcome session
    ABSENT = "absent", pgettext_lazy("session sign-up status", "absent")
    # a teaching demo's results, as the step's states
    PASSED = "passed", pgettext_lazy("session sign-up status", "passed")
    ASKED_TO_REPEAT = "asked_to_repeat", pgettext_lazy("session sign-up status", "asked to repeat")
    FAILED = "failed", pgettext_lazy("session sign-up status", "failed")


# Every status but "left" and "released" holds a place.
HOLDS_PLACE = [
    s for s in SignupStatus.values if s not in (SignupStatus.LEFT, SignupStatus.RELEASED)
]
# A result the host recorded, absent included: the session happened for this trainee.
HAS_RESULT = [s for s in HOLDS_PLACE if s != SignupStatus.SIGNED_UP]
# A result the host recorded that evaluates the step (absent evaluates nothing).
RESULTS_RECORDED = [
    SignupStatus.ATTENDED,
    SignupStatus.PASSED,
    SignupStatus.ASKED_TO_REPEAT,
    SignupStatus.FAILED,
]


class SessionSignup(models.Model):
    """A trainee on a session. `kind` copies the session's, so that one trainee holds at most
    one sign-up awaiting its result per kind (a partial unique constraint)."""

    session = models.ForeignKey(CheckoutSession, on_delete=models.PROTECT, related_name="signups")
    trainee = models.ForeignKey(
        "registrations.Trainee", on_delete=models.CASCADE, related_name="session_signups"
    )
    kind = models.CharField(max_length=32, choices=SessionKind.choices)
    status = models.CharField(
        max_length=16, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    signed_up_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    result_by = models.CharField(max_length=254, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    evidence = models.ForeignKey(
        "checkout.Evidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="session_signups",
        help_text="The step's evidence written when the result was recorded.",
    )

    class Meta:
        ordering = ["session__start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="signup_once_per_session"),
            models.UniqueConstraint(
                fields=["trainee", "kind"],
                condition=models.Q(status="signed_up"),
                name="one_open_signup_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee_id} on {self.session_id}: {self.status}"

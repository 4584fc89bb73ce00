"""The outbox: every email is a row first, written with the change that caused it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MessageStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BOUNCED = "bounced"  # sent, then returned as undeliverable (`lectern bounces`)


class Message(models.Model):
    """One email to one person about one object.

    (kind, object, recipient, key) is unique, so the same message can never be created twice;
    `key` tells apart the emails of one kind that are each legitimate (see `message_queue`).
    The sender claims a row by setting `claimed_until` (a lease): a sender that dies while
    holding it leaves the row to be claimed again once the lease runs out.
    """

    KEY_LENGTH = 64

    kind = models.CharField(max_length=64)
    key = models.CharField(
        max_length=KEY_LENGTH,
        blank=True,
        default="",
        help_text="What makes another email of this kind about this object legitimate.",
    )
    recipient = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=64, help_text="What the message is about.")
    object_id = models.BigIntegerField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Not sent after this: its moment has passed."
    )
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    template_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The staff wording it was written with; empty: the code's."
    )
    context = models.JSONField(
        default=dict,
        blank=True,
        help_text="The values its wording read, by path: a real example for previews.",
    )
    # db_default: servers still running the code before this column write rows without it
    written = models.BooleanField(
        db_default=True,
        default=True,
        help_text="Off until the sender writes it: the email of a kind written when it is sent "
        "has no subject, body or files before.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "recipient", "key"],
                name="message_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="pending"),
                name="message_pending_due",
            ),
            models.Index(fields=["object_type", "object_id"], name="message_object"),
            models.Index(fields=["recipient", "kind"], name="message_recipient_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"


class MessageTemplate(models.Model):
    """One version of the wording staff gave a kind of email, in one language.

    The newest version of (kind, language) is the one in use; a version with `customised`
    off is a reset: the code's templates are in use again. Versions are never changed or
    deleted, so the history stays.
    """

    kind = models.CharField(max_length=64)
    language = models.CharField(max_length=16, default="en")
    version = models.PositiveIntegerField()
    customised = models.BooleanField(default=True)
    subject = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="message_template_version_once"
            ),
        ]

    def __str__(self) -> str:
        state = "customised" if self.customised else "default"
        return f"{self.kind} ({self.language}) v{self.version}, {state}"


class RuleRun(models.Model):
    """When a scheduled rule last ran, for rules that need not run every minute."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.filename

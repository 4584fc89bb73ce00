"""Member organisations, their memberships, contacts, registration codes and seat ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


class Organization(models.Model):
    name = models.CharField(max_length=200)
    country = CountryField()
    domains = models.JSONField(default=list, blank=True, help_text="Web domains, e.g. example.edu")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"

    def __str__(self) -> str:
        return self.name


class Tier(models.TextChoices):
    BRONZE = "bronze", pgettext_lazy("membership tier", "Bronze")
    SILVER = "silver", pgettext_lazy("membership tier", "Silver")
    GOLD = "gold", pgettext_lazy("membership tier", "Gold")
    PLATINUM = "platinum", pgettext_lazy("membership tier", "Platinum")
    TITANIUM = "titanium", pgettext_lazy("membership tier", "Titanium")
    CUSTOM = "custom", pgettext_lazy("membership tier", "Custom")


class Membership(models.Model):
    """One term of membership with its seats in instructor training.

    The seat columns are the ledger's running totals, written only by
    `memberships.services.ledger_append` in the same transaction as the entry;
    `lectern check-seats` proves they equal a full recount of the entries.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name="organisation",
        help_text="The member, or the main organisation of a consortium.",
    )
    consortium = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="consortium_memberships",
        help_text="The other organisations of a consortium membership.",
    )
    tier = models.CharField(max_length=16, choices=Tier.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    registration_code = models.CharField(max_length=40, unique=True)
    seats_granted = models.IntegerField(default=0)
    seats_reserved = models.IntegerField(default=0)
    seats_used = models.IntegerField(default=0)
    seats_rolled_out = models.IntegerField(default=0)
    rolled_over_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rolled_over_to"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-start_date", "id"]
        indexes = [models.Index(fields=["start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.tier} {self.start_date:%Y-%m-%d}"

    @property
    def seats_available(self) -> int:
        return self.seats_granted - self.seats_reserved - self.seats_used - self.seats_rolled_out


class ContactRole(models.TextChoices):
    COORDINATOR = "coordinator", pgettext_lazy("contact role", "Coordinator")
    BILLING = "billing", pgettext_lazy("contact role", "Billing")


class MembershipContact(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="contacts")
    email = models.EmailField(db_index=True, help_text="Stored in lower case.")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=ContactRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "email", "role"], name="contact_unique_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> ({self.role})"


class IssuedCode(models.Model):
    """Every registration code ever issued, so that none is issued twice."""

    code = models.CharField(max_length=40, unique=True, help_text="Upper case.")
    membership = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="issued_codes"
    )
    issued_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code


class SeatEntryKind(models.TextChoices):
    GRANTED = "granted", "granted"
    RESERVED = "reserved", "reserved"
    RELEASED = "released", "released"
    USED = "used", "used"
    ROLLED_OUT = "rolled_out", "rolled over out"
    ADJUSTED = "adjusted", "adjusted"


class GrantSource(models.TextChoices):
    NONE = "", "-"
    TIER = "tier", "tier"
    PURCHASE = "purchase", "purchase"
    ROLLOVER_IN = "rollover_in", "rollover in"


class SeatEntry(models.Model):
    """One change to a membership's seats. Entries are only ever added.

    `delta` counts seats moved by this entry, read by its kind: granted and adjusted add
    to the seats granted; reserved holds seats; released gives held seats back; used turns
    held seats into used ones; rolled_out moves seats to the next term.
    """

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="ledger")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=SeatEntryKind.choices)
    source = models.CharField(max_length=16, choices=GrantSource.choices, blank=True)
    delta = models.IntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    reason = models.TextField(blank=True)
    overdraw = models.BooleanField(default=False, help_text="Staff allowed available below 0.")
    registration = models.ForeignKey(
        "registrations.Registration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seat_entries",
    )
    related_membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The other side of a rollover.",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["membership", "at"])]
        verbose_name_plural = "seat entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.delta:+d} on {self.membership_id}"

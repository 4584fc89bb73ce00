"""Kinds of email: declared once by their apps, named apart from their deduplication key."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import get_template

from lectern.notifications.kinds import Kind, Recipient, UnknownKind, kind_get, kind_register
from lectern.notifications.kinds import kinds_all as declared
from lectern.notifications.models import Message
from lectern.notifications.services import message_queue
from tests.factories import membership

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "notifications"


def test_every_template_folder_is_a_declared_kind_and_every_kind_has_its_templates() -> None:
    folders = {p.name for p in TEMPLATES.iterdir() if p.is_dir()}
    assert {kind.templates for kind in declared()} == folders
    for kind in declared():
        for name in ("subject.txt", "body.txt", "body.html"):
            get_template(f"notifications/{kind.templates}/{name}")


def test_the_kinds_the_api_names_are_declared_under_those_names() -> None:
    named = ["registration_confirmed", "preparation", "event_cancelled", "seat_forfeited"]
    named += ["checkout_reminder", "certified", "coordinator_checkin", "social_event_suggestion"]
    assert [kind_get(name).name for name in named] == named
    assert kind_get("coordinator_checkin").recipient == Recipient.COORDINATOR
    assert kind_get("event_approaching_trainer").recipient == Recipient.TRAINER
    assert kind_get("checkout_reminder").label == "Checkout reminder"


def test_a_kind_declared_again_is_harmless_and_a_different_one_is_refused() -> None:
    kind_register(kind_get("certified"))
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        kind_register(Kind("certified", "Something else", Recipient.COORDINATOR))
    with pytest.raises(ImproperlyConfigured, match="lower-case"):
        kind_register(Kind("Checkout-Reminder", "Reminder", Recipient.TRAINEE))
    assert kind_get("certified").label == "Certified (certificate attached)"
    with pytest.raises(UnknownKind):
        kind_get("Checkout-Reminder")


@pytest.mark.django_db
class TestQueueing:
    def queue(self, obj, kind="coordinator_checkin", key=""):
        return message_queue(
            kind=kind,
            key=key,
            to="coord@uni.example",
            obj=obj,
            now=NOW,
            context={"membership": obj, "months": 3},
        )

    def test_an_unknown_kind_is_refused_before_anything_is_written(self) -> None:
        with pytest.raises(UnknownKind, match="coordinator_checkin_3m"):
            self.queue(membership(), kind="coordinator_checkin_3m")
        assert not Message.objects.exists()

    def test_two_keys_are_two_emails_and_one_key_is_one(self) -> None:
        m = membership()
        assert self.queue(m, key="3m") is not None
        assert self.queue(m, key="6m") is not None
        assert self.queue(m, key="3m") is None
        assert sorted(Message.objects.values_list("kind", "key")) == [
            ("coordinator_checkin", "3m"),
            ("coordinator_checkin", "6m"),
        ]

    def test_without_a_key_an_email_is_written_once(self) -> None:
        m = membership()
        assert self.queue(m, kind="membership_welcome") is not None
        assert self.queue(m, kind="membership_welcome") is None
        assert Message.objects.count() == 1

    def test_a_key_longer_than_its_column_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at most 64"):
            self.queue(membership(), key="x" * 65)
        assert not Message.objects.exists()


@pytest.mark.django_db
def test_the_migration_moves_keys_out_of_kind_names_and_back() -> None:
    migration = importlib.import_module("lectern.notifications.migrations.0003_message_key")
    old = [
        ("checkout_reminder_30d_20270501", "checkout", 7),
        ("checkout_reminder_7d_20270501", "checkout", 7),
        ("checkout_expired_20270501", "checkout", 7),
        ("social_event_suggestion_2027q1", "membership", 3),
        ("coordinator_checkin_3m", "membership", 3),
        ("coordinator_checkin_9m", "membership", 3),
        ("registration_confirmed", "registration", 5),
    ]
    for kind, object_type, object_id in old:
        Message.objects.create(
            kind=kind,
            recipient="ada@uni.example",
            object_type=object_type,
            object_id=object_id,
            subject="s",
            body_text="b",
            due_at=NOW,
            created_at=NOW,
        )
    migration.keys_apart(apps, None)
    assert sorted(Message.objects.values_list("kind", "key")) == [
        ("checkout_expired", "20270501"),
        ("checkout_reminder", "30d_20270501"),
        ("checkout_reminder", "7d_20270501"),
        ("coordinator_checkin", "3m"),
        ("coordinator_checkin", "9m"),
        ("registration_confirmed", ""),
        ("social_event_suggestion", "2027q1"),
    ]
    migration.keys_apart(apps, None)  # a second run finds nothing left to move
    assert Message.objects.exclude(key="").count() == 6
    migration.keys_together(apps, None)
    assert sorted(Message.objects.values_list("kind", "key")) == sorted((k, "") for k, *_ in old)

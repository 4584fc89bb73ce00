"""The demo sends nothing misleading: no "you are registered" for events that are over, no
deadlines that have passed; its history's emails stay in the outbox, cancelled."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lectern.core import clock
from lectern.events.models import Event
from lectern.notifications.models import Message, MessageStatus
from lectern.registrations.models import Registration

pytestmark = pytest.mark.django_db


def test_the_demo_only_sends_what_is_true_now() -> None:
    call_command("demo")
    now = clock.now()
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    assert pending.exists()
    about_registrations = pending.filter(object_type="registration")
    assert about_registrations.filter(kind="registration_confirmed").exists()
    for message in about_registrations:
        registration = Registration.objects.select_related("event").get(pk=message.object_id)
        if message.kind in {"registration_confirmed", "registration_moved", "preparation"}:
            assert registration.event.first_start > now, message.subject
            assert registration.event.registration_closes_at > now, message.subject
    for message in pending.filter(object_type="event"):
        assert Event.objects.get(pk=message.object_id).first_start > now
    history = Message.objects.filter(status=MessageStatus.CANCELLED, last_error__startswith="demo")
    assert history.filter(kind="registration_confirmed").exists()
    assert not pending.filter(kind="attendance_result").exists()
    assert pending.filter(kind="membership_welcome").exists()  # still true: sent

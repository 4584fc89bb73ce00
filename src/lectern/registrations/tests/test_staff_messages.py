"""Messages staff write to an event's people: a preview and a count first, then one email
per reader through the outbox (kind `staff_message`)."""

from __future__ import annotations

import pytest

from lectern.accounts.services import user_ensure
from lectern.core.permissions import Principal
from lectern.notifications.models import Message
from lectern.registrations import services
from lectern.registrations.services.waitlist import waitlist_join
from lectern.registrations.tests.conftest import NOW, details, make_event

pytestmark = pytest.mark.django_db

ANON = Principal.anonymous()


@pytest.fixture
def world(member):
    trainer = user_ensure(email="trainer@example.org", role="trainer", name="Tess")
    event = make_event(capacity=2, trainer_ids=[trainer.pk])
    for n in (1, 2):
        services.registration_create(
            actor=ANON,
            event_id=event.pk,
            code=member.registration_code,
            details=details(n),
            client="1.2.3.4",
            now=NOW,
        )
    waitlist_join(
        actor=ANON,
        event_id=event.pk,
        code=member.registration_code,
        details=details(3),
        client="1.2.3.4",
        now=NOW,
    )
    return event


BODY = {"subject": "Room change & snacks", "body": "Bring <your> own coffee.\nSee you!"}


@pytest.mark.parametrize(
    ("audience", "recipients"),
    [
        ("confirmed", ["trainee1@uni.example", "trainee2@uni.example"]),
        ("waitlist", ["trainee3@uni.example"]),
        ("trainers", ["trainer@example.org"]),
        ("coordinators", ["coord@uni.example"]),
    ],
)
def test_each_audience_previews_then_sends_once(staff_api, world, audience, recipients) -> None:
    path = f"/events/{world.pk}/messages"
    preview = staff_api.post(path, {**BODY, "audience": audience, "preview": True})
    assert preview.status_code == 200, preview.content
    assert preview.json()["recipients"] == len(recipients)
    assert preview.json()["subject"] == "Room change & snacks"
    assert "Bring <your> own coffee." in preview.json()["body_text"]
    assert "Bring &lt;your&gt; own coffee." in preview.json()["body_html"]
    assert not Message.objects.filter(kind="staff_message").exists()

    sent = staff_api.post(path, {**BODY, "audience": audience})
    assert sent.status_code == 201, sent.content
    assert sent.json() == {"queued": len(recipients)}
    messages = Message.objects.filter(kind="staff_message").order_by("recipient")
    assert [m.recipient for m in messages] == recipients
    assert {m.subject for m in messages} == {"Room change & snacks"}
    # a second sending is a second message
    assert staff_api.post(path, {**BODY, "audience": audience}).json() == {
        "queued": len(recipients)
    }
    assert Message.objects.filter(kind="staff_message").count() == 2 * len(recipients)


def test_only_staff_write_and_nothing_empty_goes(api_as, staff_api, world) -> None:
    path = f"/events/{world.pk}/messages"
    trainer = api_as("trainer@example.org", "trainer")
    assert trainer.post(path, {**BODY, "audience": "confirmed"}).status_code == 403
    empty = staff_api.post(path, {"audience": "confirmed", "subject": " ", "body": "x"})
    assert empty.status_code == 422
    assert empty.json()["error"]["fields"]["subject"]
    wrong = staff_api.post(path, {**BODY, "audience": "everyone"})
    assert wrong.status_code == 422
    assert (
        staff_api.post("/events/999999/messages", {**BODY, "audience": "confirmed"}).status_code
        == 404
    )
    assert not Message.objects.filter(kind="staff_message").exists()


def test_the_back_office_previews_then_sends(admin_client, world) -> None:
    url = f"/admin/events/event/{world.pk}/message/"
    assert admin_client.get(url).status_code == 200
    form = {**BODY, "audience": "confirmed"}
    preview = admin_client.post(url, {**form, "preview": "Preview"})
    assert preview.status_code == 200
    assert "Preview: 2 recipients" in preview.content.decode()
    assert not Message.objects.filter(kind="staff_message").exists()
    sent = admin_client.post(url, {**form, "send": "Send"})
    assert sent.status_code == 302
    assert Message.objects.filter(kind="staff_message").count() == 2

"""Wording staff edit: versions per kind and language, used by the next email of the kind,
reset to the code's templates, refused with its line when it does not render, rendered in a
sandbox from plain values; what was sent stays as sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lectern.core.errors import DomainError
from lectern.memberships.models import Membership
from lectern.notifications.models import Message
from lectern.notifications.services import message_queue
from lectern.notifications.wording import (
    message_template_history,
    message_template_preview,
    message_template_reset,
    message_template_save,
)
from tests.factories import OrganizationFactory, membership

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def welcome(m: Membership, to: str = "coord@uni.example") -> Message | None:
    return message_queue(
        kind="membership_welcome", to=to, obj=m, now=NOW, name="Co Ord", context={"membership": m}
    )


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_a_customised_wording_is_used_next_and_reset_restores_the_default(staff) -> None:
    m = membership(organization=OrganizationFactory(name="O'Brien & Co"))
    before = welcome(m, "first@uni.example")
    assert before is not None
    default_text = before.body_text
    saved = message_template_save(
        actor=staff,
        kind="membership_welcome",
        subject="Welcome, {{ membership.organization.name }}",
        body_text="Dear {{ recipient_name }}, your code is {{ membership.registration_code }}.",
        body_html="<p>Dear {{ recipient_name }} of {{ membership.organization.name }}</p>",
        now=NOW,
    )
    assert saved.version == 1
    after = welcome(m, "second@uni.example")
    assert after is not None
    assert after.subject == "Welcome, O'Brien & Co"
    assert after.body_text == f"Dear Co Ord, your code is {m.registration_code}."
    assert after.body_html == "<p>Dear Co Ord of O&#x27;Brien &amp; Co</p>"
    assert after.template_version == 1
    before.refresh_from_db()
    assert before.body_text == default_text  # what was sent stays as sent

    message_template_reset(actor=staff, kind="membership_welcome", now=NOW)
    again = welcome(m, "third@uni.example")
    assert again is not None
    assert again.body_text == default_text.replace("first@", "third@")
    assert [v.version for v in message_template_history("membership_welcome")] == [2, 1]


def test_a_wording_that_does_not_render_is_refused_with_its_line(staff) -> None:
    welcome(membership())
    error = refused(
        lambda: message_template_save(
            actor=staff,
            kind="membership_welcome",
            subject="Hi",
            body_text="Line one\nLine two\n{% if %}\n",
            now=NOW,
        )
    )
    assert error.code == "validation_error"
    assert error.fields is not None
    assert error.fields["body_text"][0].startswith("line 3:")
    error = refused(
        lambda: message_template_save(
            actor=staff,
            kind="membership_welcome",
            subject="Hi",
            body_text="ok",
            body_html='<p>\n{% include "notifications/no_such_part.html" %}',
            now=NOW,
        )
    )
    assert error.fields is not None
    assert "line 2" in error.fields["body_html"][0]


@pytest.mark.parametrize(
    "source",
    ["{% debug %}", "{% load static %}", "{% url 'admin:index' %}", "{% csrf_token %}"],
)
def test_the_sandbox_refuses_tags_that_reach_beyond_the_values(staff, source) -> None:
    error = refused(
        lambda: message_template_save(
            actor=staff, kind="membership_welcome", subject="Hi", body_text=source, now=NOW
        )
    )
    assert error.code == "validation_error"


def test_templates_see_plain_values_only(staff) -> None:
    m = membership()
    welcome(m)
    parts = message_template_preview(
        actor=staff,
        kind="membership_welcome",
        subject="x",
        body_text=(
            "[{{ settings.SECRET_KEY }}][{{ membership.delete }}][{{ membership.contacts.all }}]"
            "[{{ membership.organization.memberships }}][{{ membership.organization.name }}]"
        ),
    )
    assert parts.text == f"[][][][][{m.organization.name}]"
    assert Membership.objects.filter(pk=m.pk).exists()
    error = refused(
        lambda: message_template_preview(
            actor=staff, kind="membership_welcome", subject="x", body_text="{{ membership._meta }}"
        )
    )
    assert "underscore" in error.message


def test_the_preview_renders_on_the_latest_real_email(staff) -> None:
    m = membership(organization=OrganizationFactory(name="Preview Labs"))
    welcome(m)
    parts = message_template_preview(actor=staff, kind="membership_welcome")
    assert "Preview Labs" in parts.subject + parts.text
    assert m.registration_code in parts.text


def test_the_api_lists_saves_previews_and_resets(staff_api, staff) -> None:
    m = membership(organization=OrganizationFactory(name="Api Org"))
    welcome(m)
    listing = staff_api.get("/message-templates")
    assert listing.status_code == 200
    rows = {row["kind"]: row for row in listing.json()}
    assert rows["membership_welcome"]["customised"] is False
    assert rows["membership_welcome"]["version"] == 0
    assert "{{" in rows["membership_welcome"]["body_text"]  # the code's template source
    assert "event_changed" in rows
    assert "staff_message" in rows

    body = {"subject": "Hello {{ membership.organization.name }}", "body_text": "Text"}
    saved = staff_api.client.put(
        "/api/v1/message-templates/membership_welcome",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {staff_api.token}"},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1
    assert saved.json()["customised"] is True
    preview = staff_api.post("/message-templates/membership_welcome/preview", {})
    assert preview.json()["subject"] == "Hello Api Org"
    bad = staff_api.client.put(
        "/api/v1/message-templates/membership_welcome",
        {"subject": "{{ x|nosuchfilter }}", "body_text": "t"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {staff_api.token}"},
    )
    assert bad.status_code == 422
    assert "subject" in bad.json()["error"]["fields"]
    unknown = staff_api.post("/message-templates/no_such_kind/preview", {})
    assert unknown.status_code == 404
    reset = staff_api.client.delete(
        "/api/v1/message-templates/membership_welcome",
        headers={"Authorization": f"Bearer {staff_api.token}"},
    )
    assert reset.json()["customised"] is False
    assert reset.json()["version"] == 2


def test_the_back_office_edits_previews_saves_and_resets(admin_client) -> None:
    m = membership(organization=OrganizationFactory(name="Office Org"))
    welcome(m)
    listing = admin_client.get("/admin/notifications/messagetemplate/")
    assert listing.status_code == 200
    assert "membership_welcome" in listing.content.decode()
    url = "/admin/notifications/messagetemplate/membership_welcome/en/edit/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Office Org" in page.content.decode()  # the preview of the default, on a real email
    form = {"subject": "Hi {{ membership.organization.name }}", "body_text": "T", "body_html": ""}
    preview = admin_client.post(url, {**form, "preview": "Preview"})
    assert "Hi Office Org" in preview.content.decode()
    bad = admin_client.post(url, {**form, "body_text": "a\n{% for %}", "save": "Save"})
    assert bad.status_code == 200
    assert "line 2" in bad.content.decode()
    assert admin_client.post(url, {**form, "save": "Save"}).status_code == 302
    assert welcome(m, "next@uni.example").subject == "Hi Office Org"
    assert admin_client.post(url, {"reset": "Reset"}).status_code == 302
    assert welcome(m, "later@uni.example").subject.startswith("Welcome to")
    assert "reset to default" in admin_client.get(url).content.decode()


def test_a_wording_that_fails_on_other_values_falls_back_to_the_default(staff) -> None:
    m = membership()
    welcome(m)  # the example: recipient "Co Ord"
    message_template_save(
        actor=staff,
        kind="membership_welcome",
        subject="Hi",
        body_text=(
            '{% if recipient_name == "Co Ord" %}ok{% else %}{% include "nope.txt" %}{% endif %}'
        ),
        now=NOW,
    )
    same = welcome(m, "same@uni.example")
    assert same is not None
    assert same.body_text == "ok"
    other = message_queue(
        kind="membership_welcome",
        to="other@uni.example",
        obj=m,
        now=NOW,
        name="Someone Else",
        context={"membership": m},
    )
    assert other is not None
    assert other.subject.startswith("Welcome to")  # the email still goes, in the default
    assert other.template_version is None


def test_the_spanish_wording_is_its_own_and_previews_in_spanish(staff) -> None:
    """One template per kind, translated; staff's Spanish version is kept apart from the
    English one, and both preview in their own language."""
    m = membership()
    welcome(m, "first@uni.example")
    spanish = message_template_preview(actor=staff, kind="membership_welcome", language="es")
    assert spanish.subject.startswith("Le damos la bienvenida a ")
    assert "Hola, Co Ord:" in spanish.text
    english = message_template_preview(actor=staff, kind="membership_welcome", language="en")
    assert english.subject.startswith("Welcome to ")
    message_template_save(
        actor=staff,
        kind="membership_welcome",
        language="es",
        subject="{% translate 'Hello there,' %} {{ membership.organization.name }}",
        body_text="Código: {{ membership.registration_code }}",
        now=NOW,
    )
    queued = message_queue(
        kind="membership_welcome",
        to="second@uni.example",
        obj=m,
        now=NOW,
        context={"membership": m},
        language="es",
    )
    assert queued is not None
    assert queued.subject == f"Hola: {m.organization.name}"
    assert queued.body_text == f"Código: {m.registration_code}"
    english_again = welcome(m, "third@uni.example")
    assert english_again is not None
    assert english_again.subject.startswith("Welcome to ")

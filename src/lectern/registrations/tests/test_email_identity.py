"""Trainees are known by one spelling of their address; addresses that cannot receive mail are
refused at the field, on the API and on the registration page."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from lectern.core.emails import email_normalise
from lectern.core.errors import Invalid
from lectern.registrations.models import Registration, Trainee

from .conftest import body, make_event
from .test_pages import form_data

pytestmark = pytest.mark.django_db

REFUSED = [
    "a@b@example.org",
    "x@.",
    "user@localhost",
    "user@example.org.",
    "us\u200ber@example.org",  # zero-width space
    "user@exam\u200fple.org",  # right-to-left mark
    "\u200euser@example.org",  # left-to-right mark
    "user",
    "",
]


def _error(response: Any) -> dict[str, Any]:
    return dict(response.json()["error"])


def _longest() -> str:
    """254 characters: the longest address SMTP carries."""
    return "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"


@pytest.mark.parametrize("address", REFUSED)
def test_undeliverable_addresses_are_refused_at_the_field(anon_api, event, member, address) -> None:
    response = anon_api.post(
        "/registrations", body(event.pk, member.registration_code, email=address)
    )
    assert response.status_code == 422, response.content
    error = _error(response)
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["email"]
    assert error["fields"]["email"][0]
    assert not Trainee.objects.exists()


def test_the_registration_page_names_the_email_field(client: Client, event, member) -> None:
    response = client.post(
        f"/events/{event.pk}/register/", form_data(event, member, email="us\u200ber@example.org")
    )
    page = response.content.decode()
    assert response.status_code in (200, 422)
    assert "invisible character" in page
    assert not Trainee.objects.exists()


def test_fullwidth_and_case_variants_are_one_trainee(anon_api, event, member) -> None:
    code = member.registration_code
    first = anon_api.post("/registrations", body(event.pk, code, email="user@example.org"))
    assert first.status_code == 201, first.content
    other = make_event(day="2027-04-01")
    second = anon_api.post(
        "/registrations", body(other.pk, code, email=" \uff35\uff53\uff45\uff52@Example.ORG ")
    )
    assert (second.status_code, _error(second)["code"]) == (409, "already_registered")
    assert list(Trainee.objects.values_list("email", flat=True)) == ["user@example.org"]


def test_an_idn_domain_is_stored_in_idna_form_and_matches_its_unicode_spelling(
    anon_api, event, member
) -> None:
    code = member.registration_code
    first = anon_api.post("/registrations", body(event.pk, code, email="user@bücher.example"))
    assert first.status_code == 201, first.content
    assert Trainee.objects.get().email == "user@xn--bcher-kva.example"
    other = make_event(day="2027-04-01")
    again = anon_api.post(
        "/registrations", body(other.pk, code, email="USER@xn--bcher-kva.example")
    )
    assert _error(again)["code"] == "already_registered"
    assert Registration.objects.count() == 1


def test_the_longest_address_passes_and_one_more_character_does_not(
    anon_api, event, member
) -> None:
    longest = _longest()
    assert len(longest) == 254
    too_long = "a" + longest
    refused = anon_api.post(
        "/registrations", body(event.pk, member.registration_code, email=too_long)
    )
    assert (refused.status_code, list(_error(refused)["fields"])) == (422, ["email"])
    passed = anon_api.post(
        "/registrations", body(event.pk, member.registration_code, email=longest)
    )
    assert passed.status_code == 201, passed.content
    assert Trainee.objects.get().email == longest


def test_staff_contacts_and_cli_users_are_checked_the_same_way(staff_api, member) -> None:
    response = staff_api.post(
        f"/memberships/{member.pk}/contacts",
        {"email": "a@b@example.org", "name": "X", "role": "coordinator"},
    )
    assert response.status_code == 422, response.content
    assert list(_error(response)["fields"]) == ["email"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="email"):
        call_command("token", email="x@.", role="staff", stderr=StringIO(), stdout=StringIO())


def test_normalise_is_idempotent() -> None:
    once = email_normalise("\uff35\uff53\uff45\uff52@Bücher.Example")
    assert once == email_normalise(once) == "user@xn--bcher-kva.example"
    with pytest.raises(Invalid):
        email_normalise("user@example.org.")


def test_duplicates_lists_records_that_collide_after_normalising(db) -> None:
    out = StringIO()
    call_command("trainees", "duplicates", stdout=out)
    assert out.getvalue().strip() == "no duplicates"
    from datetime import UTC, datetime

    made = datetime(2026, 5, 1, tzinfo=UTC)
    common = dict(affiliation="U", country="NZ", usage_frequency="weekly", created_at=made)
    a = Trainee.objects.create(email="user@example.org", name="A", **common)
    b = Trainee.objects.create(email="\uff55ser@example.org", name="B", **common)
    Trainee.objects.create(email="someone@example.org", name="C", **common)
    out = StringIO()
    call_command("trainees", "duplicates", stdout=out)
    text = out.getvalue()
    assert "user@example.org: 2 records" in text
    assert f"id {a.pk} " in text
    assert f"id {b.pk} " in text
    assert "someone" not in text
    assert "1 group(s)" in text

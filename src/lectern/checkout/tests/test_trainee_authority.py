"""Issue 12, over HTTP: a typed address proves nothing; the mailbox (personal link) does.

Organisation A's certified trainee; an attacker holding organisation B's code registers (and
joins a waiting list) with her address in other letter case."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from conftest import ApiClient
from lectern.certificates.models import Certificate
from lectern.core.permissions import Principal
from lectern.memberships import services as membership_services
from lectern.notifications.models import Message
from lectern.notifications.services import messages_write
from lectern.registrations import services as registration_services
from lectern.registrations.emails import personal_url
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.tests.conftest import body, make_event
from lectern.registrations.tokens import trainee_token
from tests.factories import membership

from .conftest import registered
from .test_checkout import pass_all, record

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def certified(staff: Any, event: Any, member: Any) -> Trainee:
    registration = registered(event, member, 0)
    record(staff, event, (registration, 0))
    pass_all(staff, registration.trainee)
    Trainee.objects.filter(pk=registration.trainee_id).update(directory_consent=True)
    return Trainee.objects.get(pk=registration.trainee_id)


@pytest.fixture
def org_b(system: Any) -> Any:
    b = membership(tier="silver", start_date=date(2026, 10, 1))
    membership_services.contact_add(
        actor=system, membership=b, email="coord@b.example", name="B", role="coordinator"
    )
    return b


def bearer(token: str) -> ApiClient:
    return ApiClient(Client(), token)


def attack(certified: Trainee, org_b: Any, anon_api: Any) -> dict[str, Any]:
    target = make_event(day="2027-06-10")
    response = anon_api.post(
        "/registrations",
        body(
            target.pk,
            org_b.registration_code,
            name="Attacker Renamed",
            email=certified.email.upper(),
            affiliation="Evil Corp",
            directory_consent=False,
        ),
    )
    assert response.status_code == 201, response.content
    return response.json()


def untouched(certified: Trainee, anon_api: Any) -> None:
    stored = Trainee.objects.get(pk=certified.pk)
    assert (stored.name, stored.affiliation, stored.directory_consent, stored.erased_at) == (
        "Trainee 0",
        "Uni",
        True,
        None,
    )
    names = [i["name"] for i in anon_api.get("/instructors").json()["items"]]
    assert names == ["Trainee 0"]


def test_another_organisations_code_and_her_address_change_nothing_of_hers(
    certified, org_b, anon_api, staff_api, api_as
) -> None:
    created = attack(certified, org_b, anon_api)
    assert created["trainee_id"] == certified.pk
    assert created["manage_token"].startswith("lr_")
    untouched(certified, anon_api)
    assert staff_api.get(f"/trainees/{certified.pk}").json()["name"] == "Trainee 0"
    certificate = Certificate.objects.get(trainee=certified)
    holder = bearer(created["manage_token"])
    # The manage token acts on its registration only.
    assert holder.get(f"/registrations/{created['id']}").status_code == 200
    for call in [
        lambda: holder.get(f"/trainees/{certified.pk}"),
        lambda: holder.get(f"/trainees/{certified.pk}/export"),
        lambda: holder.post(f"/trainees/{certified.pk}/erase", {}),
        lambda: holder.patch(f"/trainees/{certified.pk}/directory", {"directory_consent": False}),
        lambda: holder.post(
            f"/trainees/{certified.pk}/progress",
            {"requirement": "welcome_session", "state": "submitted"},
        ),
        lambda: holder.get(f"/certificates/{certificate.pk}"),
        lambda: holder.get(f"/certificates/{certificate.pk}/pdf"),
    ]:
        refused = call()
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")
    earlier = Registration.objects.exclude(pk=created["id"]).get(trainee=certified)
    assert holder.get(f"/registrations/{earlier.pk}").status_code == 404
    # Pages: the trainee-wide routes are not reachable with a manage token.
    token = created["manage_token"]
    for path in ["my-data.json", "certificate.pdf", "erase/"]:
        assert Client().get(f"/manage/{token}/{path}").status_code == 404
        assert Client().get(f"/me/{token}/{path}").status_code == 404
    assert Client().post(f"/me/{token}/erase/", {"confirm": "yes"}).status_code == 404
    assert Client().post(f"/me/{token}/directory/", {}).status_code == 404
    page = Client().get(f"/manage/{token}/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert "Attacker Renamed" in html
    assert "Trainee 0" not in html
    assert "certificate.pdf" not in html
    untouched(certified, anon_api)
    # Coordinator B sees the registration made with B's code, nothing else of hers.
    coordinator_b = api_as("coord@b.example")
    listed = coordinator_b.get(f"/memberships/{org_b.pk}/registrations").json()["items"]
    assert [(r["trainee_name"], r["id"]) for r in listed] == [("Attacker Renamed", created["id"])]
    # Her record answers (B has a registration of hers), but her checkout and certificate
    # came through A: B reads them as null, and the certificate itself is not found.
    seen_by_b = coordinator_b.get(f"/trainees/{certified.pk}")
    assert seen_by_b.status_code == 200, seen_by_b.content
    assert (seen_by_b.json()["checkout"], seen_by_b.json()["certificate_id"]) == (None, None)
    assert coordinator_b.get(f"/certificates/{certificate.pk}").status_code == 404
    assert coordinator_b.get(f"/certificates/{certificate.pk}/pdf").status_code == 404
    assert coordinator_b.get(f"/registrations/{earlier.pk}").status_code == 404
    # The organisation whose registration led to her checkout still sees it.
    coordinator_a_visible = Registration.objects.get(pk=earlier.pk).membership
    membership_services.contact_add(
        actor=Principal.as_system(),
        membership=coordinator_a_visible,
        email="coord@a.example",
        name="A",
        role="coordinator",
    )
    seen_by_a = api_as("coord@a.example").get(f"/trainees/{certified.pk}").json()
    assert seen_by_a["checkout"]["status"] == "certified"
    assert seen_by_a["certificate_id"] == certificate.pk


def test_a_coordinator_reads_a_checkout_not_yet_started_as_not_started(
    staff, event, member, api_as
) -> None:
    registration = registered(event, member, 0)
    membership_services.contact_add(
        actor=Principal.as_system(),
        membership=member,
        email="coord@a.example",
        name="A",
        role="coordinator",
    )
    coordinator = api_as("coord@a.example")
    seen = coordinator.get(f"/trainees/{registration.trainee_id}").json()
    assert (seen["checkout"], seen["certificate_id"]) == (
        {"status": "not_started", "deadline": None, "steps": []},
        None,
    )
    record(staff, event, (registration, 0))
    assert coordinator.get(f"/trainees/{registration.trainee_id}").json()["checkout"]["status"] == (
        "in_progress"
    )
    # Another organisation's coordinator has no registration of hers: not found.
    other = membership(tier="silver", start_date=date(2026, 10, 1))
    membership_services.contact_add(
        actor=Principal.as_system(),
        membership=other,
        email="c@o.example",
        name="O",
        role="coordinator",
    )
    refused = api_as("c@o.example").get(f"/trainees/{registration.trainee_id}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")


def test_the_waiting_list_variant_changes_nothing_of_hers(certified, org_b, anon_api) -> None:
    full = make_event(day="2027-06-10", capacity=1)
    assert anon_api.post("/registrations", body(full.pk, org_b.registration_code, 5)).status_code
    joined = anon_api.post(
        f"/events/{full.pk}/waitlist",
        body(
            full.pk, org_b.registration_code, name="Attacker Renamed", email=certified.email.upper()
        ),
    )
    assert joined.status_code == 201, joined.content
    untouched(certified, anon_api)
    entry = certified.waitlist_entries.get()
    assert entry.submitted_details["name"] == "Attacker Renamed"


def test_the_personal_token_acts_as_her_and_as_nobody_else(
    certified, org_b, anon_api, event, member
) -> None:
    created = attack(certified, org_b, anon_api)
    elsewhere = make_event(day="2027-06-11")
    made = anon_api.post("/registrations", body(elsewhere.pk, org_b.registration_code, 7)).json()
    other = Registration.objects.get(pk=made["id"])
    own = bearer(trainee_token(certified.pk, certified.link_nonce))
    certificate = Certificate.objects.get(trainee=certified)
    assert own.get(f"/trainees/{certified.pk}").json()["name"] == "Trainee 0"
    assert own.get(f"/trainees/{certified.pk}/export").status_code == 200
    assert own.get(f"/certificates/{certificate.pk}/pdf").status_code == 200
    assert own.get(f"/registrations/{created['id']}").json()["manage_token"]
    assert (
        own.patch(f"/trainees/{certified.pk}/directory", {"github": "octocat"}).status_code == 200
    )
    for path in [f"/trainees/{other.trainee_id}", f"/registrations/{other.pk}"]:
        assert own.get(path).status_code == 404
    assert own.post(f"/trainees/{other.trainee_id}/erase", {}).status_code == 404
    withdrawn = own.post(f"/registrations/{created['id']}/withdraw", {})
    assert withdrawn.status_code == 200, withdrawn.content
    # A forged signature is refused outright.
    forged = bearer(f"lt_{certified.pk}_" + "0" * 40)
    assert forged.get(f"/trainees/{certified.pk}").json()["error"]["code"] == "invalid_token"


def test_personal_page_use_details_erase_with_confirmation(certified, org_b, anon_api) -> None:
    created = attack(certified, org_b, anon_api)
    url = personal_url(certified).split("/me/", 1)[1]
    page = Client().get(f"/me/{url}")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "Attacker Renamed" in page.content.decode()  # offered, not applied
    Client().post(f"/me/{url}registrations/{created['id']}/use-details/")
    assert Trainee.objects.get(pk=certified.pk).name == "Attacker Renamed"
    unconfirmed = Client().post(f"/me/{url}erase/", {})
    assert unconfirmed.status_code == 422
    assert "Tick the box" in unconfirmed.content.decode()
    assert Trainee.objects.get(pk=certified.pk).erased_at is None
    assert Client().post(f"/me/{url}erase/", {"confirm": "yes"}).status_code == 200
    assert Trainee.objects.get(pk=certified.pk).erased_at is not None


def test_a_replaced_personal_link_stops_working(certified) -> None:
    old = trainee_token(certified.pk, certified.link_nonce)
    assert Client().get(f"/me/{old}/").status_code == 200
    replaced = Client().post(f"/me/{old}/replace-link/")
    assert replaced.status_code == 200
    fresh = Trainee.objects.get(pk=certified.pk)
    new = trainee_token(fresh.pk, fresh.link_nonce)
    assert Client().get(f"/me/{old}/").status_code == 404
    assert bearer(old).get(f"/trainees/{certified.pk}").status_code == 401
    assert Client().get(f"/me/{new}/").status_code == 200
    email = Message.objects.get(kind="trainee_link_replaced")
    assert f"/me/{new}/" in email.body_text
    assert old not in email.body_text
    # Staff replace it too.
    registration_services.trainee_link_replace(actor=Principal.as_system(), trainee=fresh)
    assert Client().get(f"/me/{new}/").status_code == 404


def test_every_email_to_the_trainee_carries_her_personal_link(certified) -> None:
    # the confirmation is written by the sender: write it as the sender would
    assert messages_write(list(Message.objects.filter(written=False))) == {}
    for message in Message.objects.filter(recipient=certified.email):
        assert personal_url(certified) in message.body_text, message.kind

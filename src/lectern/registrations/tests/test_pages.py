"""The registration form, the manage page and withdrawing from it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lectern.notifications.models import Message
from lectern.notifications.services import message_write
from lectern.registrations.models import Registration

from .conftest import body, make_event

pytestmark = pytest.mark.django_db


def form_data(event, member, n=0, **extra):
    data = {**body(event.pk, member.registration_code, n), **extra}
    data.pop("event_id")
    data["accept_code_of_conduct"] = "on"
    data["accept_privacy"] = "on"
    data["action"] = "register"
    return data


def test_register_from_the_page_and_land_on_the_manage_page(client: Client, event, member) -> None:
    page = client.get(f"/events/{event.pk}/register/").content.decode()
    for label in [
        "Registration code",
        "Your name",
        "Email address",
        "Country",
        "Technologies you are familiar with",
        "I agree to the privacy policy",
    ]:
        assert label in page
    response = client.post(f"/events/{event.pk}/register/", form_data(event, member), follow=True)
    assert response.redirect_chain[-1][0].startswith("/manage/lr_")
    page = response.content.decode()
    assert "You are registered" in page
    assert "Move to another event" not in page or "Move here" in page
    assert Registration.objects.get().status == "confirmed"


def test_a_wrong_code_keeps_what_was_typed(client: Client, event, member) -> None:
    response = client.post(
        f"/events/{event.pk}/register/",
        form_data(event, member, code="WRONG-CODE", name="Ada Lovelace"),
    )
    page = response.content.decode()
    assert response.status_code == 404
    assert "This registration code is not valid" in page
    assert 'value="Ada Lovelace"' in page
    assert 'value="WRONG-CODE"' in page


def test_missing_fields_are_named_on_the_form(client: Client, event, member) -> None:
    data = form_data(event, member)
    del data["technologies"], data["accept_privacy"]
    page = client.post(f"/events/{event.pk}/register/", data).content.decode()
    assert "Choose at least one technology you are familiar with." in page
    assert "You must agree to the privacy policy." in page


def test_full_event_offers_the_waiting_list(client: Client, member) -> None:
    full = make_event(capacity=1)
    client.post(f"/events/{full.pk}/register/", form_data(full, member, 0))
    page = Client().get(f"/events/{full.pk}/register/").content.decode()
    assert "Join the waiting list" in page
    data = form_data(full, member, 1)
    data["action"] = "waitlist"
    response = Client().post(f"/events/{full.pk}/register/", data)
    assert "You are number 1 on the waiting list" in response.content.decode()


def test_manage_move_and_withdraw(client: Client, event, member) -> None:
    later = make_event(day="2027-04-10", title="Later training")
    client.post(f"/events/{event.pk}/register/", form_data(event, member))
    link = re.search(
        r"/manage/lr_\S+?/",
        message_write(Message.objects.get(kind="registration_confirmed")).body_text,
    )
    manage = link.group(0)
    page = client.get(manage).content.decode()
    assert "Later training" in page
    # The move is confirmed on a page that names both events, with buttons that say so
    asked = client.post(f"{manage}move/", {"event_id": later.pk}).content.decode()
    assert Registration.objects.get().event == event
    assert "Move to Later training (Sat 10 Apr 2027)" in asked
    assert "Stay in Instructor Training" in asked
    client.post(f"{manage}move/", {"event_id": later.pk, "confirm": "yes"})
    assert Registration.objects.get().event == later
    confirm = client.get(f"{manage}withdraw/").content.decode()
    assert "seat will be <strong>released</strong>" in confirm
    client.post(f"{manage}withdraw/", {"reason": "changed plans"})
    assert Registration.objects.get().status == "withdrawn"
    after = client.get(manage).content.decode()
    assert 'href="/calendar/">Back to the training calendar' in after
    assert Client().get("/manage/lr_1_" + "0" * 40 + "/").status_code == 404


def test_coordinator_sees_trainees_and_downloads_csv(client: Client, event, member) -> None:
    from lectern.accounts.models import User

    client.post(f"/events/{event.pk}/register/", form_data(event, member, usage_frequency="less"))
    coordinator = Client()
    coordinator.force_login(User.objects.get(email="coord@uni.example"))
    page = coordinator.get(f"/memberships/{member.pk}/").content.decode()
    assert "Trainee 0" in page
    assert "The training suits people who use" in page
    csv_text = coordinator.get(f"/memberships/{member.pk}/trainees.csv").content.decode()
    header, row = csv_text.strip().splitlines()
    assert header.startswith("registration_id,event_id,event,event_start_utc")
    assert ",Trainee 0,trainee0@uni.example,Uni,confirmed," in row
    from tests.factories import membership

    other = membership()
    assert coordinator.get(f"/memberships/{other.pk}/trainees.csv").status_code == 404


def test_staff_grant_an_emergency_exception_in_the_back_office(
    client: Client, event, member, staff_user
) -> None:
    client.post(f"/events/{event.pk}/register/", form_data(event, member))
    registration = Registration.objects.get()
    staff = Client()
    staff.force_login(staff_user)
    response = staff.post(
        f"/admin/registrations/registration/{registration.pk}/emergency/", {"reason": ""}
    )
    assert "This field is required." in response.content.decode()
    staff.post(
        f"/admin/registrations/registration/{registration.pk}/emergency/",
        {"reason": "family emergency"},
    )
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    member.refresh_from_db()
    assert member.seats_available == 5


def test_invalid_fields_point_to_their_errors(client: Client, event, member) -> None:
    data = form_data(event, member)
    data["email"] = "not-an-email"
    page = client.post(f"/events/{event.pk}/register/", data).content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_email_error"' in page
    assert 'id="id_email_error"' in page


def test_on_the_page_others_guessing_never_refuse_a_fresh_client(event, member, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "CODE_ATTEMPTS_PER_EVENT": 4}
    url = f"/events/{event.pk}/register/"
    for n in range(4):  # four clients fail once each: the event's limit is reached
        wrong = Client(REMOTE_ADDR=f"10.7.0.{n}").post(url, form_data(event, member, code="W-1"))
        assert wrong.status_code == 404
    refused = Client(REMOTE_ADDR="10.7.0.0").post(url, form_data(event, member, 1))
    assert refused.status_code == 429
    assert "Too many wrong registration codes were tried" in refused.content.decode()
    assert refused["Retry-After"]
    fresh = Client(REMOTE_ADDR="10.7.0.99").post(url, form_data(event, member, 2), follow=True)
    assert fresh.redirect_chain[-1][0].startswith("/manage/lr_")
    assert Registration.objects.filter(trainee__email="trainee2@uni.example").exists()

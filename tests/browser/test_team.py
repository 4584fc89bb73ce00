"""A coordinator registers three named people for one event in one step; each completes
their own details from the link in their email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.memberships import services
from lectern.notifications.sender import send_due
from lectern.registrations.models import Registration
from tests.factories import OrganizationFactory, membership

pytestmark = pytest.mark.django_db(transaction=True)
TEAM = {
    "Ada Lovelace": "ada@harbour.example",
    "Grace Hopper": "grace@harbour.example",
    "Alan Turing": "alan@harbour.example",
}


def test_coordinator_registers_three_and_each_completes_their_details(page: Page) -> None:
    staff = Principal.as_system()
    day = (clock.now() + timedelta(days=40)).date()
    event_services.event_create(
        actor=staff,
        title="Harbour Instructor Training",
        timezone="Europe/Berlin",
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=20,
        min_enrolment=2,
    )
    m = membership(
        organization=OrganizationFactory(name="Harbour University"),
        tier="gold",
        start_date=clock.now().date() - timedelta(days=30),
    )
    services.contact_add(
        actor=staff,
        membership=m,
        email="coord@harbour.example",
        name="Coral Ord",
        role="coordinator",
    )

    page.goto("/login/")
    page.get_by_label("Your email address").fill("coord@harbour.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    send_due()
    link = re.search(r"/login/\S+/", mail.outbox[-1].body)
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Harbour University").click()
    page.get_by_role("link", name="Register your team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your team")

    event = page.get_by_label("Event")
    choice = event.locator("option", has_text="Harbour Instructor Training").get_attribute("value")
    event.select_option(choice)
    page.get_by_label("People").fill("\n".join(f"{n}, {e}" for n, e in TEAM.items()))
    page.get_by_role("button", name="Register these people").click()
    expect(page.get_by_role("status")).to_contain_text("3 registered")
    for name in TEAM:
        expect(page.locator(".registered")).to_contain_text(name)

    mail.outbox.clear()
    send_due()
    for name, email in TEAM.items():
        [message] = [m for m in mail.outbox if m.to == [email]]
        details = re.search(r"http://\S+?(/me/lt_\S+?/registrations/\d+/details/)", message.body)
        assert details, message.body
        page.goto(details.group(1))
        expect(page.get_by_role("heading", level=1)).to_have_text("Complete your registration")
        expect(page.get_by_label("Your name")).to_have_value(name)
        page.get_by_label("Python").check()
        page.get_by_label("Weekly").check()
        page.get_by_label("None yet").check()
        page.get_by_label("I agree to follow the code of conduct").check()
        page.get_by_label("I agree to the privacy policy").check()
        page.get_by_role("button", name="Confirm my registration").click()
        expect(page.get_by_text("Your registration is confirmed")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    assert sorted(Registration.objects.values_list("status", flat=True)) == ["confirmed"] * 3

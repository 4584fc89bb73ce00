"""A coordinator signs in with an emailed link and reads their membership's seats."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from lectern.core.permissions import Principal
from lectern.memberships import services
from lectern.notifications.sender import send_due
from tests.factories import OrganizationFactory, membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_signs_in_by_email_link_and_sees_seats(page: Page) -> None:
    staff = Principal.as_system()
    m = membership(organization=OrganizationFactory(name="Harbour University"), tier="gold")
    services.seats_add(actor=staff, membership=m, delta=2, reason="purchase")
    services.contact_add(
        actor=staff,
        membership=m,
        email="coord@harbour.example",
        name="Coral Ord",
        role="coordinator",
    )

    page.goto("/")
    page.get_by_role("link", name="Sign in with your email").click()
    page.get_by_label("Your email address").fill("coord@harbour.example")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    send_due()  # sign-in links go through the outbox, like every email
    link = re.search(r"/login/\S+/", mail.outbox[-1].body)
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Harbour University").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour University")
    expect(page.locator(".figures .emphasis dd")).to_have_text("16")
    expect(page.get_by_role("img", name="Seat use over the membership year")).to_be_visible()
    expect(page.get_by_text(m.registration_code)).to_be_visible()

    # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

"""The back office reads right: read-only pages offer no Save, sessions show in the event's
zone and in UTC, one spelling ("organisation"), the dashboard's lists link to their actions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.checkout import services
from lectern.checkout.tests.test_checkout import EvidenceIn, record
from lectern.core.permissions import Principal

from .conftest import AFTER, past_event, registered

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


def test_read_only_pages_offer_no_save(staff_client, event, member) -> None:
    registration = registered(event, member, 0)
    for url in (
        f"/admin/events/event/{event.pk}/change/",
        f"/admin/memberships/membership/{member.pk}/change/",
        f"/admin/registrations/registration/{registration.pk}/change/",
    ):
        page = staff_client.get(url).content.decode()
        assert 'name="_save"' not in page, url
        assert 'name="_continue"' not in page, url
    # a page with fields to change keeps its Save
    org = staff_client.get(
        f"/admin/memberships/organization/{member.organization_id}/change/"
    ).content.decode()
    assert 'name="_save"' in org


def test_sessions_show_in_the_event_zone_and_in_utc(staff_client) -> None:
    event = past_event(timezone="Asia/Kolkata", days=("2027-01-30", "2027-01-31"))
    page = staff_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert "In the event&#x27;s time zone" in page
    assert "In UTC" in page
    assert "2027-01-30 09:00 - 17:00 Asia/Kolkata (UTC+05:30)" in page
    assert "2027-01-30 03:30 - 11:30 UTC" in page
    assert "Time zone" in page
    assert "Registration closes" in page


def test_one_spelling_of_organisation(staff_client, member) -> None:
    pages = [
        staff_client.get("/admin/").content.decode(),
        staff_client.get("/admin/memberships/membership/").content.decode(),
        staff_client.get(f"/admin/memberships/membership/{member.pk}/change/").content.decode(),
    ]
    for page in pages:
        text = re.sub(r"<[^>]*>", " ", page)  # what people read, not names in the markup
        assert "organization" not in text.lower()
    assert "Organisation" in pages[1]


def test_the_dashboard_lists_link_to_their_actions(member) -> None:
    trainer = user_ensure(email="tess@example.org", role="trainer", name="Tess")
    attended = past_event(trainer_ids=[trainer.pk])
    ended = past_event(trainer_ids=[trainer.pk])
    done = registered(attended, member, 0)
    registered(ended, member, 1)
    staff = Principal(user=user_ensure(email="staff2@example.org", role="staff"))
    record(staff, attended, (done, 0))
    services.progress_record(
        actor=Principal.personal(done.trainee_id),
        trainee=done.trainee,
        requirement="get_involved",
        state="submitted",
        now=AFTER,
        evidence=EvidenceIn(
            kind="github",
            date=date(2027, 1, 31),
            url="https://github.com/carpentries/instructor-training/pull/1",
        ),
    )
    from lectern.events.services import LocalTimes, event_create

    upcoming = event_create(
        actor=Principal.as_system(),
        title="February, one trainer",
        timezone="UTC",
        sessions=[LocalTimes("2027-02-20T09:00", "2027-02-20T17:00")],
        capacity=20,
        min_enrolment=6,
        trainer_ids=[trainer.pk],
        now=AFTER,
    )
    with time_machine.travel(AFTER + timedelta(days=1), tick=False):  # both events have ended
        client = Client()
        client.force_login(staff.user)
        response = client.get("/staff/dashboard/")
        assert response.status_code == 200
        page = response.content.decode()
    # attendance due: the roster
    assert f'href="/events/{ended.pk}/roster/"' in page
    # steps waiting for review: the review queue and the bulk action
    assert "Get involved</a>: 1 waiting" in page
    assert 'href="/review/"' in page
    assert 'href="/admin/checkout/checkout/?status__exact=in_progress"' in page
    # an event without a second trainer: the staffing page
    assert f'href="/staff/staffing/#staffing-{upcoming.pk}"' in page
    assert "1 assigned, 1 more needed" in page
    # an event at risk: its page, and what to do about it
    assert f'href="/admin/events/event/{upcoming.pk}/cancel/"' in page

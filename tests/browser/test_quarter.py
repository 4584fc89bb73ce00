"""One quarter, run by staff through the back office and counted.

Eight events in four zones, five member organisations, 40 trainees, one cancellation for low
enrolment, three late withdrawals and an emergency, attendance, 30 checkouts and the list of
who was certified with their organisation. Staff's work goes through the pages and is counted
by `Staff`: a page opened (from a link or a bookmark) is one action, a form sent is one
action; what is typed or ticked into a form is counted apart, as fields. What trainees and
the scheduler do goes through the services (the trainees' pages have their own browser tests).

docs/quarter.md has the breakdown this test prints and asserts.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from lectern.accounts.services import user_ensure
from lectern.checkout.models import Checkout
from lectern.core.permissions import Principal
from lectern.events.models import Event, EventStatus
from lectern.memberships.models import Membership
from lectern.notifications.scheduler import tick
from lectern.registrations import services as registrations
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.registrations.tests.conftest import details

pytestmark = pytest.mark.django_db(transaction=True)
GOAL = 60
PASSWORD = "a-long-staff-password"
MEMBERS = [
    ("Harbour University", "NZ", "harbour.example", "HARBOUR2027"),
    ("Universidad del Valle", "CO", "valle.example", "VALLE2027"),
    ("Institut Rhein", "DE", "rhein.example", "RHEIN2027"),
    ("Great Lakes College", "US", "lakes.example", "LAKES2027"),
    ("Savanna Institute", "KE", "savanna.example", "SAVANNA2027"),
]
# Two events per zone, a month apart: (zone, first dates)
ZONES = [
    ("Europe/Berlin", "2027-02-15", "2027-03-15"),
    ("America/New_York", "2027-02-15", "2027-03-15"),
    ("Africa/Nairobi", "2027-02-16", "2027-03-16"),
    ("Australia/Sydney", "2027-02-17", "2027-03-17"),
]
# Trainees per event, in order of first session; the last one stays under its minimum of 4
ENROLMENT = [6, 6, 6, 6, 5, 5, 4, 2]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Staff:
    """A member of staff at the browser, counting what they do."""

    page: Page
    phase: str = ""
    actions: Counter[str] = field(default_factory=Counter)
    fields: Counter[str] = field(default_factory=Counter)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.actions[self.phase] += 1

    def follow(self, link: Locator) -> None:
        link.click()
        self.page.wait_for_load_state()
        self.actions[self.phase] += 1

    def send(self, button: Locator) -> None:
        button.click()
        self.page.wait_for_load_state()
        self.actions[self.phase] += 1

    def fill(self, box: Locator, value: str) -> None:
        box.fill(value)
        self.fields[self.phase] += 1

    def tick(self, box: Locator) -> None:
        box.check()
        self.fields[self.phase] += 1

    def choose(self, box: Locator, **option: str) -> None:
        box.select_option(**option)
        self.fields[self.phase] += 1

    def sign_in(self) -> None:
        """On the sign-in page a protected page sent them to."""
        self.fill(self.page.get_by_label("Email"), "staff@lectern.example")
        self.fill(self.page.get_by_label("Password"), PASSWORD)
        self.send(self.page.get_by_role("button", name="Log in"))

    @property
    def total(self) -> int:
        return sum(self.actions.values())


def members_csv() -> str:
    lines = [
        "name,country,domains,tier,start_date,end_date,seats,registration_code,"
        "coordinator_name,coordinator_email"
    ]
    for name, country, domain, code in MEMBERS:
        lines.append(
            f"{name},{country},{domain},gold,2027-01-01,,,{code},Coordinator of {name},"
            f"coordinator@{domain}"
        )
    return "\n".join(lines)


def register(n: int, event: Event, now: datetime) -> Registration:
    """Trainee `n` registers with their organisation's code (organisation n % 5)."""
    name, _country, domain, code = MEMBERS[n % len(MEMBERS)]
    return registrations.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=code,
        details=details(n, name=f"Trainee {n:02d}", email=f"t{n:02d}@{domain}", affiliation=name),
        now=now,
    ).registration


def test_a_quarter_takes_under_60_staff_actions(page: Page) -> None:
    staff = Staff(page)
    user = user_ensure(email="staff@lectern.example", role="staff")
    user.set_password(PASSWORD)
    user.save()
    trainers = [
        user_ensure(email=f"trainer{n}@lectern.example", role="trainer", name=f"Trainer {n}")
        for n in range(1, 5)
    ]

    with time_machine.travel(at("2027-01-04T09:00"), tick=True) as clock:
        # -- Setting up: five members from one CSV, eight events from one format -------------
        staff.phase = "members"
        staff.open("/admin/memberships/membership/import/")
        staff.sign_in()
        staff.fill(page.get_by_label("CSV", exact=True), members_csv())
        staff.send(page.get_by_role("button", name="Preview or create"))
        expect(page.get_by_role("heading", name="Preview")).to_contain_text("5 to create")
        staff.tick(page.get_by_label("Create them"))
        staff.send(page.get_by_role("button", name="Preview or create"))
        expect(page.get_by_text("Created 5 members; 0 lines refused.")).to_be_visible()
        assert Membership.objects.count() == 5

        staff.phase = "events"
        for number, (zone, first, second) in enumerate(ZONES):
            staff.open("/admin/events/event/from-format/")
            staff.fill(page.get_by_label("Title"), f"Instructor Training, {zone.split('/')[1]}")
            staff.choose(page.get_by_label("Format"), value="two_full_days")
            staff.fill(page.get_by_label("First date", exact=True), first)
            staff.fill(page.get_by_label("Also on these first dates"), second)
            staff.fill(page.get_by_label("Timezone"), zone)
            staff.fill(page.get_by_label("Capacity"), "10")
            staff.fill(page.get_by_label("Minimum enrolment"), "4")
            pair = trainers[number], trainers[(number + 1) % len(trainers)]
            staff.choose(page.get_by_label("Trainers"), label=[t.email for t in pair])
            staff.send(page.get_by_role("button", name="Schedule an event from a format"))
            expect(page.get_by_text("Scheduled 2 events")).to_be_visible()
        events = sorted(Event.objects.all(), key=lambda e: e.first_start)
        assert len(events) == 8
        assert len({e.timezone for e in events}) == 4

        # -- Trainees register (40 people, 8 from each organisation) -------------------------
        now = at("2027-01-05T10:00")
        clock.move_to(now)
        people = iter(range(40))
        for event, count in zip(events, ENROLMENT, strict=True):
            for _ in range(count):
                register(next(people), event, now)

        # -- The scheduler decides enrolment two weeks before each event ----------------------
        clock.move_to(at("2027-02-04T09:00"))
        tick()
        # -- Three late withdrawals, after the cutoff of the February events (seats forfeited)
        clock.move_to(at("2027-02-10T12:00"))
        february = events[:4]
        late = [
            *Registration.objects.filter(event=february[0]).order_by("pk")[:2],
            *Registration.objects.filter(event=february[1]).order_by("pk")[:1],
        ]
        for registration in late:
            registrations.registration_withdraw(
                actor=Principal.trainee(registration.pk), registration=registration
            )
        assert {r.status for r in Registration.objects.filter(pk__in=[r.pk for r in late])} == {
            RegistrationStatus.FORFEITED
        }

        # -- After the February events: an emergency, then attendance ------------------------
        clock.move_to(at("2027-02-19T09:00"))
        tick()
        staff.phase = "emergency"
        staff.open("/admin/registrations/registration/")
        staff.sign_in()
        emergency = Registration.objects.filter(
            event=february[2], status=RegistrationStatus.CONFIRMED
        ).first()
        assert emergency is not None
        staff.fill(page.locator("#searchbar"), emergency.trainee.name)
        staff.send(page.get_by_role("button", name="Search"))
        staff.follow(page.locator("#result_list tbody").get_by_role("link").first)
        staff.follow(page.get_by_role("link", name="Emergency exception"))
        target = events[6]
        staff.choose(page.get_by_label("Move to event"), value=str(target.pk))
        staff.fill(page.get_by_label("Reason"), "Family emergency on the first day")
        staff.send(page.get_by_role("button", name="Emergency exception"))
        emergency.refresh_from_db()
        assert emergency.event_id == target.pk

        staff.phase = "attendance"
        staff.open("/staff/dashboard/")
        record_attendance(staff, february, fails=4)

        # -- The scheduler cancels the March event that stayed under its minimum -------------
        clock.move_to(at("2027-03-04T09:00"))
        tick()
        cancelled = events[7]
        cancelled.refresh_from_db()
        assert cancelled.status == EventStatus.CANCELLED
        for registration in Registration.objects.filter(event=cancelled):  # they choose again
            register(int(registration.trainee.email[1:3]), target, at("2027-03-04T10:00"))

        clock.move_to(at("2027-03-19T09:00"))
        tick()
        staff.phase = "attendance"
        staff.open("/staff/dashboard/")
        staff.sign_in()
        record_attendance(staff, events[4:7], fails=3)

        # -- Checkout: each step passed for everyone in one bulk action ----------------------
        clock.move_to(at("2027-04-05T09:00"))
        tick()
        assert Checkout.objects.filter(status="in_progress").count() == 30
        staff.phase = "checkout"
        staff.open("/staff/dashboard/")
        staff.sign_in()
        staff.follow(page.get_by_role("link", name="evaluate many at once"))
        steps = ["welcome_session", "get_involved", "teaching_demo"]
        for step in steps:
            staff.tick(page.locator("#action-toggle"))
            staff.choose(page.locator("select[name=action]"), value="evaluate_step")
            staff.send(page.get_by_role("button", name="Go"))
            staff.choose(page.get_by_label("Step"), value=step)
            staff.choose(page.get_by_label("State"), value="passed")
            staff.fill(page.get_by_label("Reason"), f"{step}: done, per the hosts' lists")
            staff.send(page.get_by_role("button", name="Preview"))
            expect(page.get_by_role("status")).to_contain_text("30 would change")
            staff.send(page.get_by_role("button", name="Apply to 30"))
            expect(page.get_by_role("status")).to_contain_text("Done: 30 changed")
            if step != steps[-1]:
                staff.follow(page.get_by_role("link", name="Back to the list"))
        assert Checkout.objects.filter(status="certified").count() == 30

        # -- Who was certified, with their organisation --------------------------------------
        staff.phase = "certified list"
        staff.open("/staff/exports/")
        staff.fill(page.get_by_label("From"), "2027-04-01")
        staff.fill(page.get_by_label("to", exact=True), "2027-04-30")
        with page.expect_download() as download:
            page.locator("#certificates-h ~ form").get_by_role("button", name="Download").click()
        staff.actions[staff.phase] += 1
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
        assert len(rows) == 30
        assert {r["organisation"] for r in rows} == {m[0] for m in MEMBERS}

    breakdown = ", ".join(
        f"{phase} {count} ({staff.fields[phase]} fields)" for phase, count in staff.actions.items()
    )
    print(f"\nquarter: {staff.total} staff actions: {breakdown}")
    assert staff.total < GOAL, breakdown


def record_attendance(staff: Staff, events: list[Event], *, fails: int) -> None:
    """From the dashboard's list, each event's roster: everyone present in full but `fails`
    trainees, who missed two hours of the first session; the save goes back to the list."""
    page = staff.page
    failed = 0
    for event in events:
        staff.follow(page.locator(f'a[href="/events/{event.pk}/roster/?next=/staff/dashboard/"]'))
        boxes = page.locator("input.minutes")
        for index in range(boxes.count()):
            first_session = index % event.sessions.count() == 0
            missed = "120" if first_session and failed < fails and index == 0 else "0"
            if missed == "120":
                failed += 1
            staff.fill(boxes.nth(index), missed)
        staff.send(page.get_by_role("button", name="Save attendance"))
        expect(page.get_by_text(f"Attendance saved: {event.title}.")).to_be_visible()
    assert failed == fails, "one trainee fails per event: give each event a failing trainee"

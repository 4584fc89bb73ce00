"""Every page Lectern serves, on one small world, for the checks that visit them all (axe,
phone widths): tests/world.py's organisations, events and trainees, plus what the other pages
need (an in-house event, a full event with a waiting list and an offer, a team registration
waiting for its details, checkout sessions, a trainer's availability). The world is written
once per module, served by one in-process live server at the world's time, and flushed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client
from django.test.utils import modify_settings, setup_databases, teardown_databases
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from lectern.accounts.services import login_link_create, user_ensure
from lectern.checkout_sessions.services import checkout_session_create, checkout_session_signup
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.memberships.models import Membership
from lectern.notifications.models import Message
from lectern.registrations import services as registrations
from lectern.registrations.models import Registration, WaitlistEntry, WaitlistStatus
from lectern.registrations.services import waitlist
from lectern.registrations.services.team import Person, team_register
from lectern.registrations.tests.conftest import details
from lectern.registrations.tokens import manage_token, trainee_token
from lectern.trainers.services import availability_set
from tests.world import NOW, build_world, fill

OFFER = "an-offer-for-the-accessibility-checks"


def _personal(registration: Registration) -> str:
    return trainee_token(registration.trainee_id, registration.trainee.link_nonce)


def build_site() -> dict[str, Any]:
    """tests/world.py's world and the rest; the ids and links that the page paths use."""
    world = build_world()
    ids = world["ids"]
    system = Principal.as_system()
    with time_machine.travel(NOW, tick=False):
        a = Membership.objects.get(pk=ids["A"])
        trainer = user_ensure(email="trainer@a.example")
        in_house = events.event_create(
            actor=system,
            title="In-house training",
            timezone="Europe/Madrid",
            sessions=[LocalTimes("2027-03-10T09:00", "2027-03-10T17:00")],
            capacity=10,
            min_enrolment=1,
            membership=a,
        )
        full = events.event_create(
            actor=system,
            title="Popular training",
            timezone="America/New_York",
            sessions=[
                LocalTimes("2027-03-15T09:00", "2027-03-15T13:00"),
                LocalTimes("2027-03-16T09:00", "2027-03-16T13:00"),
            ],
            capacity=1,
            min_enrolment=1,
        )
        registrations.registration_create(
            actor=system, event_id=full.pk, code=a.registration_code, details=details(6)
        )
        waiting = waitlist.waitlist_join(
            actor=system, event_id=full.pk, code=a.registration_code, details=details(7)
        )
        offered = waitlist.waitlist_join(
            actor=system, event_id=full.pk, code=a.registration_code, details=details(8)
        )
        WaitlistEntry.objects.filter(pk=offered.pk).update(
            status=WaitlistStatus.OFFERED,
            offered_at=NOW,
            offer_expires_at=datetime(2027, 1, 12, tzinfo=UTC),
            offer_digest=waitlist._digest(OFFER),
        )
        team = team_register(
            actor=Principal(user=user_ensure(email="coord@a.example")),
            membership_id=a.pk,
            event_id=ids["E2"],
            people=[Person("Team Member", "team@uni.example")],
        ).registrations[0]
        in_progress = Registration.objects.get(pk=ids["RT"])
        welcome = checkout_session_create(
            actor=system,
            kind="welcome_session",
            host=trainer,
            timezone="Asia/Tokyo",
            start="2027-01-20T18:00",
            end="2027-01-20T19:30",
            capacity=10,
            meeting_url="https://meet.example/welcome",
        )
        demo = checkout_session_create(
            actor=system,
            kind="teaching_demo",
            host=trainer,
            timezone="UTC",
            start="2027-01-09T15:00",
            end="2027-01-09T16:00",
            capacity=4,
            meeting_url="https://meet.example/demo",
            now=datetime(2027, 1, 6, tzinfo=UTC),
        )
        checkout_session_signup(
            actor=system,
            trainee=in_progress.trainee,
            session=demo,
            now=datetime(2027, 1, 7, tzinfo=UTC),
        )
        availability_set(
            actor=system,
            trainer=trainer,
            quarter="2027-Q1",
            days=[date(2027, 2, 9)],
            weeks=[date(2027, 2, 15)],
        )
        future = Registration.objects.get(pk=ids["R"])
        certified = Registration.objects.get(trainee__certificate__pk=ids["C"])
    return {
        "CHECKOUT": in_progress.trainee.checkout.pk,
        "MESSAGE": Message.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        **ids,
        "IH": in_house.pk,
        "FULL": full.pk,
        "CODE": a.registration_code,
        "WELCOME": welcome.pk,
        "DEMO": demo.pk,
        "TRAINER": trainer.pk,
        "TEAM": team.pk,
        "OFFER": OFFER,
        "manage": manage_token(future.pk, future.manage_nonce),
        "me": _personal(in_progress),
        "me_future": _personal(future),
        "me_certified": _personal(certified),
        "me_waiting": trainee_token(waiting.trainee_id, waiting.trainee.link_nonce),
        "me_team": _personal(team),
        "login": login_link_create(user=user_ensure(email="coord@a.example")).rsplit("/", 2)[-2],
        "users": world["users"],
    }


@dataclass(frozen=True)
class Case:
    """A page: who looks at it, its path (`{X}` filled from the site's ids), and optionally
    what to do on it first (the name of an action in ACTIONS)."""

    name: str
    who: str
    path: str
    action: str = ""
    status: int = 200

    def url(self, site: dict[str, Any]) -> str:
        return str(fill(self.path, {k: v for k, v in site.items() if k != "users"}))


PUBLIC = [
    Case("home", "anonymous", "/"),
    Case("calendar", "anonymous", "/calendar/"),
    Case("event", "anonymous", "/events/{E}/"),
    Case("register", "anonymous", "/events/{E}/register/"),
    Case("register-failed", "anonymous", "/events/{E}/register/", "submit_empty"),
    Case("register-full", "anonymous", "/events/{FULL}/register/"),
    Case("register-in-house", "anonymous", "/events/{IH}/register/?code={CODE}"),
    Case("verify", "anonymous", "/verify/{N}/"),
    Case("verify-unknown", "anonymous", "/verify/LI-2000-AAAAAA/", status=404),
    Case("directory", "anonymous", "/instructors/"),
    Case("login", "anonymous", "/login/"),
    Case("login-failed", "anonymous", "/login/", "submit_empty"),
    Case("login-sent", "anonymous", "/login/", "login_request"),
    Case("login-confirm", "anonymous", "/login/{login}/"),
    Case("waitlist-offer", "anonymous", "/waitlist/{OFFER}/"),
    Case("not-found", "anonymous", "/no-such-page/", status=404),
]
TRAINEE = [
    Case("personal", "anonymous", "/me/{me}/"),
    Case("personal-future", "anonymous", "/me/{me_future}/"),
    Case("personal-certified", "anonymous", "/me/{me_certified}/"),
    Case("personal-step-refused", "anonymous", "/me/{me}/", "submit_step"),
    Case("personal-waiting", "anonymous", "/me/{me_waiting}/"),
    Case("personal-registration", "anonymous", "/me/{me_future}/registrations/{R}/"),
    Case("personal-withdraw", "anonymous", "/me/{me_future}/registrations/{R}/withdraw/"),
    Case("personal-move-confirm", "anonymous", "/me/{me_future}/registrations/{R}/", "move"),
    Case("team-details", "anonymous", "/me/{me_team}/registrations/{TEAM}/details/"),
    Case("replace-link", "anonymous", "/me/{me}/replace-link/"),
    Case("erase", "anonymous", "/me/{me}/erase/"),
    Case("manage", "anonymous", "/manage/{manage}/"),
    Case("manage-withdraw", "anonymous", "/manage/{manage}/withdraw/"),
    Case("manage-move-confirm", "anonymous", "/manage/{manage}/", "move"),
]
SIGNED_IN = [
    Case("memberships", "coordinator", "/memberships/"),
    Case("membership", "coordinator", "/memberships/{A}/"),
    Case("event-in-house", "coordinator", "/events/{IH}/"),
    Case("team", "coordinator", "/memberships/{A}/team/"),
    Case("team-failed", "coordinator", "/memberships/{A}/team/", "submit_empty"),
    Case("trainer", "trainer", "/trainer/"),
    Case("roster", "trainer", "/events/{P}/roster/"),
    Case("attendance-import", "trainer", "/events/{P}/roster/import/"),
    Case("attendance-preview", "trainer", "/events/{P}/roster/import/", "import_preview"),
    Case("host-results", "trainer", "/checkout-sessions/{DEMO}/"),
    Case("availability", "trainer", "/trainers/{TRAINER}/"),
    Case("review", "trainer", "/review/"),
    Case("staff-roster", "staff", "/events/{P}/roster/"),
    Case("staff-review", "staff", "/review/"),
    Case("dashboard", "staff", "/staff/dashboard/"),
    Case("outbox", "staff", "/staff/outbox/"),
    Case("staffing", "staff", "/staff/staffing/"),
    Case("exports", "staff", "/staff/exports/"),
]
ADMIN = [
    Case("admin", "staff", "/admin/"),
    *(
        Case(f"admin-{model}", "staff", f"/admin/{model}/")
        for model in (
            "memberships/membership",
            "memberships/organization",
            "events/event",
            "registrations/registration",
            "registrations/trainee",
            "registrations/waitlistentry",
            "checkout/checkout",
            "checkout_sessions/checkoutsession",
            "certificates/certificate",
            "notifications/message",
            "notifications/messagetemplate",
            "trainers/trainerprofile",
            "trainers/availability",
            "accounts/user",
            "core/auditentry",
        )
    ),
    *(
        Case(f"admin-{path.strip('/').replace('/', '-')}", "staff", f"/admin/{path}")
        for path in (
            "memberships/membership/{A}/change/",
            "memberships/organization/{O}/change/",
            "events/event/{P}/change/",
            "registrations/registration/{RT}/change/",
            "registrations/trainee/{T}/change/",
            "certificates/certificate/{C}/change/",
            "checkout_sessions/checkoutsession/{DEMO}/change/",
            "checkout/checkout/{CHECKOUT}/change/",
            "notifications/message/{MESSAGE}/change/",
            "accounts/user/add/",
            "memberships/membership/create/",
            "memberships/membership/{A}/extend/",
            "memberships/membership/{A}/rollover/",
            "memberships/membership/{A}/code/",
            "events/event/{E}/duplicate/",
            "checkout/checkout/{CHECKOUT}/extend/",
            "certificates/certificate/{C}/reissue/",
            "registrations/trainee/{T}/merge/",
            "notifications/messagetemplate/registration_confirmed/es/edit/",
            "memberships/membership/new-member/",
            "memberships/membership/import/",
            "memberships/membership/{A}/seats/",
            "memberships/membership/{A}/contact/",
            "events/event/create/",
            "events/event/from-format/",
            "events/event/{E}/edit/",
            "events/event/{E}/cancel/",
            "events/event/{E}/message/",
            "registrations/registration/register/",
            "registrations/registration/{R}/move/",
            "registrations/registration/{R}/withdraw/",
            "registrations/registration/{R}/emergency/",
            "certificates/certificate/{C}/revoke/",
            "registrations/trainee/{T}/name/",
        )
    ),
    Case("admin-import-preview", "staff", "/admin/memberships/membership/import/", "members"),
    Case("admin-bulk-move", "staff", "/admin/registrations/registration/", "bulk_move"),
    Case("admin-bulk-evaluate", "staff", "/admin/checkout/checkout/", "bulk_evaluate"),
    Case("admin-bulk-refused", "staff", "/admin/checkout/checkout/", "bulk_evaluate_empty"),
    Case("admin-bulk-preview", "staff", "/admin/checkout/checkout/", "bulk_extension_preview"),
]
PAGES = PUBLIC + TRAINEE + SIGNED_IN + ADMIN


@contextmanager
def test_database() -> Iterator[None]:
    """The test database. pytest-django creates it only when a collected test is marked
    `django_db` (or takes `db` or `live_server`), and those get a flush after each test; these
    tests share one world instead, so they create it themselves when nothing else has."""
    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield
        return
    created = setup_databases(verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS})
    try:
        yield
    finally:
        teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def site(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The world, served by a live server in this process at the world's time (pytest-django's
    `live_server` would flush the database after each test), flushed when the module ends."""
    with django_db_blocker.unblock(), test_database(), time_machine.travel(NOW, tick=True):
        data = build_site()
        server = LiveServer("localhost")
        allowed = modify_settings(ALLOWED_HOSTS={"append": "localhost"})
        allowed.enable()
        try:
            yield {**data, "url": server.url}
        finally:
            allowed.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def signed_in(site: dict[str, Any], who: str) -> list[dict[str, Any]]:
    """The session cookie of one of the world's users (none for `anonymous`)."""
    user = {"coordinator": "coordinator", "trainer": None, "staff": "staff"}.get(who, "")
    if who == "anonymous":
        return []
    account = site["users"][user] if user else user_ensure(email="trainer@a.example")
    client = Client()
    client.force_login(account)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": site["url"]}]


class Contexts:
    """One browser context per (caller, language), made when first asked for; `setup` runs
    on each new one (to add a script, say)."""

    def __init__(self, browser: Browser, site: dict[str, Any], **options: Any) -> None:
        self.browser, self.site, self.options = browser, site, options
        self.made: dict[tuple[str, str], BrowserContext] = {}
        self.setup: Any = None

    def __call__(self, who: str, language: str) -> BrowserContext:
        if (who, language) not in self.made:
            ctx = self.browser.new_context(
                base_url=self.site["url"],
                locale=language,
                timezone_id="Europe/Berlin",
                **self.options,
            )
            ctx.add_cookies(signed_in(self.site, who))  # type: ignore[arg-type]
            if self.setup:
                self.setup(ctx)
            self.made[who, language] = ctx
        return self.made[who, language]

    def page(self, who: str, language: str) -> Page:
        """The context's one tab, reused from page to page (a new tab costs more than a
        navigation)."""
        ctx = self(who, language)
        return ctx.pages[0] if ctx.pages else ctx.new_page()

    def close(self) -> None:
        for ctx in self.made.values():
            ctx.close()


def _submit_empty(page: Page) -> None:
    """Send the page's main form as it is (the browser's own checks off, as a script or an
    old browser would), to see the page with its errors."""
    page.evaluate("document.querySelectorAll('main form').forEach(f => { f.noValidate = true; })")
    with page.expect_navigation():
        page.locator("main form:not(.inline) button[type=submit]").first.click()


def _login_request(page: Page) -> None:
    page.locator("input[type=email]").fill("coord@a.example")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _submit_step(page: Page) -> None:
    """Send the checkout step form with nothing in it: refused, said at the top of the page."""
    with page.expect_navigation():
        page.locator("form.checkout-form button[type=submit]").click()


REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Trainee 3,trainee3@uni.example,01/05/2027 08:55:00 AM,01/05/2027 05:00:00 PM,485,No\n"
    "iPad,,01/05/2027 09:30:00 AM,01/05/2027 05:00:00 PM,450,Yes\n"
)


def _import_preview(page: Page) -> None:
    """Upload a participant report with a matched and an unmatched line, and preview it."""
    page.locator("#report_file").set_input_files(
        files=[{"name": "report.csv", "mimeType": "text/csv", "buffer": REPORT.encode()}]
    )
    with page.expect_navigation():
        page.locator("button[value=preview]").first.click()
    assert page.locator("#unmatched").count() == 1


MEMBERS = (
    "name,country,tier,start_date,coordinator_name,coordinator_email\n"
    "Harbour University,NZ,gold,2027-02-01,Coral Ord,coral@harbour.example\n"
    "No Tier College,GB,tin,2027-02-01,Tim Tin,tim@tin.example\n"
)


def _members(page: Page) -> None:
    """Preview a members' import with a line that passes and one that is refused."""
    page.locator("#id_report").fill(MEMBERS)
    with page.expect_navigation():
        page.locator("main form button[type=submit], #content form [type=submit]").first.click()
    assert page.locator("td.errornote").count() == 1


def _move(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#move button[type=submit]").first.click()


def _bulk(action: str) -> Any:
    def run(page: Page) -> None:
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option(action)
        with page.expect_navigation():
            page.locator("button[name=index]").click()

    return run


def _bulk_preview(action: str, **fields: str) -> Any:
    """A bulk action's confirmation, then its Preview with these fields filled in."""

    def run(page: Page) -> None:
        _bulk(action)(page)
        for name, value in fields.items():
            page.locator(f"#id_{name}").fill(value)
        with page.expect_navigation():
            page.locator("button[value=preview]").click()
        assert page.locator(".bulk-outcomes" if fields else ".errornote").count() >= 1

    return run


ACTIONS: dict[str, Any] = {
    "submit_empty": _submit_empty,
    "login_request": _login_request,
    "move": _move,
    "submit_step": _submit_step,
    "import_preview": _import_preview,
    "members": _members,
    "bulk_move": _bulk("move_registrations"),
    "bulk_evaluate": _bulk("evaluate_step"),
    "bulk_evaluate_empty": _bulk_preview("evaluate_step"),
    "bulk_extension_preview": _bulk_preview("grant_extension", reason="Ill during the training"),
}


def visit(page: Page, case: Case, site: dict[str, Any]) -> None:
    """Open the case's page (and do its action); fail on a status the page should not have."""
    response = page.goto(case.url(site))
    assert response is not None
    assert response.status == case.status, (case.name, response.status, page.url)
    if case.action:
        ACTIONS[case.action](page)

"""`lectern demo`: load demonstration data once and print how to sign in."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import F

from lectern.accounts.models import User
from lectern.accounts.services import login_link_create, user_ensure
from lectern.checkout import services as checkout
from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events.demo import load_demo_events
from lectern.events.models import Event, EventStatus
from lectern.memberships import services
from lectern.memberships.models import Membership, Organization, Tier
from lectern.notifications.models import Message, MessageStatus
from lectern.registrations import services as registrations

STAFF_EMAIL = "staff@demo.lectern.example"
STAFF_PASSWORD = "lectern-demo-staff"
COORDINATOR_EMAIL = "coordinator@demo.lectern.example"
TRAINER_EMAIL = "trainer.ana@demo.lectern.example"
TRAINERS = ["Ana", "Ben", "Chiara", "Dev", "Emeka", "Freya", "Goran", "Hana"]
DEMO_NAMES = [
    ("Aroha", "Ngata"),
    ("Liam", "Chen"),
    ("Mere", "Walker"),
    ("Priya", "Raman"),
    ("Tom", "Hughes"),
    ("Sina", "Faleolo"),
]

ORGANISATIONS = [
    ("University of Wellington Demo", "NZ", Tier.GOLD),
    ("Rhine Valley Institute of Data", "DE", Tier.SILVER),
    ("Great Lakes Research Computing", "US", Tier.PLATINUM),
    ("Bengaluru Open Science Lab", "IN", Tier.BRONZE),
    ("Nordic Bioinformatics Network", "SE", Tier.TITANIUM),
    ("Andes Ecology Consortium", "CL", Tier.CUSTOM),
]


class Command(BaseCommand):
    help = "Load demo organisations, memberships and users (once), then print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load nothing if any organisation exists already.",
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if Organization.objects.exists() and if_empty:
            self.stdout.write("Demo data: already loaded.")
        else:
            self._load()
            self.stdout.write("Demo data: loaded.")
        self._print_logins()

    @transaction.atomic
    def _load(self) -> None:
        system = Principal.as_system()
        loaded_at = clock.now()
        today = loaded_at.date()
        staff = user_ensure(email=STAFF_EMAIL, role="staff", name="Demo Staff")
        staff.set_password(STAFF_PASSWORD)
        staff.save(update_fields=["password"])
        trainers = [
            user_ensure(
                email=f"trainer.{name.lower()}@demo.lectern.example",
                role="trainer",
                name=f"{name} Trainer",
            )
            for name in TRAINERS
        ]
        events = load_demo_events(
            actor=system, today=today, trainer_ids=[t.pk for t in trainers], stream=self.stderr
        )
        self.stdout.write(
            f"Demo events: {events.total} ({events.history} from the real public training "
            f"calendar, {events.repeated} repeating the last year's schedule a year later)."
        )
        start = date(today.year, today.month, 1) - timedelta(days=300)
        for index, (name, country, tier) in enumerate(ORGANISATIONS):
            org = services.organization_create(actor=system, name=name, country=country)
            starts = start + timedelta(days=200 if index == 0 else 40 * index)
            began = min(datetime.combine(starts, time(9), tzinfo=UTC), clock.now())
            membership = services.membership_create(
                actor=system,
                organization=org,
                tier=tier,
                start_date=starts,
                seats=8 if tier == Tier.CUSTOM else None,
                now=began,
            )
            if index == 0:
                services.contact_add(
                    actor=system,
                    membership=membership,
                    email=COORDINATOR_EMAIL,
                    name="Demo Coordinator",
                    role="coordinator",
                    now=began,
                )
                services.seats_add(
                    actor=system,
                    membership=membership,
                    delta=3,
                    reason="Demo: three extra seats purchased",
                    now=began + timedelta(days=20),
                )
            if index == 0:
                self._trainees(membership, system, began)
            services.contact_add(
                actor=system,
                membership=membership,
                email=f"billing{index}@demo.lectern.example",
                name=f"Billing Contact {index + 1}",
                role="billing",
            )
        self._history_unsent(loaded_at)

    def _history_unsent(self, loaded_at: datetime) -> None:
        """The trainees' history is written as of past moments (registered weeks before an
        event that is over, told its result then): those emails would tell people today that
        they are registered for events long over, with deadlines long passed. They stay in
        the outbox, cancelled; what is still true (a membership's welcome with its code, the
        registrations for coming events, the certificate) is sent."""
        Message.objects.filter(
            status=MessageStatus.PENDING, created_at__lt=loaded_at, object_type="registration"
        ).update(
            status=MessageStatus.CANCELLED,
            last_error="demo history: written as of a past moment, not sent",
            claimed_until=None,
        )

    def _trainees(self, membership: Any, system: Principal, began: datetime) -> None:
        """Trainees of the coordinator's membership: some registered for coming events, some
        trained last month (one failed, one certified and listed in the directory). Every
        registration is dated after the seats were granted (`began`), so that the
        coordinator's chart never shows fewer than zero seats available."""

        def person(n: int) -> registrations.TraineeDetails:
            first, last = DEMO_NAMES[n]
            return registrations.TraineeDetails(
                name=f"{first} {last}",
                email=f"{first.lower()}@demo.lectern.example",
                affiliation="University of Wellington Demo",
                country="NZ",
                technologies=["python", "git"],
                usage_frequency="weekly",
                carpentries_experience=["helper"],
                accept_code_of_conduct=True,
                accept_privacy=True,
                directory_consent=n == 0,
                timezone="Pacific/Auckland",
            )

        past = (
            Event.objects.filter(
                status=EventStatus.COMPLETED, first_start__gt=began + timedelta(days=2)
            )
            .order_by("-first_start")
            .first()
        )
        if past is not None:
            before = max(past.first_start - timedelta(days=20), began + timedelta(hours=1))
            trained = [
                registrations.registration_create(
                    actor=system,
                    event_id=past.pk,
                    code=membership.registration_code,
                    details=person(n),
                    now=before,
                    override_reason="demo history",
                ).registration
                for n in range(3)
            ]
            after = past.last_end + timedelta(hours=1)
            checkout.attendance_record(
                actor=system,
                event=past,
                now=after,
                records=[
                    checkout.AttendanceRecord(trained[0].pk, 0),
                    checkout.AttendanceRecord(trained[1].pk, 20),
                    checkout.AttendanceRecord(trained[2].pk, 95),
                ],
            )
            for requirement in ("welcome_session", "get_involved", "teaching_demo"):
                checkout.progress_record(
                    actor=system,
                    trainee=trained[0].trainee,
                    requirement=requirement,
                    state="passed",
                    now=max(after, datetime.now(tz=UTC)),
                )
        upcoming = Event.objects.filter(
            status=EventStatus.SCHEDULED,
            public=True,
            first_start__gt=clock.now() + timedelta(days=8),
            first_local_date__lte=membership.end_date,
        )
        for n, event in zip(range(3, 6), upcoming.order_by("first_start")[:3], strict=False):
            registrations.registration_create(
                actor=system,
                event_id=event.pk,
                code=membership.registration_code,
                details=person(n),
            )

    def _print_logins(self) -> None:
        base = settings.BASE_URL
        run = lectern_command()
        coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
        lines = [
            "",
            "Demo logins",
            f"  Staff:       {base}/admin/  email {STAFF_EMAIL}  password {STAFF_PASSWORD}",
        ]
        if coordinator is not None:
            link = login_link_create(user=coordinator)
            lines += [
                f"  Coordinator: {COORDINATOR_EMAIL} signs in by email link at {base}/login/",
                f"               (mail goes to {settings.EMAIL_FILE_PATH or 'the console'});",
                f"               or use this one-time link: {link}",
            ]
        lines.append(
            f"  Trainer:     {TRAINER_EMAIL} signs in the same way; "
            f"`{run} login-link --email {TRAINER_EMAIL}` prints a link"
        )
        membership = (
            Membership.objects.filter(contacts__email=COORDINATOR_EMAIL)
            .order_by("-start_date")
            .first()
        )
        event = (
            Event.objects.filter(
                status=EventStatus.SCHEDULED,
                public=True,
                registration_closes_at__gt=clock.now(),
                places_taken__lt=F("capacity"),
            )
            .order_by("first_start")
            .first()
        )
        if membership is not None and event is not None:
            lines.append(
                f"  Register:    {base}/events/{event.pk}/register/  with the code "
                f"{membership.registration_code} ({membership.organization})"
            )
        lines.append(f"  Calendar:    {base}/calendar/")
        lines.append(f"  API token:   {run} token --email you@example.org --role staff")
        self.stdout.write("\n".join(lines) + "\n")


def lectern_command() -> str:
    """How to run `lectern` from here: the virtual environment's script, relative to the
    current folder when it is inside it (`.venv/bin/lectern` from the project folder)."""
    script = Path(sys.executable).parent / "lectern"
    if not script.exists():
        return "lectern"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)

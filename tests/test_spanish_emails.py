"""Every kind of email reads in Spanish: a programme of Spanish events sends each kind through
the services and rules that send it, and every email written is Spanish through and through
(`tests.spanish`): subject, text and HTML, dates, deadlines and the words the code fills in.

An email follows its event's language; one about no event follows the page its reader asked
from (a sign-in link, the personal link), and a coordinator's membership emails, which no
one asks for, go in the default language: those are rendered in Spanish from the same
values, as staff's Spanish wording would be."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.checkout import services as checkout
from lectern.checkout_sessions.services import (
    checkout_session_cancel,
    checkout_session_create,
    checkout_session_signup,
)
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.models import Event
from lectern.events.services import LocalTimes
from lectern.memberships.checkins import checkin_parts
from lectern.memberships.selectors import membership_email_context
from lectern.notifications.kinds import kinds_all
from lectern.notifications.models import Message
from lectern.notifications.scheduler import RULES
from lectern.notifications.services import message_write, messages_write, render
from lectern.registrations import services as registrations
from lectern.registrations.services import team, waitlist
from lectern.registrations.services.cancel import event_cancel
from lectern.registrations.services.change import (
    registration_emergency,
    registration_move,
    registration_withdraw,
)
from lectern.registrations.services.messages import event_message_send
from lectern.registrations.tokens import trainee_token
from tests.factories import membership
from tests.spanish import assert_spanish, visible_text
from tests.spanish_world import SpanishWorld, person

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
SYSTEM = Principal.as_system()
# Emails about no event that no one asks for: the default language, English
MEMBERSHIP_KINDS = {"membership_welcome", "coordinator_checkin", "social_event_suggestion"}

pytestmark = pytest.mark.django_db


def run(rule: str, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        RULES[rule].run(at)


def programme(client: Client) -> dict[str, Any]:
    """Spanish events and everything that happens to their trainees, trainers and
    coordinators, from registration to certificate."""
    with time_machine.travel(NOW, tick=False):
        world = SpanishWorld.build()
        trainer, m, register = world.trainer, world.membership, world.register

        def event(day: str, **extra: Any) -> Any:
            return world.event(
                day,
                meeting_url="https://meet.example/sala",
                preparation_notes="Instale Zoom.",
                **extra,
            )

        ahead = event("2027-03-01", trainer_ids=[trainer.pk])  # the trainers' notice
        later = event("2027-04-05", title="Formación de abril")
        full = event("2027-03-15", title="Formación llena", capacity=1)
        doomed = event("2027-03-22", title="Formación cancelada", capacity=1)
        past = event("2027-01-05", trainer_ids=[trainer.pk], now=datetime(2026, 12, 1, tzinfo=UTC))

        moving = register(ahead, 1, "Ana García")  # confirmed
        registration_move(actor=SYSTEM, registration=moving, event_id=later.pk)  # moved
        leaving = register(ahead, 2, "Bruno Díaz")
        registration_withdraw(actor=SYSTEM, registration=leaving)  # withdrawn, seat released
        giving_up = register(full, 3, "Carla Soto")
        waitlist.waitlist_join(  # waiting list joined, then offered the place given up
            actor=SYSTEM, event_id=full.pk, code=m.registration_code, details=person(4, "Diego Paz")
        )
        registration_withdraw(actor=SYSTEM, registration=giving_up)
        register(doomed, 7, "Gloria Ríos")
        waitlist.waitlist_join(
            actor=SYSTEM,
            event_id=doomed.pk,
            code=m.registration_code,
            details=person(8, "Hugo Sanz"),
        )
        event_cancel(actor=SYSTEM, event=doomed, reason="Pocas inscripciones.")  # 3 kinds
        late = register(ahead, 6, "Felipe León")
        team.team_register(
            actor=SYSTEM,
            membership_id=m.pk,
            event_id=ahead.pk,
            people=[team.Person(name="Eva Núñez", email="persona5@uni.example")],
        )
        event_message_send(
            actor=SYSTEM, event=ahead, audience="confirmed", subject="Aviso", body="Hola a todos."
        )
        events.event_update(  # event changed, to trainees and trainers
            actor=SYSTEM,
            event=ahead,
            changes={"sessions": [LocalTimes("2027-03-02T09:00", "2027-03-02T17:00")]},
            reason="La sala no está disponible.",
        )

        december = datetime(2026, 12, 5, tzinfo=UTC)
        in_checkout = register(past, 9, "Irene Vega", now=december)
        certified = register(past, 10, "Jorge Luna", now=december)
        RULES["attendance_due"].run(NOW)  # to the trainer
        checkout.attendance_record(  # the results, and checkouts open
            actor=SYSTEM,
            event=past,
            records=[
                checkout.AttendanceRecord(in_checkout.pk, 0),
                checkout.AttendanceRecord(certified.pk, 0),
            ],
        )
        for requirement in ("welcome_session", "get_involved", "teaching_demo"):
            checkout.progress_record(
                actor=SYSTEM, trainee=certified.trainee, requirement=requirement, state="passed"
            )
        checkout.extension_grant(actor=SYSTEM, trainee=in_checkout.trainee, reason="Baja médica.")
        session = checkout_session_create(
            actor=SYSTEM,
            kind="welcome_session",
            host=trainer,
            timezone="Europe/Madrid",
            start="2027-01-20T17:00",
            end="2027-01-20T18:00",
            capacity=10,
            meeting_url="https://meet.example/bienvenida",
            language="es",
        )
        trainee = in_checkout.trainee
        trainee.timezone = "America/Mexico_City"
        trainee.save(update_fields=["timezone"])
        checkout_session_signup(actor=SYSTEM, trainee=trainee, session=session)
        demo = checkout_session_create(
            actor=SYSTEM,
            kind="teaching_demo",
            host=trainer,
            timezone="Europe/Madrid",
            start="2027-01-27T17:00",
            end="2027-01-27T18:00",
            capacity=4,
            meeting_url="https://meet.example/demo",
            language="es",
        )
        checkout_session_signup(actor=SYSTEM, trainee=trainee, session=demo)
        checkout_session_cancel(actor=SYSTEM, session=demo, reason="La formadora está enferma.")
        # Asked for from Spanish pages: a sign-in link, the personal link, a new personal link
        client.post("/login/", {"email": "formadora@a.example"}, HTTP_ACCEPT_LANGUAGE="es")
        client.post("/login/", {"email": "persona9@uni.example"}, HTTP_ACCEPT_LANGUAGE="es")
        token = trainee_token(trainee.pk, trainee.link_nonce)
        client.post(f"/me/{token}/replace-link/", HTTP_ACCEPT_LANGUAGE="es")

    run("checkout_session_reminders", datetime(2027, 1, 20, 0, 0, tzinfo=UTC))
    run("team_details_reminders", datetime(2027, 2, 21, 12, 0, tzinfo=UTC))
    cutoff = datetime(2027, 2, 23, 9, 0, tzinfo=UTC)  # a week before the new first day
    run("preparation_emails", cutoff)
    run("team_details_release", cutoff)
    with time_machine.travel(cutoff, tick=False):
        registration_withdraw(actor=SYSTEM, registration=late)  # forfeited
        late.refresh_from_db()
        registration_emergency(actor=SYSTEM, registration=late, reason="Enfermedad.")
    deadline = in_checkout.trainee.checkout.deadline
    run(
        "checkout_reminders",
        datetime.combine(deadline - timedelta(days=29), datetime.min.time(), UTC),
    )
    run("checkout_expiry", datetime.combine(deadline + timedelta(days=2), datetime.min.time(), UTC))
    return {"m": m}


def test_every_kind_of_email_reads_in_spanish(client: Client) -> None:
    world = programme(client)
    assert messages_write(list(Message.objects.filter(written=False))) == {}  # as the sender does
    sent = {kind.name: Message.objects.filter(kind=kind.name) for kind in kinds_all()}
    missing = sorted(
        k for k, messages in sent.items() if not messages and k not in MEMBERSHIP_KINDS
    )
    assert missing == []
    for kind, messages in sent.items():
        if kind in MEMBERSHIP_KINDS:
            continue
        for message in messages:
            assert '<html lang="es">' in message.body_html, kind
            text = f"{message.subject} {message.body_text} {visible_text(message.body_html)}"
            assert_spanish(text, "Hola")
    spot = {
        "registration_confirmed": "Está inscrito/a en Formación de instructores",
        "seat_forfeited": "Se ha retirado de Formación de instructores",
        "attendance_result": "Enhorabuena: ha completado Formación de instructores.",
        "checkout_reminder": "Sesión de bienvenida",  # an open step, in the email's language
        "extension_granted": "hasta el 5 de julio de 2027",  # a date in words
        "checkout_session_reminder": "su hora (America/Mexico_City): mié 20 ene 2027",
        "event_changed": "Antes era:",
        "waitlist_offer": "Acéptela antes del",
        "event_approaching_trainer": "Enseña en Formación de instructores",
        "attendance_due": "después de que termine la última sesión",
        "login_link": "Su enlace para iniciar sesión",
        "trainee_sign_in": "Ha pedido su enlace personal.",
    }
    for kind, words in spot.items():
        message = sent[kind].first()
        assert message is not None
        assert words in f"{message.subject} {message.body_text}", kind
    # A membership's emails go in the default language; their Spanish wording reads Spanish
    m = world["m"]
    today = NOW.date()
    assert "Welcome" in sent["membership_welcome"].get().subject
    contexts = {
        "membership_welcome": membership_email_context(m, today),
        "coordinator_checkin": {
            **membership_email_context(m, today),
            **checkin_parts(m, today),
            "months": 3,
        },
        "social_event_suggestion": {
            "membership": m,
            "events": list(Event.objects.filter(registrations__membership=m).distinct()),
        },
    }
    for kind, context in contexts.items():
        rendered = render(kind, {**context, "recipient_name": "Marta Ruiz"}, language="es")
        text = f"{rendered.subject} {rendered.text} {visible_text(rendered.html)}"
        assert_spanish(text, "Hola, Marta Ruiz:")
    checkin = render("coordinator_checkin", contexts["coordinator_checkin"], language="es")
    assert "superó la formación" in checkin.text
    assert "Sesión de bienvenida: sin empezar" in checkin.text


def test_an_english_event_still_writes_english(client: Client) -> None:
    """The control: the same wording for an English event is English, and found so."""
    from tests.spanish import english_left

    with time_machine.travel(NOW, tick=False):
        m = membership(tier="gold", start_date=date(2026, 10, 1))
        event = events.event_create(
            actor=SYSTEM,
            title="Formación",
            timezone="Europe/Madrid",
            sessions=[LocalTimes("2027-03-01T09:00", "2027-03-01T17:00")],
            capacity=10,
            min_enrolment=1,
        )
        registrations.registration_create(
            actor=SYSTEM, event_id=event.pk, code=m.registration_code, details=person(1, "Ana")
        )
    message = message_write(Message.objects.get(kind="registration_confirmed"))
    assert english_left(message.body_text)

"""Every page trainees, coordinators, trainers and the public see reads in Spanish: asked for
with the browser's `Accept-Language: es`, each answers in Spanish, with the Spanish words
it should hold and no English left (`tests.spanish`), refusals and flash messages included.
The back office (`/admin/`, `/staff/`) stays English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.checkout import services as checkout
from lectern.checkout_sessions.services import checkout_session_create
from lectern.core.permissions import Principal
from lectern.registrations.services import team, waitlist
from lectern.registrations.tokens import manage_token, trainee_token
from tests.spanish import assert_spanish, visible_text
from tests.spanish_world import SpanishWorld, person

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}

pytestmark = pytest.mark.django_db


def link(registration: Any) -> str:
    trainee = registration.trainee
    trainee.refresh_from_db()
    return trainee_token(trainee.pk, trainee.link_nonce)


@pytest.fixture
def world() -> Any:
    """Spanish events: one ahead, one full, one past with a trainee in checkout and one
    certified; a team registration awaiting details; a waiting list; a welcome session."""
    system = Principal.as_system()
    with time_machine.travel(NOW, tick=False):
        world = SpanishWorld.build()
        trainer, m = world.trainer, world.membership

        def event(day: str, **extra: Any) -> Any:
            return world.event(day, trainer_ids=[trainer.pk], **extra)

        ahead, full = event("2027-03-01"), event("2027-03-08", title="Formación llena", capacity=1)
        past = event("2027-01-05", now=datetime(2026, 12, 1, tzinfo=UTC))

        register = world.register

        ahead_reg = register(ahead, 1, "Ana García")
        register(full, 2, "Bruno Díaz")
        waiting = waitlist.waitlist_join(
            actor=system,
            event_id=full.pk,
            code=m.registration_code,
            details=person(3, "Carla Soto"),
        )
        december = datetime(2026, 12, 5, tzinfo=UTC)
        in_checkout = register(past, 4, "David Mora", now=december)
        certified = register(past, 5, "Elena Vidal", now=december)
        checkout.attendance_record(
            actor=system,
            event=past,
            records=[
                checkout.AttendanceRecord(in_checkout.pk, 0),
                checkout.AttendanceRecord(certified.pk, 0),
            ],
        )
        for requirement in ("welcome_session", "get_involved", "teaching_demo"):
            checkout.progress_record(
                actor=system, trainee=certified.trainee, requirement=requirement, state="passed"
            )
        checkout.progress_record(
            actor=Principal.personal(in_checkout.trainee_id),
            trainee=in_checkout.trainee,
            requirement="get_involved",
            state="submitted",
            evidence=checkout.EvidenceIn(
                kind="meeting", date=date(2027, 1, 8), description="Reunión"
            ),
        )
        session = checkout_session_create(
            actor=system,
            kind="welcome_session",
            host=trainer,
            timezone="Europe/Madrid",
            start="2027-01-20T17:00",
            end="2027-01-20T18:00",
            capacity=10,
            meeting_url="https://meet.example/bienvenida",
            language="es",
        )
        coordinator = user_ensure(email="coord@a.example")
        pending = team.team_register(
            actor=Principal(user=coordinator),
            membership_id=m.pk,
            event_id=ahead.pk,
            people=[team.Person(name="Fernando Gil", email="persona6@uni.example")],
        ).registrations[0]
    return {
        "m": m,
        "trainer": trainer,
        "coordinator": coordinator,
        "ahead": ahead,
        "past": past,
        "session": session,
        "ahead_reg": ahead_reg,
        "waiting": waiting,
        "in_checkout": in_checkout,
        "certified": certified,
        "pending": pending,
    }


@pytest.fixture
def now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def spanish(client: Client, path: str, *expected: str, status: int = 200, **kw: Any) -> str:
    response = client.get(path, **ES, **kw)
    assert response.status_code == status, path
    page = response.content.decode()
    assert '<html lang="es">' in page
    text = visible_text(page)
    assert_spanish(text, *expected)
    return text


def test_the_home_page_and_signing_in_read_in_spanish(client: Client, now: Any) -> None:
    spanish(client, "/", "Ver el calendario de formación", "Iniciar sesión con su correo")
    spanish(client, "/login/", "Enviarme mi enlace")
    sent = client.post("/login/", {"email": "nadie@uni.example"}, **ES).content.decode()
    assert_spanish(visible_text(sent), "Revise su correo", "durante 15 minutos")
    refused = client.post("/login/", {"email": "no es correo"}, **ES).content.decode()
    assert "Su correo electrónico" in refused
    spanish(client, "/login/un-enlace/", "Pulse el botón para terminar de iniciar sesión.")
    wrong = client.post("/login/un-enlace/", **ES)
    assert wrong.status_code == 404
    assert_spanish(visible_text(wrong.content.decode()), "no es válido: ya se usó o ha caducado")


def test_the_personal_page_of_a_trainee_in_checkout(client: Client, world: Any, now: Any) -> None:
    me = f"/me/{link(world['in_checkout'])}/"
    spanish(
        client,
        me,
        "Mi formación",
        "Certificación final",
        "Complete todos los pasos antes del",
        "de abril de 2027",  # the deadline as a date in words
        "Participación (Get Involved)",
        "Enviado",
        "reunión de la comunidad",
        "Sesión de bienvenida",  # the session to sign up for, by its kind
        "Directorio de instructores",
        "formación superada",  # the registration's status
    )
    # A refusal and a confirmation come back in Spanish, on the same page
    client.post(f"{me}checkout/", {"requirement": "get_involved", "kind": "served"}, **ES)
    spanish(client, me, "Indique la fecha de la actividad.", "Indique el enlace de la actividad.")
    client.post(f"{me}name/", {"name": "David Mora Ruiz"}, **ES)
    spanish(client, me, "Hemos pedido al equipo del programa que corrija su nombre")
    session = world["session"].pk
    client.post(f"{me}checkout-sessions/{session}/signup/", **ES)
    spanish(client, me, "Se ha inscrito: Sesión de bienvenida.", "Dejar esta sesión de bienvenida")
    client.post(f"{me}directory/", {"github": "no válido!"}, **ES)
    spanish(client, me, "Un nombre de usuario de GitHub: letras, cifras y guiones.")


def test_a_certified_trainee_a_waiting_list_and_a_team_registration(
    client: Client, world: Any, now: Any
) -> None:
    spanish(
        client,
        f"/me/{link(world['certified'])}/",
        "Es instructor/a certificado/a",
        "Descargar su certificado (PDF)",
    )
    entry = world["waiting"]
    waiting = f"/me/{trainee_token(entry.trainee_id, entry.trainee.link_nonce)}/"
    spanish(client, waiting, "Listas de espera", "(en espera)", "Salir")
    client.post(f"{waiting}waitlist/{entry.pk}/leave/", **ES)
    spanish(client, waiting, "Ha salido de la lista de espera.")
    pending = world["pending"]
    me = f"/me/{link(pending)}/"
    spanish(client, me, "pendiente de datos", "Complete sus datos")
    spanish(
        client,
        f"{me}registrations/{pending.pk}/details/",
        "Complete su inscripción",
        "le ha inscrito en",
        "Confirmar mi inscripción",
    )


def test_replacing_the_link_and_erasing_the_data(client: Client, world: Any, now: Any) -> None:
    me = f"/me/{link(world['ahead_reg'])}/"
    spanish(client, f"{me}replace-link/", "¿Sustituir su enlace personal?", "Conservarlo")
    spanish(client, f"{me}erase/", "¿Borrar sus datos personales?", "Entiendo que el borrado")
    refused = client.post(f"{me}erase/", **ES)
    assert refused.status_code == 422
    assert_spanish(visible_text(refused.content.decode()), "Marque la casilla para confirmar")
    erased = client.post(f"{me}erase/", {"confirm": "yes"}, **ES).content.decode()
    assert_spanish(visible_text(erased), "Sus datos personales se han borrado")
    replaced = f"/me/{link(world['certified'])}/"
    page = client.post(f"{replaced}replace-link/", **ES).content.decode()
    assert_spanish(visible_text(page), "Su enlace personal se ha sustituido")


def test_the_coordinators_pages(client: Client, world: Any, now: Any) -> None:
    client.force_login(world["coordinator"])
    m = world["m"]
    spanish(client, "/memberships/", "Membresías que coordina", "Oro")
    spanish(
        client,
        f"/memberships/{m.pk}/",
        "Membresía Oro, del 1 de octubre de 2026 al 30 de septiembre de 2027.",
        "Código de inscripción",
        "Concedidas",
        "Uso de plazas a lo largo del año de membresía",
        "superada",  # the attendance result of a trainee
        "Demostración docente: sin empezar",  # a checkout step and its state
        "Pendiente de datos",
        "Oct Nov Dic Ene",  # the chart's months
    )
    registration = world["ahead_reg"]
    theirs = f"/memberships/{m.pk}/registrations/{registration.pk}/"
    spanish(client, theirs, "Inscripción de Ana García", "Volver a la membresía de")
    spanish(client, f"{theirs}withdraw/", "¿Retirar a Ana García de Formación de instructores?")
    spanish(client, f"/memberships/{m.pk}/team/", "Inscribir a su equipo", "Elija un evento…")
    refused = client.post(
        f"/memberships/{m.pk}/team/",
        {
            "event_id": world["ahead"].pk,
            "people": "name,email\nsin correo\nDos, dos@uni.example, tres@uni.example",
        },
        **ES,
    )
    assert_spanish(
        visible_text(refused.content.decode()),
        "No hay correo electrónico en esta línea.",
        "Hay más de un correo electrónico en esta línea.",
    )


def test_the_trainers_pages(client: Client, world: Any, now: Any) -> None:
    client.force_login(world["trainer"])
    past, trainer = world["past"], world["trainer"]
    spanish(
        client,
        "/trainer/",
        "Eventos en los que enseña",
        "Asistencia pendiente",
        "Ninguno: todos los eventos que impartió tienen su asistencia.",
        "Próximos",
        "Sesiones de bienvenida y demostraciones docentes que dirige",
        "Cuándo puede enseñar en 2027-Q1",
        "Su perfil de formador/a",
    )
    spanish(
        client,
        f"/events/{past.pk}/roster/",
        "Asistencia: Formación de instructores",
        "La asistencia está cerrada: el evento está finalizado.",
        "Formación superada: 0 min de ausencia",
        "Guardar asistencia",
    )
    spanish(
        client,
        f"/events/{world['ahead'].pk}/roster/",
        "La asistencia se cierra el",
        "después de que termine la última sesión:",
        "sin empezar",
    )
    spanish(client, f"/events/{past.pk}/roster/import/", "Importar asistencia", "Vista previa")
    refused = client.post(f"/events/{past.pk}/roster/import/", {"action": "preview"}, **ES)
    assert_spanish(
        visible_text(refused.content.decode()),
        "Elija el informe de participantes (CSV) que quiere subir.",
        allowed=("Show unique users",),
    )
    spanish(
        client,
        f"/checkout-sessions/{world['session'].pk}/",
        "Sesión de bienvenida",
        "Los resultados se registran cuando la sesión ha empezado.",
    )
    spanish(client, f"/trainers/{trainer.pk}/", "Idiomas en los que enseña", "Eventos impartidos")
    refused = client.post(
        f"/trainers/{trainer.pk}/", {"name": "Lucía", "languages": "es", "timezone": "Nope"}, **ES
    )
    assert_spanish(visible_text(refused.content.decode()), "no es una zona horaria IANA")
    client.post(
        f"/trainers/{trainer.pk}/availability/",
        {"quarter": "2027-Q1", "days": "2027-02-03"},
        **ES,
    )
    spanish(client, f"/trainers/{trainer.pk}/", "Disponibilidad para 2027-Q1 guardada.")
    spanish(client, "/review/", "Pasos de la certificación final por revisar")


def test_the_public_directory_and_certificate_pages(client: Client, world: Any, now: Any) -> None:
    certificate = world["certified"].trainee.certificate
    spanish(client, "/instructors/", "Instructores certificados")
    spanish(client, f"/verify/{certificate.number}/", "Válido.", "es instructor/a certificado/a")
    spanish(client, "/verify/LT-0000-0000/", "Ningún certificado tiene este número.", status=404)


def test_the_public_registration_pages_read_in_spanish(
    client: Client, world: Any, now: Any
) -> None:
    """The calendar, an event, registering (refused and done), managing a registration."""
    ahead, m = world["ahead"], world["m"]
    spanish(client, "/calendar/", "Calendario de formación de instructores")
    spanish(client, f"/events/{ahead.pk}/", "Horario", "Inscribirse")
    spanish(client, f"/events/{ahead.pk}/register/", "Código de inscripción")
    wrong = client.post(
        f"/events/{ahead.pk}/register/", {"action": "register", "code": "NO-VALE"}, **ES
    )
    assert_spanish(visible_text(wrong.content.decode()), "Indique su nombre.")
    registration = world["ahead_reg"]
    manage = f"/manage/{manage_token(registration.pk, registration.manage_nonce)}/"
    spanish(client, manage, "Su inscripción", "Estado Confirmada", "Retirarse de este evento…")
    spanish(client, f"{manage}withdraw/", "¿Retirarse de Formación de instructores?")
    taken = client.post(
        f"/events/{ahead.pk}/register/",
        {
            "action": "register",
            "code": m.registration_code,
            "name": "Ana García",
            "email": "persona1@uni.example",
            "affiliation": "Universidad",
            "country": "ES",
            "technologies": ["python"],
            "usage_frequency": "weekly",
            "carpentries_experience": ["helper"],
            "accept_code_of_conduct": "on",
            "accept_privacy": "on",
        },
        **ES,
    )
    assert_spanish(visible_text(taken.content.decode()), "Ya está inscrito/a en este evento.")


def test_the_same_page_in_english_is_found_english(client: Client, world: Any, now: Any) -> None:
    """The control: what these tests look for is there when the page is not translated."""
    from tests.spanish import english_left

    page = client.get(f"/me/{link(world['in_checkout'])}/").content.decode()
    assert '<html lang="en">' in page
    assert english_left(visible_text(page))

"""English and Spanish: the catalog is complete, pages follow the browser and the switch,
an event's language decides its emails; one way to write time; errors at their field."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from lectern.events.timezones import span_text
from lectern.notifications.models import Message
from lectern.notifications.services import message_write

from .conftest import make_event
from .test_pages import form_data

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2]  # src/lectern
CATALOG = PACKAGE / "locale" / "es" / "LC_MESSAGES"


def _msgids(po: Path) -> set[str]:
    """The msgids of a .po file (first form of each plural, `context\x04msgid` with a
    context, as the compiled catalog keys them), unescaped."""
    ids, context, current = set(), "", None

    def text(quoted: str) -> str:
        return quoted.encode().decode("unicode_escape").encode("latin-1").decode()

    for line in [*po.read_text().splitlines(), ""]:
        if line.startswith("msgctxt "):
            context = text(line[8:].strip('"')) + "\x04"
        elif line.startswith("msgid "):
            current = line[6:].strip('"')
        elif current is not None and line.startswith('"'):
            current += line.strip('"')
        elif current is not None:
            if current:
                ids.add(context + text(current))
            context, current = "", None
    return ids


@pytest.mark.slow
def test_every_message_in_the_code_is_translated_into_spanish(tmp_path: Path) -> None:
    # Extract afresh from a copy of the code (makemessages writes into ./locale)...
    copy = tmp_path / "lectern"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "*.po", "__pycache__"))
    cwd = Path.cwd()
    try:
        import os

        os.chdir(copy)
        call_command(
            "makemessages",
            locale=["es"],
            ignore_patterns=["*/tests/*", "static/*", "templates/admin/*"],
            no_location=True,
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    extracted = _msgids(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 700  # every page people see and every kind of email
    # ...every one has a Spanish translation in the compiled catalog Django reads
    with (CATALOG / "django.mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    untranslated = sorted(
        m
        for m in extracted
        if not catalog._catalog.get(m)
        and not any(  # type: ignore[attr-defined]
            k[0] == m and v
            for k, v in catalog._catalog.items()
            if isinstance(k, tuple)  # type: ignore[attr-defined]
        )
    )
    assert untranslated == []


def test_the_catalog_is_whole_and_compiled(tmp_path: Path) -> None:
    """Nothing fuzzy or untranslated in the .po (msgfmt's count), and the committed .mo
    (installs need no gettext) is the .po compiled: else `make messages`. Rendering each page
    and email in Spanish is `tests/test_spanish_pages.py` and `tests/test_spanish_emails.py`."""
    mo = CATALOG / "django.mo"
    assert mo.exists(), "compile the catalogs: make messages"
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(CATALOG / "django.po")], check=True)
    with fresh.open("rb") as f:
        assert gettext.GNUTranslations(f)._catalog == catalog._catalog, "run make messages"  # type: ignore[attr-defined]
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOG / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats, stats
    assert "fuzzy" not in stats, stats


def test_pages_follow_the_browser_and_the_switch(client: Client, event) -> None:
    english = client.get("/calendar/").content.decode()
    assert '<html lang="en">' in english
    assert "Training calendar" in english
    spanish = client.get("/calendar/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in spanish
    assert "Calendario de formación de instructores" in spanish
    assert "mié 10 mar 2027" in spanish  # day and month names follow the language
    assert "en línea, en inglés" in spanish  # the event's language by name
    # The switch: a POST with CSRF to Django's set_language, remembered in a cookie
    switch = re.search(r'action="(/i18n/setlang/)"', english)
    assert switch
    assert 'name="language" value="es"' in english
    assert ">Español<" in english
    client.post("/i18n/setlang/", {"language": "es", "next": "/calendar/"})
    assert "Calendario de formación" in client.get("/calendar/").content.decode()


def test_an_events_language_decides_its_emails_and_its_pages_default(client: Client, member):
    event = make_event(language="es", title="Formación de instructores")
    url = f"/events/{event.pk}/"
    # a visitor who asks for no language Lectern has reads the event's
    for asked in ("", "fr-FR,fr;q=0.9", "*"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=asked).content.decode()
        assert '<html lang="es">' in page, asked
        assert "en línea, en español" in page, asked
        form = client.get(f"{url}register/", HTTP_ACCEPT_LANGUAGE=asked).content.decode()
        assert 'name="page_language" value="es"' in form
    # one who asks for English, by browser or by the switch, reads English
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert "online, in Spanish" in page  # the language by name, not "in es"
    client.cookies["django_language"] = "en"
    assert "online, in Spanish" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    del client.cookies["django_language"]
    client.post(f"/events/{event.pk}/register/", form_data(event, member))
    email = message_write(Message.objects.get(kind="registration_confirmed"))
    assert (
        email.subject
        == "Inscripción confirmada: Formación de instructores, desde el mié 10 mar 2027"
    )
    assert "Hola, Trainee 0:" in email.body_text
    assert "Está inscrito/a en Formación de instructores (en línea)" in email.body_text
    assert "7 días antes del evento" in email.body_text
    assert '<html lang="es">' in email.body_html
    english = make_event(day="2027-04-10", title="English training")
    with translation.override("es"):  # whatever the request's language, English for English
        client.post(f"/events/{english.pk}/register/", form_data(english, member, n=1))
    assert "You are registered for English training" in (
        message_write(
            Message.objects.get(kind="registration_confirmed", recipient="trainee1@uni.example")
        ).body_text
    )


def test_a_session_across_midnight_shows_both_dates() -> None:
    nz = ZoneInfo("Pacific/Auckland")
    start, end = datetime(2027, 7, 5, 20, tzinfo=nz), datetime(2027, 7, 6, 4, tzinfo=nz)
    assert span_text(start, end) == "Mon 5 Jul 2027, 20:00 \u2013 Tue 6 Jul, 04:00 NZST"
    assert span_text(start, start.replace(hour=23)) == "Mon 5 Jul 2027, 20:00\u201323:00 NZST"
    with translation.override("es"):
        assert span_text(start, end) == "lun 5 jul 2027, 20:00 \u2013 mar 6 jul, 04:00 NZST"


def test_an_empty_form_says_what_is_missing_at_each_field_and_in_a_summary(client, event):
    page = client.post(f"/events/{event.pk}/register/", {"action": "register"}).content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))
    ]
    assert 'href="#id_code"' in summary  # the code field gets its error too
    assert 'href="#id_name">Your name: Give your name.' in summary
    assert (
        'href="#id_usage_frequency_0">How often do you use them?: Choose how often you use them.'
        in summary
    )
    assert "daily, weekly" not in page
    assert 'id="id_code_error"' in page
    assert "Please correct the fields marked below" not in page
    spanish = client.post(
        f"/events/{event.pk}/register/", {"action": "register"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Su nombre: Indique su nombre." in spanish


def test_the_favicon_answers(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert 'rel="icon"' in client.get("/").content.decode()


def test_a_one_field_refusal_reads_once_in_plain_words() -> None:
    from lectern.core.errors import Invalid

    refusal = Invalid.field("kind", "Choose the kind of Get Involved activity.")
    assert refusal.explained() == "Choose the kind of Get Involved activity."


def test_a_rate_limit_says_how_many_minutes_in_words() -> None:
    from lectern.core.ratelimit import Limit

    limit = Limit(scope="s", limit=1, window_seconds=600, message="Try again in {wait}.")
    start = datetime(2027, 1, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
    later = start.replace(minute=3)  # 7 minutes of the 10-minute window left
    assert limit.refusal(later).message == "Try again in 7 minutes."
    assert limit.refusal(start.replace(minute=9, second=30)).message == "Try again in 1 minute."

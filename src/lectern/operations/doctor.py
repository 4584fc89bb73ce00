"""`lectern doctor`: check the configuration as the running service will see it, and say
what is wrong and how to fix it. Nothing is changed and no email is sent.

Each check gives findings: `problem` (Lectern will not work as it should; the command
exits non-zero) or `warning` (it works, but probably not as meant; non-zero with
`--strict`).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host
from reportlab.pdfbase.ttfonts import TTFError

from lectern.certificates.pdf import fallback_fonts, has_glyph, layout_path, load_layout
from lectern.events.models import Event
from lectern.operations.readiness import _database, _migrations

PROBLEM, WARNING, OK = "problem", "warning", "ok"


@dataclass(frozen=True)
class Finding:
    check: str
    level: str
    message: str
    fix: str = ""


Check = Callable[[], Iterator[Finding]]


def check_secret_key() -> Iterator[Finding]:
    key, given = settings.SECRET_KEY, bool(os.environ.get("LECTERN_SECRET_KEY"))
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        yield Finding(
            "secret key",
            PROBLEM,
            "The secret key is short or guessable; anyone who knows it can forge links.",
            "Set LECTERN_SECRET_KEY to 50+ random characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
        )
    elif not given:
        yield Finding(
            "secret key",
            WARNING,
            f"The secret key comes from {settings.DATA_DIR / 'secret_key'}, made on first run.",
            "Fine on one machine. With several, set the same LECTERN_SECRET_KEY on each "
            "(and production settings require it).",
        )
    else:
        yield Finding("secret key", OK, "set from LECTERN_SECRET_KEY")


def check_base_url_and_hosts() -> Iterator[Finding]:
    url = urlsplit(settings.BASE_URL)
    host = url.hostname or ""
    if url.scheme not in {"http", "https"} or not host:
        yield Finding(
            "base URL",
            PROBLEM,
            f"LECTERN_BASE_URL {settings.BASE_URL!r} is not an http(s) address with a host: "
            "every link in every email is built from it.",
            "Set LECTERN_BASE_URL to the public address, e.g. https://training.example.org.",
        )
        return
    local = host in {"127.0.0.1", "localhost", "::1"}
    if local and not settings.DEBUG:
        yield Finding(
            "base URL",
            WARNING,
            f"LECTERN_BASE_URL is {settings.BASE_URL}: links in emails point at this machine only.",
            "Set LECTERN_BASE_URL to the address trainees open, e.g. https://training.example.org.",
        )
    elif url.scheme != "https" and not local:
        yield Finding(
            "base URL",
            WARNING,
            f"LECTERN_BASE_URL {settings.BASE_URL} is not https: sign-in links travel in clear.",
            "Serve Lectern behind TLS and use an https:// base URL.",
        )
    else:
        yield Finding("base URL", OK, settings.BASE_URL)
    if "*" in settings.ALLOWED_HOSTS:
        yield Finding(
            "allowed hosts",
            WARNING,
            "LECTERN_ALLOWED_HOSTS allows every host name.",
            f"List the names the site answers to, e.g. LECTERN_ALLOWED_HOSTS={host}.",
        )
    elif not validate_host(host, settings.ALLOWED_HOSTS):
        yield Finding(
            "allowed hosts",
            PROBLEM,
            f"The base URL's host {host!r} is not in LECTERN_ALLOWED_HOSTS "
            f"({', '.join(settings.ALLOWED_HOSTS) or 'empty'}): every request to it answers 400.",
            f"Add it: LECTERN_ALLOWED_HOSTS={','.join([*settings.ALLOWED_HOSTS, host])}.",
        )
    else:
        yield Finding("allowed hosts", OK, ", ".join(settings.ALLOWED_HOSTS))


def check_database() -> Iterator[Finding]:
    database = _database()
    if not database["ok"]:
        yield Finding(
            "database",
            PROBLEM,
            database["error"],
            "Check DATABASE_URL (postgresql://user:password@host:port/name) and that the "
            "server runs; without DATABASE_URL the SQLite file is "
            f"{settings.DATA_DIR / 'lectern.sqlite3'}.",
        )
        return
    yield Finding("database", OK, f"{database['vendor']} answers")
    migrations = _migrations()
    if migrations["ok"]:
        yield Finding("migrations", OK, "all applied")
    else:
        yield Finding(
            "migrations",
            PROBLEM,
            f"{migrations['error']}: {_some(migrations.get('unapplied', []))}",
            "Run `lectern migrate` (`lectern serve` does it when it starts).",
        )


def _some(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def check_smtp() -> Iterator[Finding]:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "console":
        yield Finding(
            "email",
            WARNING,
            "EMAIL_URL is console: emails are printed, never sent.",
            "Set EMAIL_URL=smtp://user:password@host:587 (smtp+tls:// for STARTTLS).",
        )
        return
    if backend == "filebased":
        folder = Path(settings.EMAIL_FILE_PATH or "")
        yield Finding(
            "email",
            WARNING,
            f"Emails are written to files in {folder}, never sent.",
            "Set EMAIL_URL=smtp://user:password@host:587 to send them.",
        )
        return
    if backend != "smtp":
        yield Finding("email", WARNING, f"Emails go to the {backend} backend.")
        return
    yield from _smtp_conversation()


def _smtp_conversation() -> Iterator[Finding]:
    """Connect and say EHLO (then STARTTLS and log in when configured); send nothing."""
    host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
    where = f"{host}:{port}"
    fix = (
        "Check EMAIL_URL: smtp://host:25, smtp+tls://user:password@host:587 (STARTTLS) or "
        "smtps://user:password@host:465 (TLS); and that this machine may reach that port."
    )
    try:
        client: smtplib.SMTP
        if settings.EMAIL_USE_SSL:
            client = smtplib.SMTP_SSL(host, port, timeout=10, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=10)
    except (OSError, smtplib.SMTPException) as exc:
        yield Finding(
            "email", PROBLEM, f"Cannot connect to the SMTP server at {where}: {exc}.", fix
        )
        return
    try:
        code, _banner = client.ehlo()
        if code != 250:
            yield Finding(
                "email", PROBLEM, f"The SMTP server at {where} refused EHLO ({code}).", fix
            )
            return
        if settings.EMAIL_USE_TLS:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.EMAIL_HOST_USER:
            client.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        yield Finding(
            "email",
            OK,
            f"SMTP at {where} answers EHLO"
            + (", STARTTLS" if settings.EMAIL_USE_TLS else "")
            + (", login accepted" if settings.EMAIL_HOST_USER else ""),
        )
    except smtplib.SMTPAuthenticationError as exc:
        yield Finding(
            "email",
            PROBLEM,
            f"The SMTP server at {where} refused the login ({exc.smtp_code}).",
            "Check the user and password in EMAIL_URL (percent-encode special characters).",
        )
    except (OSError, smtplib.SMTPException) as exc:
        yield Finding("email", PROBLEM, f"The SMTP conversation with {where} failed: {exc}.", fix)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def check_data_folder() -> Iterator[Finding]:
    folder = Path(settings.DATA_DIR)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        yield Finding(
            "data folder",
            PROBLEM,
            f"Cannot write in the data folder {folder}: {exc}.",
            "Set LECTERN_DATA_DIR to a folder the service's user owns "
            "(e.g. `chown -R lectern: /var/lib/lectern`).",
        )
        return
    yield Finding("data folder", OK, f"{folder} is writable")


def check_static_files() -> Iterator[Finding]:
    root = Path(settings.STATIC_ROOT)
    expected = [root / "lectern" / "site.css", root / "admin" / "css" / "base.css"]
    missing = [str(path.relative_to(root)) for path in expected if not path.exists()]
    if missing:
        yield Finding(
            "static files",
            WARNING if settings.WHITENOISE_USE_FINDERS else PROBLEM,
            f"Static files are not collected in {root} (missing {', '.join(missing)}).",
            "Run `lectern collectstatic --noinput` (`lectern serve` does it when it starts).",
        )
    else:
        yield Finding("static files", OK, f"collected in {root}")


def check_time_zones() -> Iterator[Finding]:
    try:
        zoneinfo.ZoneInfo("America/New_York")
        available = zoneinfo.available_timezones()
    except zoneinfo.ZoneInfoNotFoundError:
        available = set()
    if not available:
        yield Finding(
            "time zones",
            PROBLEM,
            "No IANA time-zone database is available: events cannot be scheduled.",
            "Install the tzdata package (`apt-get install tzdata` or `pip install tzdata`).",
        )
        return
    try:
        used = set(Event.objects.values_list("timezone", flat=True).distinct())
    except Exception:  # the database is reported by its own check
        used = set()
    unknown = sorted(zone for zone in used if zone not in available)
    if unknown:
        yield Finding(
            "time zones",
            PROBLEM,
            f"Events use zones this machine does not know: {', '.join(unknown)}.",
            "Update the tzdata package.",
        )
    else:
        yield Finding("time zones", OK, f"{len(available)} zones available")


# A name in each script certificates are likely to carry, to test the fonts with.
SCRIPTS = {
    "Latin": "Zoë Ångström Łukasz Dvořák",
    "Vietnamese": "Nguyễn Thị Ánh Dương",
    "Greek": "Αλέξανδρος",
    "Cyrillic": "Анна Иванова",
    "Chinese": "王小明",
    "Japanese": "山田太郎",
    "Korean": "김민준",
    "Arabic": "مرحبا بك",
    "Hebrew": "שלום עליכם",
    "Devanagari": "देवनागरी नाम",
}


def _covers(chain: list[str], text: str) -> bool:
    """Every letter of text is in one of the chain's fonts (the name's font, then fallbacks)."""
    return all(
        any(has_glyph(font, char) for font in chain)
        for char in unicodedata.normalize("NFC", text)
        if not char.isspace()
    )


def check_certificate_fonts() -> Iterator[Finding]:
    path = layout_path()
    try:
        layout = load_layout(path)
    except (OSError, ValueError, TTFError) as exc:  # a missing file, bad TOML, a bad font
        yield Finding(
            "certificate fonts",
            PROBLEM,
            f"The certificate layout {path} or one of its fonts cannot be read: {exc}.",
            "Install the fonts the layout names (README: Certificates), or fix the paths "
            "under [fonts] in the layout (LECTERN_CERTIFICATE_LAYOUT).",
        )
        return
    fonts = sorted(
        {
            item.get("font", "Helvetica")
            for item in layout.get("text", [])
            if "{name}" in item["value"]
        }
    )
    fallback = fallback_fonts(layout)
    for font_name in fonts:
        chain = list(dict.fromkeys([font_name, *fallback]))
        missing = [script for script, sample in SCRIPTS.items() if not _covers(chain, sample)]
        if missing:
            yield Finding(
                "certificate fonts",
                WARNING,
                f"The name on certificates is drawn in {' or '.join(chain)}, which have no "
                f"letters for: {', '.join(missing)}; such names would print as empty boxes.",
                "Declare TrueType fonts for those scripts under [fonts] in the layout and list "
                "them under [fallback], e.g. Noto Sans Arabic/Hebrew/Devanagari, "
                "Droid Sans Fallback (Chinese, Japanese, Korean).",
            )
        else:
            yield Finding(
                "certificate fonts", OK, f"{' + '.join(chain)} cover {', '.join(SCRIPTS)}"
            )
    if not settings.LECTERN["CERTIFICATE_SIGNATORY"].strip():
        yield Finding(
            "certificate signatory",
            WARNING,
            "Certificates print no signatory's name under the signature line.",
            "Set LECTERN_CERTIFICATE_SIGNATORY to the name of the person who signs them.",
        )


CHECKS: list[Check] = [
    check_secret_key,
    check_base_url_and_hosts,
    check_database,
    check_smtp,
    check_data_folder,
    check_static_files,
    check_time_zones,
    check_certificate_fonts,
]


def doctor_run() -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check())
    return findings

"""`lectern doctor` finds what is misconfigured, says how to fix it, and exits non-zero."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lectern.operations.doctor import PROBLEM, WARNING, doctor_run
from tests.smtp import free_port, smtp_sink  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def findings(check: str) -> list:
    return [f for f in doctor_run() if f.check == check]


def doctor(*args: str) -> tuple[str, bool]:
    out = io.StringIO()
    try:
        call_command("doctor", *args, stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def test_a_wrong_smtp_port_is_a_problem_with_its_fix(settings) -> None:
    port = free_port()  # nothing listens there
    use_smtp(settings, port)
    output, passed = doctor()
    assert not passed
    assert f"PROBLEM email: Cannot connect to the SMTP server at 127.0.0.1:{port}" in output
    assert "fix: Check EMAIL_URL" in output


def test_the_right_smtp_port_answers_ehlo_and_nothing_is_sent(settings, smtp_sink) -> None:  # noqa: F811
    sink, port = smtp_sink
    use_smtp(settings, port)
    [email] = findings("email")
    assert email.level == "ok"
    assert email.message == f"SMTP at 127.0.0.1:{port} answers EHLO"
    assert sink.messages == []


def test_a_refused_login_is_a_problem(settings, smtp_sink) -> None:  # noqa: F811
    _sink, port = smtp_sink
    use_smtp(settings, port)
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "lectern", "wrong"
    [email] = findings("email")
    assert email.level == PROBLEM  # aiosmtpd refuses AUTH on a plain connection


def test_a_base_url_host_not_allowed_is_a_problem(settings) -> None:
    settings.BASE_URL = "https://training.example.org"
    settings.ALLOWED_HOSTS = ["localhost"]
    [base, hosts] = findings("base URL") + findings("allowed hosts")
    assert base.level == "ok"
    assert hosts.level == PROBLEM
    assert "LECTERN_ALLOWED_HOSTS=localhost,training.example.org" in hosts.fix
    settings.ALLOWED_HOSTS = [".example.org"]
    assert findings("allowed hosts")[0].level == "ok"


def test_a_base_url_without_a_host_is_a_problem(settings) -> None:
    settings.BASE_URL = "training.example.org"
    assert findings("base URL")[0].level == PROBLEM


def test_a_short_secret_key_is_a_problem(settings) -> None:
    settings.SECRET_KEY = "x" * 49
    assert findings("secret key")[0].level == PROBLEM


def test_a_data_folder_that_is_a_file_is_a_problem(settings, tmp_path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    settings.DATA_DIR = blocker
    [data] = findings("data folder")
    assert data.level == PROBLEM
    assert "LECTERN_DATA_DIR" in data.fix


def test_static_files_not_collected_are_reported(settings, tmp_path) -> None:
    settings.STATIC_ROOT = tmp_path / "static"
    assert findings("static files")[0].level == WARNING
    (tmp_path / "static" / "lectern").mkdir(parents=True)
    (tmp_path / "static" / "lectern" / "site.css").write_text("")
    (tmp_path / "static" / "admin" / "css").mkdir(parents=True)
    (tmp_path / "static" / "admin" / "css" / "base.css").write_text("")
    assert findings("static files")[0].level == "ok"


def test_the_default_certificate_fonts_cover_the_seven_scripts_and_others_are_named(
    settings, tmp_path
) -> None:
    [default] = findings("certificate fonts")
    lacking = default.message.split("letters for: ")[1]
    for script in ("Latin", "Vietnamese", "Chinese", "Japanese", "Arabic", "Hebrew"):
        assert script not in lacking
    assert "Devanagari" not in lacking
    assert lacking.startswith("Korean;")  # Droid Sans Fallback has no Hangul
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    layout = tmp_path / "layout.toml"
    layout.write_text(
        f'[fonts]\nBody = "{font}"\n[[text]]\nvalue = "{{name}}"\nfont = "Body"\ny = 300\n'
    )
    settings.LECTERN = {**settings.LECTERN, "CERTIFICATE_LAYOUT": str(layout)}
    [dejavu] = findings("certificate fonts")
    assert dejavu.level == WARNING
    assert "Greek" not in dejavu.message
    assert "Chinese" in dejavu.message
    standard = tmp_path / "standard.toml"
    standard.write_text('[[text]]\nvalue = "{name}"\nfont = "Times-Bold"\ny = 300\n')
    settings.LECTERN = {**settings.LECTERN, "CERTIFICATE_LAYOUT": str(standard)}
    [times] = findings("certificate fonts")
    assert "Greek" in times.message  # and Latin: cp1252 has no Ł
    broken = tmp_path / "broken.toml"  # layouts are cached by path
    broken.write_text('[fonts]\nBody = "/nowhere/font.ttf"\n')
    settings.LECTERN = {**settings.LECTERN, "CERTIFICATE_LAYOUT": str(broken)}
    assert findings("certificate fonts")[0].level == PROBLEM


def test_a_missing_signatory_name_is_a_warning(settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "CERTIFICATE_SIGNATORY": ""}
    assert findings("certificate signatory")[0].level == WARNING
    settings.LECTERN = {**settings.LECTERN, "CERTIFICATE_SIGNATORY": "Ada Lovelace"}
    assert findings("certificate signatory") == []


def test_time_zones_and_the_database_pass_here() -> None:
    assert findings("time zones")[0].level == "ok"
    assert [f.level for f in findings("database") + findings("migrations")] == ["ok", "ok"]

"""Configuration from the environment: EMAIL_URL, secrets, production refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lectern.core.email_url import email_settings_from_url
from lectern.settings.base import database_settings, local_secret_key


def test_email_urls() -> None:
    assert email_settings_from_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings_from_url("file:///srv/mail") == {
        "EMAIL_BACKEND": "lectern.core.mailfiles.EmlFileBackend",
        "EMAIL_FILE_PATH": "/srv/mail",
    }
    smtp = email_settings_from_url("smtp://user:p%40ss@mail.example:2525")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"]) == ("mail.example", 2525)
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("user", "p@ss")
    assert email_settings_from_url("smtps://mail.example")["EMAIL_PORT"] == 465
    with pytest.raises(ImproperlyConfigured):
        email_settings_from_url("carrier-pigeon://coop")


def test_local_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    key = local_secret_key(tmp_path)
    assert len(key) >= 50
    assert local_secret_key(tmp_path) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_overrides_sqlite(tmp_path: Path) -> None:
    sqlite = database_settings(None, tmp_path)
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    pg = database_settings("postgres://u:p@db.example:5433/lectern", tmp_path)
    assert (pg["ENGINE"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        5433,
        "lectern",
    )
    assert pg["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LECTERN_PG_PREPARED", "false")
    assert "OPTIONS" not in database_settings("postgres://u@db.example/lectern", tmp_path)


def _run_production(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"LECTERN_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="lectern.settings.production", LECTERN_DATA_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-m", "lectern.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _run_production(tmp_path)
    assert result.returncode != 0
    assert "LECTERN_SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = _run_production(
        tmp_path,
        LECTERN_SECRET_KEY="x" * 20 + "-a-long-and-random-secret-1234567890",
        LECTERN_ALLOWED_HOSTS="lectern.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_refusal_explains_itself_in_one_line() -> None:
    from lectern.core.errors import Invalid

    refusal = Invalid(
        "The activity's details are incomplete.",
        fields={"url": ["Give the url."], "date": ["Give the date."]},
    )
    assert refusal.explained() == (
        "The activity's details are incomplete. Give the url. Give the date."
    )

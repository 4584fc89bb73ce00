"""`lectern backup` then `lectern restore` into a fresh data folder: the seats still add up."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.test_serve import lectern

pytestmark = pytest.mark.slow  # runs lectern backup and restore in processes


def env_for(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["LECTERN_DATA_DIR"] = str(data_dir)
    env["EMAIL_URL"] = "console:"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def counts(env: dict[str, str]) -> str:
    return (
        lectern(
            "shell",
            "-c",
            "from lectern.registrations.models import Registration;"
            "from lectern.memberships.models import SeatEntry;"
            "print(Registration.objects.count(), SeatEntry.objects.count())",
            env=env,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def postgres_database(name: str) -> str | None:
    """A fresh database on the PostgreSQL server of DATABASE_URL, if the tests use one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def drop(url: str | None) -> None:
    if url:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_into_a_fresh_data_folder(tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    source_url = postgres_database(f"lectern_backup_src_{suffix}")
    target_url = postgres_database(f"lectern_backup_dst_{suffix}")
    try:
        source = env_for(tmp_path / "source", source_url)
        lectern("migrate", "--noinput", env=source)
        lectern("demo", env=source)
        before = counts(source)
        assert before.split()[0] != "0"
        backup_file = tmp_path / "lectern.backup"
        lectern("backup", "--out", str(backup_file), env=source)
        assert backup_file.stat().st_size > 0

        target = env_for(tmp_path / "fresh", target_url)
        lectern("restore", str(backup_file), env=target)
        assert counts(target) == before
        assert "ok:" in lectern("check-seats", env=target).stdout
    finally:
        drop(source_url)
        drop(target_url)


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    env = env_for(tmp_path, None)
    result = subprocess.run(
        [sys.executable, "-m", "lectern.cli", "restore", str(tmp_path / "nope.backup")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "No backup file at" in result.stderr

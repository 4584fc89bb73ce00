"""Backups: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection

from lectern.core.errors import Invalid
from lectern.core.progress import Bar, progress_bar


def _pg_env(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = [
        "--host",
        str(settings.get("HOST") or "localhost"),
        "--port",
        str(settings.get("PORT") or 5432),
        "--username",
        str(settings.get("USER") or ""),
    ]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None
    )
    if not found:
        raise Invalid(
            f"{name} is not installed; install the PostgreSQL client tools.", code="tool_missing"
        )
    return found


def _pages(bar: Bar) -> Callable[[int, int, int], None]:
    """SQLite's backup progress callback, drawn on the bar (pages copied of the total)."""
    return lambda status, remaining, total: bar.update(total - remaining, total)


def backup(out: Path, *, stream: Any = None) -> Path:
    """Write a consistent backup of the database to `out`, while Lectern keeps running.
    On a terminal `stream` shows progress (`core.progress`)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            with progress_bar("Backing up", stream=stream) as bar:
                connection.connection.backup(target, pages=1024, progress=_pages(bar))
        finally:
            target.close()
        return out
    args, env = _pg_env(settings)
    with progress_bar("Backing up (pg_dump)", stream=stream):
        subprocess.run(
            [_tool("pg_dump"), *args, "--format=custom", "--file", str(out), str(settings["NAME"])],
            check=True,
            env=env,
        )
    return out


def restore(source: Path, *, stream: Any = None) -> None:
    """Replace the database's contents with a backup (stop Lectern first)."""
    if not source.exists():
        raise Invalid(f"No backup file at {source}.", code="backup_missing")
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            with progress_bar("Restoring", stream=stream) as bar:
                origin.backup(connection.connection, pages=1024, progress=_pages(bar))
        finally:
            origin.close()
        return
    args, env = _pg_env(settings)
    connection.close()
    with progress_bar("Restoring (pg_restore)", stream=stream):
        _pg_restore(args, env, settings, source)


def _pg_restore(args: list[str], env: dict[str, str], settings: Any, source: Path) -> None:
    subprocess.run(
        [
            _tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--dbname",
            str(settings["NAME"]),
            str(source),
        ],
        check=True,
        env=env,
    )

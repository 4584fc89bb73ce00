"""Lectern's commands run as processes against the test database: `lectern serve` for tests
that need real HTTP, `lectern tick` for the sender."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from tests.smtp import free_port


def database_url() -> str:
    """The test database as a `DATABASE_URL`, for processes started by a test."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host, port = settings["HOST"] or "localhost", settings["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings['NAME']}"


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a `lectern` process on the test database (use with
    `django_db(transaction=True)`, so that it sees what the test wrote)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "LECTERN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lectern.settings.base",
    }
    env.update(extra)
    return env


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[Served]:
    """Run `lectern serve` on a free port (in its own process group, so that a test may kill
    it whole) until the block ends; enter the block once `/api/v1/health` answers. Its log
    (a traceback, when a test meets a 500) is `server.log` in its data folder."""
    port = free_port()
    log = (Path(env["LECTERN_DATA_DIR"]) / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "lectern.cli", "serve", "--port", str(port), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert process.poll() is None, "lectern serve stopped while starting"
            assert time.monotonic() < deadline, "lectern serve did not answer in 60 s"
            time.sleep(0.1)
        yield Served(f"http://127.0.0.1:{port}", port, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _answers(port: int) -> bool:
    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        probe.request("GET", "/api/v1/health")
        return probe.getresponse().status == 200
    except OSError:
        return False
    finally:
        probe.close()

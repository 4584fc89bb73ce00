"""The quick start, end to end: demo data, `lectern serve` (gunicorn), health and home page."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs lectern serve in a process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lectern(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "lectern.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"lectern {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(LECTERN_DATA_DIR=str(tmp_path), EMAIL_URL=f"file://{tmp_path / 'mail'}")
    return environment


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_demo_then_serve_answers_health_and_home(env: dict[str, str], tmp_path: Path) -> None:
    lectern("migrate", "--noinput", env=env)
    first = lectern("demo", "--if-empty", env=env)
    assert "Demo data: loaded." in first.stdout
    assert "staff@demo.lectern.example" in first.stdout
    again = lectern("demo", "--if-empty", env=env)
    assert "already loaded" in again.stdout
    lectern("check-seats", env=env)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lectern.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(f"{base}/api/v1/health")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "lectern serve did not answer in 60 s"
                time.sleep(0.3)
        assert (status, body) == (200, '{"status": "ok"}')
        # Each connection is closed after its answer, even one that asks to be kept alive,
        # so a waiting client queues for the next free worker, not behind a busy one.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/v1/health", headers={"Connection": "keep-alive"})
        answer = conn.getresponse()
        answer.read()
        assert (answer.status, answer.getheader("Connection")) == (200, "close")
        conn.close()
        status, home = get(f"{base}/")
        assert status == 200
        assert "Sign in with your email" in home
        assert get(f"{base}/static/lectern/site.css")[0] == 200
        assert get(f"{base}/api/v1/docs")[0] == 200
        assert "Instructor Training" in get(f"{base}/calendar/")[1]
        # The email worker runs beside the web server: the demo's welcome email goes out.
        mail = tmp_path / "mail"

        def welcome_sent() -> bool:
            sent = mail.iterdir() if mail.exists() else ()
            return any("registration code" in f.read_text() for f in sent)

        while not welcome_sent():
            assert time.monotonic() < deadline + 30, "the worker sent no welcome email"
            time.sleep(0.3)
    finally:
        server.terminate()
        server.communicate(timeout=30)

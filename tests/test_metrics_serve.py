"""Metrics under `lectern serve` with several gunicorn workers: the request counters of
every worker are added up (the client library's multiprocess mode), and the database's
figures are the same whichever worker answers. Logs: one masked line per request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.test_serve import free_port, get, lectern

pytestmark = pytest.mark.slow  # runs lectern serve in a process

TOKEN = "metrics-" + "x" * 32


def scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    request = urllib.request.Request(
        f"{base}/api/v1/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def counter_files(data_dir: Path) -> list[Path]:
    return list((data_dir / "metrics").glob("counter_*.db"))


def test_request_counters_add_up_across_workers(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        LECTERN_DATA_DIR=str(tmp_path),
        EMAIL_URL="console:",
        LECTERN_METRICS_TOKEN=TOKEN,
        LECTERN_LOG_FORMAT="json",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    lectern("migrate", "--noinput", env=env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lectern.cli", "serve", "--port", str(port), "--workers", "3",
         "--no-worker", "--no-migrate"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = ""
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/api/v1/health")
                break
            except OSError:
                assert server.poll() is None
                assert time.monotonic() < deadline, "lectern serve did not answer in 60 s"
                time.sleep(0.3)
        # A worker takes a connection only when a thread is free, so requests one after
        # another may all go to one worker: send them side by side until two have answered.
        sent = 1
        with ThreadPoolExecutor(8) as pool:
            while len(counter_files(tmp_path)) < 2 and sent < 400:
                answers = pool.map(lambda _: get(f"{base}/api/v1/health")[0], range(8))
                assert list(answers) == [200] * 8
                sent += 8
        assert len(counter_files(tmp_path)) >= 2
        key = ("lectern_http_requests_total",
               (("method", "GET"), ("route", "/api/v1/health"), ("status", "200")))  # fmt: skip
        for _ in range(5):  # whichever worker answers, it reports the machine's total
            assert scrape(base)[key] == sent
        assert get(f"{base}/api/v1/health?email=ada%40uni.example")[0] == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    request_lines = [line for line in output.splitlines() if '"logger": "lectern.request"' in line]
    assert len(request_lines) >= sent + 6
    assert '"path": "/api/v1/health?email="' in output
    # the address, not three letters a hex request id may hold
    assert "ada@" not in output
    assert "ada%40" not in output

"""Benchmark: a registration rush against `lectern serve` as in production.

    .venv/bin/python bench/registration_rush.py [--postgres postgres://user@host:port/db]
                                                [--clients 64] [--attempts 900]

For each database (PostgreSQL when --postgres or DATABASE_URL names one, then SQLite):
seeds 100 memberships (7 seats each) and 20 events of 30 places, starts `lectern serve`
(workers from the cores, no email worker), lets 64 concurrent clients register (about a
third are refused: events full, seats gone), then sends the same number of `GET /health`
with the same clients. Prints throughput, p50/p99 latency, 5xx count, overbookings found by
a recount, and the registration/health throughput ratio (goal >= 0.5; 0 errors; 0 overbooked).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

SEED = """
import json
from datetime import timedelta
from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events.services import LocalTimes, event_create
from lectern.memberships.models import Organization
from lectern.memberships.services import membership_create
system = Principal.as_system()
now = clock.now()
codes = []
for n in range(100):
    org = Organization.objects.create(name=f"Org {n}", country="GB", created_at=now)
    m = membership_create(actor=system, organization=org, tier="custom", seats=7,
                          start_date=(now - timedelta(days=30)).date())
    codes.append(m.registration_code)
events = []
for n in range(20):
    day = (now + timedelta(days=40 + n)).date()
    e = event_create(actor=system, title=f"Rush {n}", timezone="UTC", capacity=30,
                     min_enrolment=1, sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")])
    events.append(e.pk)
print("SEED", json.dumps({"codes": codes, "events": events}))
"""

RECOUNT = """
from django.db.models import Count, Q, F
from lectern.events.models import Event
from lectern.memberships.selectors import ledger_recount_all, membership_seat_summary
from lectern.memberships.models import Membership
confirmed = Count("registrations", filter=Q(registrations__status="confirmed"))
over = Event.objects.annotate(c=confirmed).filter(c__gt=F("capacity")).count()
recounts = ledger_recount_all()
bad = sum(1 for m in Membership.objects.all()
          if recounts.get(m.pk) and (recounts[m.pk] != membership_seat_summary(m)
                                     or recounts[m.pk].available < 0))
print("RECOUNT", over, bad)
"""


def registration_body(rng: random.Random, seeded: dict[str, list[Any]], n: int) -> bytes:
    """A registration of trainee `n` for a random seeded event with a random seeded code."""
    return json.dumps(
        {
            "event_id": rng.choice(seeded["events"]),
            "code": rng.choice(seeded["codes"]),
            "name": f"Bench Trainee {n}",
            "email": f"trainee{n}@bench.example",
            "affiliation": "Bench",
            "country": "GB",
            "technologies": ["python"],
            "usage_frequency": "weekly",
            "carpentries_experience": ["none"],
            "accept_code_of_conduct": True,
            "accept_privacy": True,
        }
    ).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lectern(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "lectern.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def cpu_times() -> tuple[int, int]:
    """The machine's busy and total CPU ticks so far (Linux), to tell CPU-bound from waiting."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(f) for f in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def run_clients(
    port: int,
    clients: int,
    jobs: list[tuple[str, str, bytes | None]],
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[list[float], Counter[int], float, float]:
    """Send the jobs from `clients` connections, kept alive while the server allows (with
    `headers` besides the content type); return latencies, statuses (0: no answer within
    `timeout` seconds, or the connection failed), the time taken and the share of the
    machine's CPU that was busy meanwhile."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    queue = list(jobs)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body = queue.pop()
            started = time.perf_counter()
            try:
                conn.request(
                    method,
                    path,
                    body=body,
                    headers={
                        **(headers or {}),
                        **({"Content-Type": "application/json"} if body else {}),
                    },
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1
        conn.close()

    busy_before, total_before = cpu_times()
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    busy_after, total_after = cpu_times()
    busy = (busy_after - busy_before) / max(1, total_after - total_before)
    return latencies, statuses, elapsed, busy


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def bench(label: str, database_url: str | None, clients: int, attempts: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="lectern-rush-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        LECTERN_DATA_DIR=str(data_dir),
        EMAIL_URL="console:",
        DJANGO_SETTINGS_MODULE="lectern.settings.base",
        LECTERN_CODE_ATTEMPTS_PER_CLIENT="100000",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    lectern(env, "migrate", "--noinput")
    seeded = json.loads(lectern(env, "shell", "-c", SEED).split("SEED ", 1)[1])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lectern.cli", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                    "GET", "/api/v1/health"
                )
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(7)
        jobs = [
            ("POST", "/api/v1/registrations", registration_body(rng, seeded, n))
            for n in range(attempts)
        ]
        reg_lat, reg_status, reg_time, reg_busy = run_clients(port, clients, jobs)
        health_lat, health_status, health_time, health_busy = run_clients(
            port, clients, [("GET", "/api/v1/health", None)] * attempts
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    over, bad = map(int, lectern(env, "shell", "-c", RECOUNT).split("RECOUNT ", 1)[1].split())
    reg_rate, health_rate = attempts / reg_time, attempts / health_time
    errors = sum(n for s, n in reg_status.items() if s >= 500) + sum(
        n for s, n in health_status.items() if s >= 500
    )
    print(
        f"[{label}] workers={2 * (os.cpu_count() or 1) + 1} clients={clients} attempts={attempts}"
    )
    print(
        f"  registrations: {reg_rate:.0f}/s, p50 {percentile(reg_lat, 0.5):.0f} ms, "
        f"p99 {percentile(reg_lat, 0.99):.0f} ms, CPU busy {reg_busy:.0%}, "
        f"statuses {dict(sorted(reg_status.items()))}"
    )
    print(
        f"  health:        {health_rate:.0f}/s, p50 {percentile(health_lat, 0.5):.1f} ms, "
        f"p99 {percentile(health_lat, 0.99):.1f} ms, CPU busy {health_busy:.0%}"
    )
    print(
        f"  ratio registration/health: {reg_rate / health_rate:.2f} (goal >= 0.5); "
        f"5xx: {errors}; overbooked events: {over}; ledger mismatches: {bad}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--attempts", type=int, default=900)
    args = parser.parse_args()
    if args.postgres and args.postgres.startswith("postgres"):
        bench("PostgreSQL", args.postgres, args.clients, args.attempts)
    bench("SQLite", None, args.clients, args.attempts)


if __name__ == "__main__":
    main()

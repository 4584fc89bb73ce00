"""Benchmark: several machines, one PostgreSQL: two web servers and two email workers.

    .venv/bin/python bench/cluster.py [--postgres postgresql://USER@HOST:PORT/]
        [--database bench_cluster] [--registrations 900] [--clients 64] [--emails 10000]

Re-creates the database (the user must be allowed to create databases), migrates it once,
seeds 20 events of 30 places and 100 memberships of 7 seats, then

1. starts two `lectern serve --no-worker --no-migrate` processes, each with its own data
   folder (static files, mail folder; the secret key is shared, as on two machines), and sends
   the registration rush across both (half the clients each; about a third are refused);
2. queues 10,000 due emails beside the rush's confirmations, starts two `lectern worker`
   processes, each with its own data folder and its own local SMTP server (aiosmtpd), and
   waits until no due email is left.

Prints the registrations' throughput and latency, the emails' throughput, each worker's share,
duplicates (the same Message-ID received twice), lost (a due email that never arrived),
overbooked events and ledger mismatches from a recount, and `lectern check-seats`' result.
The suite runs a small version of it (tests/test_cluster.py), on PostgreSQL only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registration_rush import RECOUNT, free_port, percentile, registration_body, run_clients

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
for n in range(MEMBERSHIPS):
    org = Organization.objects.create(name=f"Org {n}", country="GB", created_at=now)
    m = membership_create(actor=system, organization=org, tier="custom", seats=SEATS,
                          start_date=(now - timedelta(days=30)).date())
    codes.append(m.registration_code)
events = []
for n in range(EVENTS):
    day = (now + timedelta(days=40 + n)).date()
    e = event_create(actor=system, title=f"Cluster {n}", timezone="UTC", capacity=PLACES,
                     min_enrolment=1, sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")])
    events.append(e.pk)
print("SEED", json.dumps({"codes": codes, "events": events}))
"""

QUEUE = """
from lectern.core import clock
from lectern.notifications.models import Message
now = clock.now()
Message.objects.bulk_create(
    [Message(kind="bench", recipient=f"cluster{i}@bench.example", object_type="bench",
             object_id=i, subject=f"Cluster {i}", body_text="Hello from the cluster bench.",
             due_at=now, created_at=now) for i in range(EMAILS)],
    batch_size=2000)
due = Message.objects.filter(status="pending", due_at__lte=now).values_list("pk", flat=True)
print("DUE", ",".join(map(str, due)))
"""

PENDING = "SELECT count(*) FROM notifications_message WHERE status = 'pending' AND due_at <= now()"

MESSAGE_ID = re.compile(rb"^Message-ID:\s*<lectern\.(\d+)\.", re.IGNORECASE | re.MULTILINE)


class Sink:
    """An SMTP server's handler that keeps only each message's Message-ID row number."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: list[int] = []
        self.first: float | None = None
        self.last: float | None = None
        self.delay = delay  # seconds per message, to keep the two workers overlapping

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            time.sleep(self.delay)  # blocks this server's loop, as a slow relay would
        found = MESSAGE_ID.search(envelope.content)
        self.received.append(int(found.group(1)) if found else -1)
        self.last = time.monotonic()
        self.first = self.first or self.last
        return "250 Message accepted for delivery"


@dataclass
class Report:
    registrations: int = 0
    registration_seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    per_server: list[int] = field(default_factory=list)
    due: int = 0
    drain_seconds: float = 0.0
    per_worker: list[int] = field(default_factory=list)
    duplicates: int = 0
    lost: int = 0
    overbooked_events: int = 0
    ledger_mismatches: int = 0
    check_seats: str = ""
    check_seats_ok: bool = False

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def __str__(self) -> str:
        sent = sum(self.per_worker)
        shares = ", ".join(
            f"worker {i + 1} {n} ({n / max(1, sent):.0%})" for i, n in enumerate(self.per_worker)
        )
        servers = ", ".join(f"server {i + 1} {n}" for i, n in enumerate(self.per_server))
        return (
            f"registrations: {self.registrations} in {self.registration_seconds:.1f} s = "
            f"{self.registrations / self.registration_seconds:.0f}/s across two web servers "
            f"({servers}), p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms, "
            f"statuses {dict(sorted(self.statuses.items()))}, 5xx {self.errors}\n"
            f"emails: {self.due} due, drained in {self.drain_seconds:.1f} s = "
            f"{self.due / max(self.drain_seconds, 1e-9):.0f}/s by two workers: {shares}\n"
            f"duplicates {self.duplicates}, lost {self.lost}, overbooked events "
            f"{self.overbooked_events}, ledger mismatches {self.ledger_mismatches}\n"
            f"check-seats: {self.check_seats}"
        )


def lectern(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lectern.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def shell(env: dict[str, str], code: str, marker: str) -> str:
    result = lectern(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.split(f"{marker} ", 1)[1].strip()


SECRET_KEY = secrets.token_urlsafe(50)  # one deployment: every machine has the same key


def machine_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """One machine's environment: its own data folder, the shared database and secret key."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        DATABASE_URL=database_url,
        LECTERN_SECRET_KEY=SECRET_KEY,
        LECTERN_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="lectern.settings.base",
        EMAIL_URL=f"file://{data_dir / 'mail'}",
        LECTERN_CODE_ATTEMPTS_PER_CLIENT="100000",
    )
    env.update(extra)
    return env


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own group, stopped (SIGTERM, then SIGKILL) when the block ends."""
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


@contextmanager
def smtp_server(sink: Sink) -> Iterator[int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def wait_for_health(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, "lectern serve stopped while starting"
        assert time.monotonic() < deadline, "lectern serve did not answer in 120 s"
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            probe.request("GET", "/api/v1/health")
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            probe.close()
        time.sleep(0.3)


def wait_until_drained(database_url: str, sinks: list[Sink], due: int, deadline: float) -> None:
    """Until no due email is pending and every due one arrived (or nothing arrived for 5 s:
    then the missing ones are lost), or the deadline."""
    seen, quiet_since = -1, time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            time.sleep(0.2)
            received = sum(len(s.received) for s in sinks)
            if received != seen:
                seen, quiet_since = received, time.monotonic()
            if received < due and time.monotonic() - quiet_since < 5:
                continue
            row = conn.execute(PENDING).fetchone()
            if row is not None and row[0] == 0:
                return


def rush(
    ports: list[int], clients: int, jobs: list[tuple[str, str, bytes | None]], report: Report
) -> None:
    """Send the jobs across the servers at once, each from its share of the clients."""
    results: list[tuple[list[float], Counter[int], float, float]] = []
    shares = [jobs[i :: len(ports)] for i in range(len(ports))]

    def send(port: int, share: list[tuple[str, str, bytes | None]]) -> None:
        results.append(run_clients(port, max(1, clients // len(ports)), share))

    threads = [threading.Thread(target=send, args=pair) for pair in zip(ports, shares, strict=True)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.registration_seconds = time.perf_counter() - started
    latencies = [latency for result in results for latency in result[0]]
    report.registrations = len(latencies)
    report.p50_ms, report.p99_ms = percentile(latencies, 0.5), percentile(latencies, 0.99)
    for result in results:
        report.statuses.update(result[1])
    report.per_server = [len(share) for share in shares]


def run(
    database_url: str,
    root: Path,
    *,
    registrations: int = 900,
    clients: int = 64,
    emails: int = 10_000,
    events: int = 20,
    places: int = 30,
    memberships: int = 100,
    seats: int = 7,
    web_workers: int = 2,
    web_threads: int = 4,
    mail_batch: int | None = None,
    smtp_delay: float = 0.0,
    timeout: float = 600.0,
) -> Report:
    """Run the cluster against an empty, migrated database; return what it measured."""
    report = Report()
    setup = machine_env(database_url, root / "setup")
    seed = (
        SEED.replace("MEMBERSHIPS", str(memberships))
        .replace("SEATS", str(seats))
        .replace("EVENTS", str(events))
        .replace("PLACES", str(places))
    )
    seeded = json.loads(shell(setup, seed, "SEED"))
    rng = random.Random(19)
    jobs: list[tuple[str, str, bytes | None]] = [
        ("POST", "/api/v1/registrations", registration_body(rng, seeded, n))
        for n in range(registrations)
    ]
    with ExitStack() as servers:
        ports = []
        for i in range(2):
            port = free_port()
            env = machine_env(database_url, root / f"web{i + 1}")
            command = [sys.executable, "-m", "lectern.cli", "serve", "--port", str(port),
                       "--workers", str(web_workers), "--threads", str(web_threads),
                       "--no-worker", "--no-migrate"]  # fmt: skip
            proc = servers.enter_context(process(command, env))
            ports.append(port)
            wait_for_health(port, proc)
        rush(ports, clients, jobs, report)

    due = {int(pk) for pk in shell(setup, QUEUE.replace("EMAILS", str(emails)), "DUE").split(",")}
    report.due = len(due)
    sinks = [Sink(smtp_delay), Sink(smtp_delay)]
    with ExitStack() as machines:
        started = time.monotonic()
        for i, sink in enumerate(sinks):
            smtp = machines.enter_context(smtp_server(sink))
            extra = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp}"}
            if mail_batch:
                extra["LECTERN_MAIL_BATCH_SIZE"] = str(mail_batch)
            env = machine_env(database_url, root / f"worker{i + 1}", **extra)
            command = [sys.executable, "-m", "lectern.cli", "worker", "--send-seconds", "0.5"]
            machines.enter_context(process(command, env))
        wait_until_drained(database_url, sinks, len(due), started + timeout)
    firsts = [s.first for s in sinks if s.first is not None]
    lasts = [s.last for s in sinks if s.last is not None]
    report.drain_seconds = max(lasts) - min(firsts) if firsts else 0.0
    received = Counter(pk for s in sinks for pk in s.received)
    report.per_worker = [len(s.received) for s in sinks]
    report.duplicates = sum(n - 1 for n in received.values() if n > 1)
    report.lost = len(due - set(received))

    over, bad = shell(setup, RECOUNT, "RECOUNT").split()
    report.overbooked_events, report.ledger_mismatches = int(over), int(bad)
    checked = lectern(setup, "check-seats")
    report.check_seats = (checked.stdout + checked.stderr).strip()
    report.check_seats_ok = checked.returncode == 0
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PEER_POSTGRES", "postgresql://lectern@127.0.0.1:55432/"),
        help="the PostgreSQL server (its database name is ignored)",
    )
    parser.add_argument("--database", default="bench_cluster")
    parser.add_argument("--registrations", type=int, default=900)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers a server")
    parser.add_argument("--web-threads", type=int, default=4)
    args = parser.parse_args()

    from peer_pretix import Postgres

    pg = Postgres(args.postgres)
    pg.recreate(args.database)
    url = pg.url(args.database)
    root = Path(tempfile.mkdtemp(prefix="lectern-cluster-"))
    migrated = lectern(machine_env(url, root / "setup"), "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    print(
        f"two web servers ({args.web_workers} workers x {args.web_threads} threads each) and "
        f"two workers on PostgreSQL {pg.host}:{pg.port}/{args.database}; {args.clients} "
        f"clients, {args.registrations} registrations, {args.emails} emails",
        flush=True,
    )
    report = run(
        url,
        root,
        registrations=args.registrations,
        clients=args.clients,
        emails=args.emails,
        web_workers=args.web_workers,
        web_threads=args.web_threads,
    )
    print(report)
    if report.duplicates or report.lost or report.overbooked_events or not report.check_seats_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Benchmark: Lectern against a peer, pretix, on the same registration rush.

    .venv/bin/python bench/peer_pretix.py [--postgres postgresql://USER@HOST:PORT/]
        [--rounds 7] [--clients 64] [--attempts 900] [--workers 4] [--threads 1]
        [--venv var/bench/pretix-venv] [--only Lectern|pretix]

pretix's order API does the job of Lectern's registration: units with a capacity, codes with
a usage limit, no overbooking. This script installs pretix into its own virtual environment
(pretix is never a dependency of Lectern), gives each system its own databases on the same
PostgreSQL (`peer_lectern*`, `peer_pretix*`: the user must be allowed to create databases),
and seeds the same workload in both:

- Lectern: 20 events of 30 places, 100 memberships of 7 seats (their registration codes);
- pretix (no Redis, no Celery: its documented minimal setup): one event with 20 products,
  each in a quota of 30, and 100 vouchers of 7 uses valid for any product.

Both are served by gunicorn with the same worker and thread counts, as `lectern serve` runs
(gthread workers that take a connection only when a thread is free and close it after the
answer: `--worker-connections` equal to the threads, `--keep-alive 0`; pretix with
gunicorn's access log, Lectern with its own line per request). Each round re-creates both
databases from the seeded template, starts the server, warms it up, records the load
average, then 64 clients send 900 attempts with the same random choice of unit and code for both systems (about a third
are refused: units full, codes used up). Rounds alternate which system goes first.
Overbooking is counted from each database afterwards. pretix's orders are created with
`send_email: false`; Lectern's registrations queue their confirmation unwritten, for the
sender to write (the worker is not running).

pretix's database is migrated once (about 10 minutes on a 2-core machine) and kept as
`peer_pretix_migrated`; pass --rebuild to migrate it again.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registration_rush import (
    RECOUNT,
    SEED,
    free_port,
    lectern,
    percentile,
    registration_body,
    run_clients,
)

PRETIX = "2026.8.0"
ROOT = Path(__file__).resolve().parent.parent

PRETIX_SEED = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pretix.settings")
import django
django.setup()
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from django_scopes import scopes_disabled
from pretix.base.models import Event, Item, Organizer, Quota, Team, TeamAPIToken, Voucher
with scopes_disabled():
    now = timezone.now()
    organizer = Organizer.objects.create(name="Bench", slug="bench")
    event = Event.objects.create(organizer=organizer, name="Rush", slug="rush", currency="EUR",
                                 date_from=now + timedelta(days=40), live=True)
    items = []
    for n in range(20):
        item = Item.objects.create(event=event, name=f"Rush {n}", default_price=Decimal("0.00"),
                                   admission=True)
        Quota.objects.create(event=event, name=f"Rush {n}", size=30).items.add(item)
        items.append(item.pk)
    codes = [Voucher.objects.create(event=event, code=f"BENCH{n:04d}", max_usages=7).code
             for n in range(100)]
    team = Team.objects.create(organizer=organizer, name="Bench", all_events=True,
                               all_event_permissions=True, all_organizer_permissions=True)
    token = TeamAPIToken.objects.create(team=team, name="bench").token
    print("SEED", json.dumps({"items": items, "codes": codes, "token": token}))
"""

# Orders that hold their places (pending or paid), counted against each quota and voucher.
PRETIX_RECOUNT = """
WITH held AS (
    SELECT p.item_id, p.voucher_id FROM pretixbase_orderposition p
    JOIN pretixbase_order o ON o.id = p.order_id
    WHERE o.status IN ('n', 'p') AND NOT p.canceled
)
SELECT
    (SELECT count(*) FROM held),
    (SELECT count(*) FROM pretixbase_quota q WHERE q.size < (
        SELECT count(*) FROM held JOIN pretixbase_quota_items qi ON qi.item_id = held.item_id
        WHERE qi.quota_id = q.id)),
    (SELECT count(*) FROM pretixbase_voucher v WHERE v.max_usages < (
        SELECT count(*) FROM held WHERE held.voucher_id = v.id))
"""

LECTERN_CONFIRMED = "SELECT count(*) FROM registrations_registration WHERE status = 'confirmed'"


class Postgres:
    """The server named by a URL, where this script creates and drops its own databases."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.user = parts.username or os.environ.get("USER", "postgres")
        self.password = parts.password or ""
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 5432

    def url(self, database: str) -> str:
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(self.url(database), autocommit=True)

    def recreate(self, database: str, template: str | None = None) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(
                f'CREATE DATABASE "{database}"' + (f' TEMPLATE "{template}"' if template else "")
            )

    def one(self, database: str, sql: str) -> tuple[Any, ...] | None:
        try:
            with self.connect(database) as conn:
                return conn.execute(sql).fetchone()
        except psycopg.Error:
            return None


@dataclass
class Round:
    system: str
    number: int
    load: float
    rate: float
    p50: float
    p99: float
    errors: int
    busy: float
    statuses: Counter[int]
    accepted: int
    over_units: int
    over_codes: int

    def __str__(self) -> str:
        return (
            f"round {self.number} {self.system:<7} load {self.load:4.2f}  "
            f"{self.rate:6.1f}/s  p50 {self.p50:5.0f} ms  p99 {self.p99:5.0f} ms  "
            f"5xx or no answer {self.errors}  CPU busy {self.busy:.0%}  "
            f"statuses {dict(sorted(self.statuses.items()))}  held in the database "
            f"{self.accepted}; overbooked units {self.over_units}, codes {self.over_codes}"
        )


class Pretix:
    name = "pretix"

    def __init__(self, pg: Postgres, venv: Path, work: Path, rebuild: bool) -> None:
        self.pg, self.venv, self.work = pg, venv, work
        self.python = venv / "bin" / "python"
        self.install()
        migrated = "peer_pretix_migrated"
        marker = "SELECT version FROM bench_pretix_migrated"
        if rebuild or self.pg.one(migrated, marker) != (PRETIX,):
            print(f"migrating pretix's database {migrated} (once; about 10 minutes)", flush=True)
            self.pg.recreate(migrated)
            self.manage(migrated, "migrate", "--noinput")
            with self.pg.connect(migrated) as conn:
                conn.execute("CREATE TABLE bench_pretix_migrated (version text)")
                conn.execute("INSERT INTO bench_pretix_migrated VALUES (%s)", (PRETIX,))
        self.pg.recreate("peer_pretix_template", template=migrated)
        seeded = self.run(
            "peer_pretix_template", [str(self.python), "-c", PRETIX_SEED], capture=True
        )
        self.seeded = json.loads(seeded.split("SEED ", 1)[1])
        self.headers = {"Authorization": f"Token {self.seeded['token']}"}
        self.orders = "/api/v1/organizers/bench/events/rush/orders/"
        self.ready = "/api/v1/organizers/bench/events/rush/"

    def install(self) -> None:
        """pretix and Lectern's own gunicorn version, in a virtual environment of their own."""
        version = "import importlib.metadata as m; print(m.version('pretix'))"
        if self.python.exists():
            found = subprocess.run(
                [str(self.python), "-c", version], capture_output=True, text=True, check=False
            )
            if found.stdout.strip() == PRETIX:
                return
        print(f"installing pretix {PRETIX} into {self.venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        gunicorn = importlib.metadata.version("gunicorn")
        subprocess.run(
            [str(self.python), "-m", "pip", "install", "-q", f"pretix=={PRETIX}",
             f"gunicorn=={gunicorn}"],
            check=True,
        )  # fmt: skip

    def config(self, database: str, port: int = 8000) -> Path:
        data = self.work / "pretix-data"
        data.mkdir(parents=True, exist_ok=True)
        path = self.work / f"pretix-{database}.cfg"
        path.write_text(
            "[pretix]\ninstance_name=peer-bench\n"
            f"url=http://127.0.0.1:{port}\ndatadir={data}\ncurrency=EUR\necb_rates=False\n"
            "[database]\nbackend=postgresql\n"
            f"name={database}\nuser={self.pg.user}\npassword={self.pg.password}\n"
            f"host={self.pg.host}\nport={self.pg.port}\n"
            "[django]\ndebug=False\n"
        )
        return path

    def env(self, database: str, port: int = 8000) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
        }
        env["PRETIX_CONFIG_FILE"] = str(self.config(database, port))
        return env

    def run(self, database: str, command: list[str], capture: bool = False) -> str:
        result = subprocess.run(
            command,
            env=self.env(database),
            cwd=self.work,
            capture_output=capture,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"{' '.join(command[:3])} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout or ""

    def manage(self, database: str, *args: str) -> None:
        self.run(database, [str(self.python), "-m", "pretix", *args], capture=True)

    def prepare(self) -> None:
        self.pg.recreate("peer_pretix", template="peer_pretix_template")

    def start(self, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(self.venv / "bin" / "gunicorn"), "pretix.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--threads", str(threads), "--worker-class", "gthread",
             "--worker-connections", str(threads), "--keep-alive", "0",
             "--timeout", "60", "--graceful-timeout", "20", "--access-logfile", "-"],
            env=self.env("peer_pretix", port),
            cwd=self.work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

    def body(self, rng: random.Random, n: int) -> bytes:
        """An order of one place with a code: the same random choices as Lectern's body."""
        item, code = rng.choice(self.seeded["items"]), rng.choice(self.seeded["codes"])
        return json.dumps(
            {
                "email": f"trainee{n}@bench.example",
                "locale": "en",
                "sales_channel": "web",
                "send_email": False,
                "positions": [
                    {"item": item, "voucher": code, "attendee_name": f"Bench Trainee {n}"}
                ],
            }
        ).encode()

    def recount(self) -> tuple[int, int, int]:
        row = self.pg.one("peer_pretix", PRETIX_RECOUNT)
        assert row is not None, "pretix's database could not be read"
        return int(row[0]), int(row[1]), int(row[2])


class Lectern:
    name = "Lectern"

    def __init__(self, pg: Postgres) -> None:
        self.pg = pg
        self.headers: dict[str, str] = {}
        self.orders = "/api/v1/registrations"
        self.ready = "/api/v1/health"
        self.data_dir = Path(tempfile.mkdtemp(prefix="lectern-peer-"))
        self.pg.recreate("peer_lectern_template")
        template = self.env("peer_lectern_template")
        lectern(template, "migrate", "--noinput")
        self.seeded = json.loads(lectern(template, "shell", "-c", SEED).split("SEED ", 1)[1])

    def env(self, database: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            DATABASE_URL=self.pg.url(database),
            LECTERN_DATA_DIR=str(self.data_dir),
            EMAIL_URL="console:",
            DJANGO_SETTINGS_MODULE="lectern.settings.base",
            LECTERN_CODE_ATTEMPTS_PER_CLIENT="100000",
        )
        return env

    def prepare(self) -> None:
        self.pg.recreate("peer_lectern", template="peer_lectern_template")

    def start(self, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "lectern.cli", "serve", "--port", str(port),
             "--workers", str(workers), "--threads", str(threads), "--no-worker"],
            env=self.env("peer_lectern"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

    def body(self, rng: random.Random, n: int) -> bytes:
        return registration_body(rng, self.seeded, n)

    def recount(self) -> tuple[int, int, int]:
        output = lectern(self.env("peer_lectern"), "shell", "-c", RECOUNT)
        over, bad = map(int, output.split("RECOUNT ", 1)[1].split())
        row = self.pg.one("peer_lectern", LECTERN_CONFIRMED)
        assert row is not None, "Lectern's database could not be read"
        return int(row[0]), over, bad


System = Pretix | Lectern


def wait_until_ready(system: System, port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, f"{system.name} stopped while starting"
        assert time.monotonic() < deadline, f"{system.name} did not answer in 120 s"
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            probe.request("GET", system.ready, headers=system.headers)
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            probe.close()
        time.sleep(0.5)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def one_round(system: System, number: int, args: argparse.Namespace) -> Round:
    system.prepare()
    port = free_port()
    server = system.start(port, args.workers, args.threads)
    try:
        wait_until_ready(system, port, server)
        # Warm every worker up: its first requests import and build what later ones reuse.
        warm = [("GET", system.ready, None), ("POST", system.orders, b"{}")] * args.clients
        run_clients(port, args.clients, warm, system.headers)
        load = os.getloadavg()[0]
        rng = random.Random(number)  # the same units and codes for both systems in a round
        jobs = [("POST", system.orders, system.body(rng, n)) for n in range(args.attempts)]
        latencies, statuses, elapsed, busy = run_clients(
            port, args.clients, jobs, system.headers, timeout=600
        )
    finally:
        stop(server)
    accepted, over_units, over_codes = system.recount()
    return Round(
        system=system.name,
        number=number,
        load=load,
        rate=args.attempts / elapsed,
        p50=percentile(latencies, 0.5),
        p99=percentile(latencies, 0.99),
        errors=sum(n for status, n in statuses.items() if status >= 500 or status == 0),
        busy=busy,
        statuses=statuses,
        accepted=accepted,
        over_units=over_units,
        over_codes=over_codes,
    )


def summary(rounds: list[Round]) -> dict[str, float]:
    rates = [r.rate for r in rounds]
    return {
        "rate": statistics.median(rates),
        "low": min(rates),
        "high": max(rates),
        "p50": statistics.median(r.p50 for r in rounds),
        "p99": statistics.median(r.p99 for r in rounds),
        "errors": statistics.median(r.errors for r in rounds),
        "overbooked": sum(r.over_units + r.over_codes for r in rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("PEER_POSTGRES", "postgresql://lectern@127.0.0.1:55432/"),
        help="the PostgreSQL server (its database name is ignored)",
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--attempts", type=int, default=900)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--venv", type=Path, default=ROOT / "var" / "bench" / "pretix-venv")
    parser.add_argument("--rebuild", action="store_true", help="migrate pretix's database again")
    parser.add_argument(
        "--only", choices=["Lectern", "pretix"], help="run one system's rounds, for a quick look"
    )
    args = parser.parse_args()
    pg = Postgres(args.postgres)
    work = args.venv.resolve().parent
    work.mkdir(parents=True, exist_ok=True)
    pretix = None if args.only == "Lectern" else Pretix(pg, args.venv.resolve(), work, args.rebuild)
    lectern_ = None if args.only == "pretix" else Lectern(pg)
    running = args.only or f"pretix {PRETIX} and Lectern"
    print(
        f"{running}, PostgreSQL {pg.host}:{pg.port}, {args.workers} workers x "
        f"{args.threads} thread(s) each, {args.clients} clients, {args.attempts} attempts a "
        f"round, {args.rounds} rounds",
        flush=True,
    )
    results: dict[str, list[Round]] = {"Lectern": [], "pretix": []}
    for number in range(1, args.rounds + 1):
        order = [lectern_, pretix] if number % 2 else [pretix, lectern_]
        for system in [s for s in order if s is not None]:
            result = one_round(system, number, args)
            results[system.name].append(result)
            print(result, flush=True)
    medians = {name: summary(rounds) for name, rounds in results.items() if rounds}
    for name, m in medians.items():
        print(
            f"{name:<7} median of {args.rounds}: {m['rate']:.1f}/s (range {m['low']:.1f}-"
            f"{m['high']:.1f}), p50 {m['p50']:.0f} ms, p99 {m['p99']:.0f} ms, "
            f"5xx or no answer {m['errors']:g}, overbooked in all rounds {m['overbooked']:g}"
        )
    if len(medians) < 2:
        return
    ours, theirs = medians["Lectern"], medians["pretix"]
    print(
        f"Lectern/pretix: {ours['rate'] / theirs['rate']:.1f}x the throughput (goal >= 10), "
        f"p99 {ours['p99']:.0f} ms against {theirs['p99']:.0f} ms (goal <= 500 ms)"
    )


if __name__ == "__main__":
    main()

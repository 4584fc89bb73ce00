"""Benchmark: a decade at 100 times today's programme.

    .venv/bin/python bench/scale.py [--postgres postgres://user@host:port/emptydb] [--scale 1.0]

Seeds, with bulk inserts, about 10,000 memberships, 20,000 events, 100,000 trainees and
1,000,000 registrations with their seat ledger (consistent, so `check-seats` passes), then
measures in separate processes:
  - the calendar page and a coordinator's page: p50 over 20 requests, against the same pages
    (same number of upcoming events, same registrations per membership) on a database 100
    times smaller (goal: within 2x);
  - `lectern tick` with nothing due (goal: under 1 s, under 256 MB);
  - `lectern tick` sending 10,000 due emails to a local SMTP server (goal: >= 500/s);
  - `lectern check-seats` over everything;
and the peak memory of each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = r"""
import json, random, time
from datetime import timedelta, datetime, UTC
from django.db import connection
from lectern.core import clock
from lectern.events.models import Event, Session
from lectern.memberships.models import Membership, Organization, SeatEntry, IssuedCode
from lectern.registrations.models import Trainee, Registration
from lectern.memberships.codes import generate_code
scale = float(SCALE)
rng = random.Random(1)
now = clock.now()
t0 = time.time()
N_MEM, N_EVT = max(int(10000*scale), 20), max(int(20000*scale), 100)
N_TRN, N_REG = max(int(100000*scale), 200), max(int(1000000*scale), 2000)
orgs = Organization.objects.bulk_create([Organization(name=f"Org {i}", country="GB", created_at=now) for i in range(N_MEM)], batch_size=5000)
start0 = (now - timedelta(days=3650)).date()
mems = []
for i, org in enumerate(orgs):
    start = start0 + timedelta(days=int(3650 * i / N_MEM))
    mems.append(Membership(organization=org, tier="custom", start_date=start, end_date=start + timedelta(days=364),
                           registration_code=f"S{i:07d}X{generate_code(4)}", created_at=now))
mems = Membership.objects.bulk_create(mems, batch_size=5000)
IssuedCode.objects.bulk_create([IssuedCode(code=m.registration_code, membership=m, issued_at=now) for m in mems], batch_size=5000)
events, sessions = [], []
for i in range(N_EVT):
    first = now - timedelta(days=3650) + timedelta(minutes=int(3650 * 24 * 60 * i / N_EVT))
    if i >= N_EVT - 40:
        first = now + timedelta(days=20 + (i - N_EVT + 40) * 4)
    events.append(Event(title=f"Training {i}", timezone="UTC", capacity=60, min_enrolment=1,
                        status="completed" if first < now else "scheduled", first_start=first,
                        last_end=first + timedelta(hours=32), first_local_date=first.date(), created_at=now))
from lectern.events.deadlines import stored_instants
for ev in events:
    for column, instant in stored_instants(ev).items():
        setattr(ev, column, instant)
events = Event.objects.bulk_create(events, batch_size=5000)
Session.objects.bulk_create([Session(event=e, start=e.first_start + timedelta(days=d), end=e.first_start + timedelta(days=d, hours=8)) for e in events for d in (0, 1)], batch_size=10000)
trainees = Trainee.objects.bulk_create([Trainee(email=f"t{i}@scale.example", name=f"Trainee {i}", affiliation="A", country="GB", technologies=["python"], usage_frequency="weekly", carpentries_experience=["none"], created_at=now) for i in range(N_TRN)], batch_size=10000)
print("base", round(time.time() - t0, 1), flush=True)
granted = {m.pk: 0 for m in mems}
reserved = dict.fromkeys(granted, 0); used = dict.fromkeys(granted, 0)
future = [e for e in events if e.status == "scheduled"]
regs, entries = [], []
batch = 50000
def flush():
    global regs, entries
    created = Registration.objects.bulk_create(regs, batch_size=10000)
    SeatEntry.objects.bulk_create([SeatEntry(membership_id=r.membership_id, at=now, kind=k, delta=1, actor_label="scale", registration=r) for r in created for k in (["reserved"] if r.status == "confirmed" else ["reserved", "used"])], batch_size=10000)
    regs = []
confirmed_trainees = set()
for i in range(N_REG):
    ev = events[int(i * (N_EVT - 40) / N_REG)]
    m = mems[min(N_MEM - 1, int(i * N_MEM / N_REG))]
    tr = trainees[i % N_TRN]
    status = "attended" if i % 10 < 7 else "failed"
    if i % 1000 == 0 and tr.pk not in confirmed_trainees:
        ev = future[(i // 1000) % len(future)]; status = "confirmed"; confirmed_trainees.add(tr.pk)
        m = mems[-1]
    if status == "confirmed":
        reserved[m.pk] += 1
    else:
        used[m.pk] += 1
    regs.append(Registration(event=ev, membership=m, trainee=tr, status=status, manage_nonce="x", created_at=now, changed_at=now))
    if len(regs) >= batch:
        flush()
flush()
for e in future:
    Event.objects.filter(pk=e.pk).update(places_taken=Registration.objects.filter(event=e, status="confirmed").count())
grants = []
for m in mems:
    g = reserved[m.pk] + used[m.pk] + 2
    grants.append(SeatEntry(membership=m, at=now, kind="granted", source="tier", delta=g, actor_label="scale"))
    m.seats_granted, m.seats_reserved, m.seats_used = g, reserved[m.pk], used[m.pk]
SeatEntry.objects.bulk_create(grants, batch_size=10000)
Membership.objects.bulk_update(mems, ["seats_granted", "seats_reserved", "seats_used"], batch_size=5000)
print("SEEDED", json.dumps({"membership": mems[len(mems)//2].pk, "seconds": round(time.time() - t0, 1), "registrations": Registration.objects.count()}))
"""

PAGES = r"""
import json, time, statistics
from django.test import Client
from lectern.accounts.services import user_ensure
from lectern.memberships.models import Membership
m = Membership.objects.get(pk=MEMBERSHIP)
staff = user_ensure(email="bench@staff.example", role="staff")
c = Client(); c.force_login(staff)
def p50(path):
    c.get(path)
    times = []
    for _ in range(20):
        t = time.perf_counter(); r = c.get(path); times.append(time.perf_counter() - t)
        assert r.status_code == 200, (path, r.status_code)
    return statistics.median(times) * 1000
print("PAGES", json.dumps({"calendar": p50("/calendar/"), "coordinator": p50(f"/memberships/{m.pk}/")}))
"""

MAIL = r"""
from lectern.core import clock
from lectern.notifications.models import Message
now = clock.now()
Message.objects.bulk_create([Message(kind="bench", recipient=f"m{i}@scale.example", object_type="bench", object_id=i, subject="Bench", body_text="Hello", due_at=now, created_at=now) for i in range(10000)], batch_size=5000)
print("QUEUED")
"""


WRAPPER = (
    "import resource, sys\n"
    "from lectern.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def run(env: dict[str, str], *args: str) -> tuple[str, float, float]:
    """Run `lectern ARGS` in its own process; return its output, wall seconds (start-up
    included) and its own peak memory (MB)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"lectern {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    peak_kb = int(result.stderr.rsplit("MAXRSS ", 1)[1].split()[0])
    return result.stdout, elapsed, peak_kb / 1024


def environment(label: str, database_url: str | None) -> dict[str, str]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"lectern-scale-{label}-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        LECTERN_DATA_DIR=str(data_dir),
        EMAIL_URL="console:",
        DJANGO_SETTINGS_MODULE="lectern.settings.base",
        LECTERN_ALLOWED_HOSTS="testserver",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    run(env, "migrate", "--noinput")
    return env


def bench(label: str, database_url: str | None, empty_url: str | None, scale: float) -> None:
    empty = environment(f"{label}-small", empty_url)
    seeded = json.loads(
        run(empty, "shell", "-c", SEED.replace("SCALE", str(scale / 100)))[0].split("SEEDED ", 1)[1]
    )
    baseline = json.loads(
        run(empty, "shell", "-c", PAGES.replace("MEMBERSHIP", str(seeded["membership"])))[0].split(
            "PAGES ", 1
        )[1]
    )

    env = environment(label, database_url)
    out, seed_time, _ = run(env, "shell", "-c", SEED.replace("SCALE", str(scale)))
    seeded = json.loads(out.split("SEEDED ", 1)[1])
    pages = json.loads(
        run(env, "shell", "-c", PAGES.replace("MEMBERSHIP", str(seeded["membership"])))[0].split(
            "PAGES ", 1
        )[1]
    )
    idle_out, idle, idle_mb = run(env, "tick")
    _, check, check_mb = run(env, "check-seats")

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from aiosmtpd.controller import Controller

    from tests.smtp import Sink, free_port

    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        run(env, "shell", "-c", MAIL)
        mail_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
        _, sending, sending_mb = run(mail_env, "tick")
    finally:
        controller.stop()
    print(f"[{label}] seeded {seeded['registrations']:,} registrations in {seed_time:.0f} s")
    for name in ("calendar", "coordinator"):
        ratio = pages[name] / baseline[name]
        print(
            f"  {name} page p50: {pages[name]:.1f} ms (a 100x smaller database: "
            f"{baseline[name]:.1f} ms,"
            f" x{ratio:.2f}; goal <= 2)"
        )
    in_tick = float(idle_out.rsplit("took ", 1)[1].split(" s")[0])
    print(
        f"  tick, nothing due: {idle:.2f} s with start-up, {in_tick:.2f} s in the tick, "
        f"peak {idle_mb:.0f} MB (goal < 1 s, < 256 MB)"
    )
    print(
        f"  tick sending 10,000 emails: {len(sink.messages):,} received in {sending:.1f} s = "
        f"{len(sink.messages) / sending:.0f}/s, peak {sending_mb:.0f} MB (goal >= 500/s)"
    )
    print(f"  check-seats over everything: {check:.1f} s, peak {check_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=None, help="an empty database for the seed")
    parser.add_argument("--postgres-empty", default=None, help="another, for the baseline")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if args.postgres:
        bench("PostgreSQL", args.postgres, args.postgres_empty, args.scale)
    bench("SQLite", None, None, args.scale)


if __name__ == "__main__":
    main()

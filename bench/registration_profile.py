"""Profile the registration path in one process, through the whole Django stack (WSGI).

    .venv/bin/python bench/registration_profile.py [--count 300] [--postgres URL]
                                                   [--cprofile N] [--sql]

Seeds like `registration_rush.py` into a fresh database (with room for every registration
sent, so that each is accepted), then sends `POST
/api/v1/registrations` and `GET /api/v1/health` straight to the WSGI application (no HTTP
server, no client), and measures for each, per request:

- statements: those a registration sends, apart from BEGIN, COMMIT and savepoints (which
  are counted on their own); `--sql` prints the statements of one registration;
- Python function calls (counted by cProfile over a separate pass): a measure of the
  Python work that does not depend on what else the machine is doing;
- CPU milliseconds of this process (`time.process_time`), and with PostgreSQL the CPU of
  this connection's server process (read from /proc, so PostgreSQL must run on this
  machine); both grow when other work shares the cores, so compare them with the health
  check's, measured in the same minute.

Then it replays the SQL of one registration as plain statements, without the ORM: what
the database work of a registration costs, the floor under any code that issues it.
`--cprofile N` prints the N most expensive functions of the registrations.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registration_rush import registration_body

FRAMING = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cprofile", type=int, default=0)
    parser.add_argument("--sql", action="store_true", help="print one registration's SQL")
    args = parser.parse_args()
    os.environ["LECTERN_DATA_DIR"] = tempfile.mkdtemp(prefix="lectern-profile-")
    os.environ.pop("DATABASE_URL", None)
    if args.postgres.startswith("postgres"):
        os.environ["DATABASE_URL"] = args.postgres
    os.environ.update(
        EMAIL_URL="locmem:",
        DJANGO_SETTINGS_MODULE="lectern.settings.base",
        LECTERN_CODE_ATTEMPTS_PER_CLIENT="100000",
    )
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from registration_rush import SEED

    logging.disable(logging.INFO)  # the request log is written, and dropped, on every request
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":  # a database of an earlier run starts empty
        call_command("flush", verbosity=0, interactive=False)
    out = io.StringIO()
    sys.stdout, saved = out, sys.stdout
    try:
        exec(SEED, {})
    finally:
        sys.stdout = saved
    seeded = json.loads(out.getvalue().split("SEED ", 1)[1])
    roomy()
    application = get_wsgi_application()
    rng = random.Random(7)

    def call(method: str, path: str, body: bytes = b"") -> int:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []
        chunks = application(environ, lambda s, h, e=None: status.append(s))
        b"".join(chunks)
        return int(status[0].split()[0])

    def register(n: int) -> Callable[[], int]:
        body = registration_body(rng, seeded, n)
        return lambda: call("POST", "/api/v1/registrations", body)

    def health(n: int) -> Callable[[], int]:
        return lambda: call("GET", "/api/v1/health")

    for n in range(5):
        health(n)()
    register(10**6)()  # the first registration builds the caches a process keeps
    vendor = connection.vendor
    count, n = args.count, 0
    profiler = cProfile.Profile() if args.cprofile else None

    def measure(make: Callable[[int], Callable[[], int]]) -> dict[str, float]:
        """CPU per request over `count` requests (no query capture: it costs CPU of its
        own), then statements per request over a third as many, captured."""
        nonlocal n
        calls = [make(n + i) for i in range(count)]
        n += count
        statuses: dict[int, int] = {}
        server = server_cpu(connection)
        started = time.process_time()
        if profiler and make is register:
            profiler.enable()
        for send in calls:
            status = send()
            statuses[status] = statuses.get(status, 0) + 1
        if profiler:
            profiler.disable()
        cpu = time.process_time() - started
        server = server_cpu(connection) - server
        counted = [make(n + i) for i in range(max(count // 3, 1))]
        n += len(counted)
        with CaptureQueriesContext(connection) as queries:
            for send in counted:
                send()
        sql = [q["sql"] for q in queries.captured_queries]
        framing = sum(1 for s in sql if s.startswith(FRAMING))
        return {
            "cpu": cpu / count * 1000,
            "server": server / count * 1000,
            "statements": (len(sql) - framing) / len(counted),
            "framing": framing / len(counted),
            "statuses": statuses,  # type: ignore[dict-item]
        }

    registrations = measure(register)
    checks = measure(health)
    reg_calls, health_calls = (
        function_calls(make, n + 10**5, count // 3) for make in (register, health)
    )
    print(f"[{vendor}] {count} registrations, statuses {registrations['statuses']}")
    for name, figures, calls_ in (
        ("registration", registrations, reg_calls),
        ("health", checks, health_calls),
    ):
        line = (
            f"  {name + ':':13} {figures['statements']:.1f} statements"
            f" (+ {figures['framing']:.1f} BEGIN/COMMIT/savepoints),"
            f" {calls_:,.0f} Python calls, {figures['cpu']:.2f} ms CPU"
        )
        if vendor == "postgresql":
            line += f" + {figures['server']:.2f} ms in PostgreSQL"
        print(line)
    print(
        f"  health/registration: {checks['cpu'] / registrations['cpu']:.2f} of the CPU,"
        f" {health_calls / reg_calls:.2f} of the Python calls"
    )
    sending(connection)
    if args.sql:  # one registration as the API sends it, BEGIN and COMMIT included
        with CaptureQueriesContext(connection) as one:
            register(n)()
        for sql in [q["sql"] for q in one.captured_queries]:
            print(f"    {sql[:160]}")
        n += 1
    replay(count, json.loads(registration_body(rng, seeded, n)))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)


def roomy() -> None:
    """Places and seats for every registration the passes send, so that all are accepted
    and each pass measures the same work (the rush's seed is sized to refuse a third)."""
    from lectern.core.permissions import Principal
    from lectern.events.models import Event
    from lectern.memberships.models import Membership
    from lectern.memberships.services import seats_add

    Event.objects.update(capacity=1000)
    for membership in Membership.objects.all():
        seats_add(actor=Principal.as_system(), membership=membership, delta=50, reason="bench")


def sending(connection: object) -> None:
    """Send every due email (the registrations' confirmations): CPU per email."""
    from django.core import mail

    from lectern.notifications.sender import send_due

    mail.outbox = []
    server = server_cpu(connection)
    started = time.process_time()
    report = send_due()
    cpu = time.process_time() - started
    server = server_cpu(connection) - server
    sent = max(report.sent, 1)
    line = f"  sender:       {report.sent} emails, {cpu / sent * 1000:.2f} ms CPU each"
    if getattr(connection, "vendor", "") == "postgresql":
        line += f" + {server / sent * 1000:.2f} ms in PostgreSQL"
    print(line)


def function_calls(make: Callable[[int], Callable[[], int]], start: int, count: int) -> float:
    """Python function calls per request, counted by cProfile."""
    calls = [make(start + i) for i in range(count)]
    profiler = cProfile.Profile()
    profiler.enable()
    for send in calls:
        send()
    profiler.disable()
    stats = pstats.Stats(profiler)
    return float(stats.total_calls) / count  # type: ignore[attr-defined]


def server_cpu(connection: object) -> float:
    """CPU seconds this connection's PostgreSQL server process has used (0 on SQLite, or
    when PostgreSQL runs on another machine)."""
    if getattr(connection, "vendor", "") != "postgresql":
        return 0.0
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replay(count: int, body: dict[str, object]) -> None:
    """Time the SQL of one registration sent as it is, without the ORM building it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from lectern.core.permissions import Principal
    from lectern.events.models import Event
    from lectern.memberships.models import Membership
    from lectern.registrations.api import RegistrationIn, details_from
    from lectern.registrations.services import registration_create

    emptiest = Event.objects.order_by("places_taken").first()
    most_seats = Membership.objects.order_by("seats_reserved").first()
    assert emptiest is not None
    assert most_seats is not None
    body = {**body, "event_id": emptiest.pk, "code": most_seats.registration_code}
    payload = RegistrationIn.model_validate(body)
    with CaptureQueriesContext(connection) as one, transaction.atomic():
        registration_create(
            actor=Principal.anonymous(),
            event_id=payload.event_id,
            code=payload.code,
            details=details_from(payload),
            client="127.0.0.1",
        )
        transaction.set_rollback(True)
    everything = [q["sql"] for q in one.captured_queries]
    statements = [sql for sql in everything if not sql.startswith(FRAMING)]
    server = server_cpu(connection)
    started = time.process_time()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            transaction.set_rollback(True)
    python = time.process_time() - started
    server = server_cpu(connection) - server
    line = (
        f"  the same {len(statements)} statements sent as SQL: {python / count * 1000:.2f} ms CPU"
    )
    if connection.vendor == "postgresql":
        line += f" + {server / count * 1000:.2f} ms in PostgreSQL"
    print(line)


if __name__ == "__main__":
    main()

"""Profile the registration path in one process, through the whole Django stack (WSGI).

    .venv/bin/python bench/registration_profile.py [--count 300] [--postgres URL] [--cprofile N]

Seeds like `registration_rush.py` into a fresh database, then sends `POST
/api/v1/registrations` and `GET /api/v1/health` straight to the WSGI application (no HTTP
server, no client): CPU milliseconds and queries per request for each, so that the server's
own cost of a registration can be compared with the health check's. With PostgreSQL on this
machine, the CPU its processes spent is shown too (the machine's busy time less this
process's; run it on an otherwise idle machine). `--cprofile N` prints the N most expensive
functions of the registrations.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registration_rush import cpu_times, registration_body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cprofile", type=int, default=0)
    args = parser.parse_args()
    os.environ["LECTERN_DATA_DIR"] = tempfile.mkdtemp(prefix="lectern-profile-")
    os.environ.pop("DATABASE_URL", None)
    if args.postgres.startswith("postgres"):
        os.environ["DATABASE_URL"] = args.postgres
    os.environ.update(
        EMAIL_URL="console:",
        DJANGO_SETTINGS_MODULE="lectern.settings.base",
        LECTERN_CODE_ATTEMPTS_PER_CLIENT="100000",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from registration_rush import SEED

    call_command("migrate", verbosity=0, interactive=False)
    out = io.StringIO()
    sys.stdout, saved = out, sys.stdout
    try:
        exec(SEED, {})
    finally:
        sys.stdout = saved
    seeded = json.loads(out.getvalue().split("SEED ", 1)[1])
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

    def body(n: int) -> bytes:
        return registration_body(rng, seeded, n)

    for _ in range(5):
        call("GET", "/api/v1/health")
    bodies = [body(n) for n in range(args.count)]
    profiler = cProfile.Profile() if args.cprofile else None
    statuses: dict[int, int] = {}
    with CaptureQueriesContext(connection) as queries:
        started, machine_before = time.process_time(), cpu_times()[0]
        if profiler:
            profiler.enable()
        for b in bodies:
            s = call("POST", "/api/v1/registrations", b)
            statuses[s] = statuses.get(s, 0) + 1
        if profiler:
            profiler.disable()
        registration_cpu = time.process_time() - started
        machine_cpu = (cpu_times()[0] - machine_before) / os.sysconf("SC_CLK_TCK")
        registration_queries = len(queries)
    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        for _ in range(args.count):
            call("GET", "/api/v1/health")
        health_cpu = time.process_time() - started
        health_queries = len(queries)
    per_reg = registration_cpu / args.count * 1000
    per_health = health_cpu / args.count * 1000
    print(f"[{connection.vendor}] {args.count} registrations, statuses {statuses}")
    print(f"  registration: {per_reg:.2f} ms CPU, {registration_queries / args.count:.1f} queries")
    if connection.vendor == "postgresql":
        database = max(0.0, machine_cpu - registration_cpu) / args.count * 1000
        print(f"  registration: {database:.2f} ms CPU in PostgreSQL (on this machine)")
    print(f"  health:       {per_health:.2f} ms CPU, {health_queries / args.count:.1f} queries")
    print(f"  server-side CPU ratio health/registration: {per_health / per_reg:.2f}")
    replay(args.count, json.loads(body(args.count)))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)


def replay(count: int, body: dict[str, object]) -> None:
    """Time the SQL of one registration sent as it is, without the ORM building it: what the
    database work of a registration costs, the floor under any code that issues it."""
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
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    statements = [q["sql"] for q in one.captured_queries if not q["sql"].startswith(skip)]
    started, machine_before = time.process_time(), cpu_times()[0]
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            transaction.set_rollback(True)
    python = time.process_time() - started
    machine = (cpu_times()[0] - machine_before) / os.sysconf("SC_CLK_TCK")
    line = (
        f"  the same {len(statements)} statements sent as SQL: {python / count * 1000:.2f} ms CPU"
    )
    if connection.vendor == "postgresql":
        line += f" + {max(0.0, machine - python) / count * 1000:.2f} ms in PostgreSQL"
    print(line)


if __name__ == "__main__":
    main()

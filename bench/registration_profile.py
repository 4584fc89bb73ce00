"""Profile the registration path in one process, through the whole Django stack (WSGI).

    .venv/bin/python bench/registration_profile.py [--count 300] [--postgres URL] [--cprofile N]

Seeds like `registration_rush.py` into a fresh database, then sends `POST
/api/v1/registrations` and `GET /api/v1/health` straight to the WSGI application (no HTTP
server, no client): CPU milliseconds and queries per request for each, so that the server's
own cost of a registration can be compared with the health check's. `--cprofile N` prints
the N most expensive functions of the registrations.
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
        return json.dumps(
            {
                "event_id": rng.choice(seeded["events"]),
                "code": rng.choice(seeded["codes"]),
                "name": f"Profile Trainee {n}",
                "email": f"profile{n}@bench.example",
                "affiliation": "Bench",
                "country": "GB",
                "technologies": ["python"],
                "usage_frequency": "weekly",
                "carpentries_experience": ["none"],
                "accept_code_of_conduct": True,
                "accept_privacy": True,
            }
        ).encode()

    for _ in range(5):
        call("GET", "/api/v1/health")
    bodies = [body(n) for n in range(args.count)]
    profiler = cProfile.Profile() if args.cprofile else None
    statuses: dict[int, int] = {}
    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        if profiler:
            profiler.enable()
        for b in bodies:
            s = call("POST", "/api/v1/registrations", b)
            statuses[s] = statuses.get(s, 0) + 1
        if profiler:
            profiler.disable()
        registration_cpu = time.process_time() - started
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
    print(f"  health:       {per_health:.2f} ms CPU, {health_queries / args.count:.1f} queries")
    print(f"  server-side CPU ratio health/registration: {per_health / per_reg:.2f}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()

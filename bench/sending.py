"""Benchmark: the sender draining due emails to a local SMTP server.

    .venv/bin/python bench/sending.py [--emails 10000] [--postgres postgres://USER@HOST/db]

Queues the emails in a fresh database (SQLite in a temporary data folder, or the empty
PostgreSQL database given), then runs `lectern tick` in its own process against an aiosmtpd
server in this one, and prints the rate from the tick's start to its end (Python start-up
included) and the sender's peak memory. The goal is at least 500 emails a second.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import MAIL, environment, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--postgres", default=None, help="an empty PostgreSQL database")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from tests.smtp import Sink, free_port

    label = "postgres" if args.postgres else "sqlite"
    env = environment(f"sending-{label}", args.postgres)
    run(env, "shell", "-c", MAIL.replace("range(10000)", f"range({args.emails})"))
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        _, seconds, peak = run({**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}, "tick")
    finally:
        controller.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    received = len(sink.messages)
    unique = len({m["Message-ID"] for m in sink.messages})
    print(
        f"[{label}] {received:,} of {args.emails:,} emails received ({received - unique} "
        f"duplicates) in {seconds:.1f} s = {received / seconds:.0f}/s, sender peak "
        f"{peak:.0f} MB, sender CPU {cpu:.1f} s = {1000 * cpu / max(received, 1):.2f} ms an "
        f"email (goal >= 500/s)"
    )


if __name__ == "__main__":
    main()

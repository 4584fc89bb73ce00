"""`lectern serve`: migrate, then run the production WSGI server (gunicorn)."""

from __future__ import annotations

import atexit
import errno
import os
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from lectern.core.logmask import gunicorn_logger_class
from lectern.core.metrics import metrics_folder_reset, metrics_worker_exit


def default_workers() -> int:
    return int(os.environ.get("LECTERN_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1))


class LecternServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Each worker loads the application after gunicorn forks it.
        from lectern.wsgi import application

        return application


def start_worker() -> subprocess.Popen[bytes]:
    """Run the scheduler and email worker beside the web server; stop it when we stop."""
    worker = subprocess.Popen([sys.executable, "-m", "lectern.cli", "worker"])

    def stop() -> None:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    atexit.register(stop)
    return worker


def port_check(host: str, port: int) -> None:
    """Refuse, saying why, a port that is taken (before announcing anything), rather than
    printing "serving at ..." and then failing inside gunicorn."""
    if not 0 < port < 65536:
        raise CommandError(f"--port must be between 1 and 65535, not {port}.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError(f"Cannot listen on {host!r}: {exc.strerror}.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use (another Lectern, or another "
                    f"program). Stop it, or choose another port: `lectern serve --port "
                    f"{port + 1}` or `make run PORT={port + 1}`."
                ) from None
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None


class Command(BaseCommand):
    help = "Apply migrations, then serve Lectern with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("LECTERN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("LECTERN_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("LECTERN_WEB_THREADS", "4"))
        )
        parser.add_argument("--no-migrate", action="store_true", help="Skip applying migrations.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve the web only; run `lectern worker` elsewhere.",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        threads: int,
        no_migrate: bool,
        no_worker: bool,
        **options: Any,
    ) -> None:
        port_check(host, port)
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        metrics_folder_reset()
        connections.close_all()
        worker = None if no_worker else start_worker()
        url = f"http://{host}:{port}"
        self.stdout.write(
            f"\nLectern is serving at {url}/  ({workers} workers, database: "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})\n"
            f"  Home and sign-in:  {url}/\n"
            f"  Staff back office: {url}/admin/\n"
            f"  API and its docs:  {url}/api/v1/docs\n"
            f"  Scheduler and email worker: {'running' if worker else 'not started'} "
            f"(mail: {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]})\n"
            "Press Ctrl+C to stop.\n"
        )
        self.stdout.flush()
        LecternServer(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                # A worker takes a connection only when one of its threads is free, and
                # closes it after the answer: waiting clients queue in the kernel's one
                # accept queue, first come first served, rather than behind whichever busy
                # worker happened to accept them (a tail of seconds under a rush). Behind
                # a reverse proxy, which keeps its own connections to the clients.
                "worker_connections": threads,
                "keepalive": 0,
                "timeout": 60,
                "graceful_timeout": 20,
                # No access log: Lectern logs one masked line per request itself, with its id.
                "accesslog": None,
                "logger_class": gunicorn_logger_class(),  # personal data masked in its log
                "child_exit": metrics_worker_exit,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "lectern",
            }
        ).run()

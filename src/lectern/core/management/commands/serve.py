"""`lectern serve`: migrate, then run the production WSGI server (gunicorn)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication


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
        from lectern.wsgi import application

        return application


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

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        threads: int,
        no_migrate: bool,
        **options: Any,
    ) -> None:
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()
        url = f"http://{host}:{port}"
        self.stdout.write(
            f"\nLectern is serving at {url}/  ({workers} workers, database: "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})\n"
            f"  Home and sign-in:  {url}/\n"
            f"  Staff back office: {url}/admin/\n"
            f"  API and its docs:  {url}/api/v1/docs\n"
            "Press Ctrl+C to stop.\n"
        )
        self.stdout.flush()
        LecternServer(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                "graceful_timeout": 20,
                "accesslog": "-",
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "lectern",
            }
        ).run()

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from lectern.core.backup import backup


class Command(BaseCommand):
    help = "Back up the database (online): SQLite backup API, or pg_dump on PostgreSQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=None, help="File (default: DATA_DIR/backups/…)")

    def handle(self, *args: Any, out: str | None, **options: Any) -> None:
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(out) if out else settings.DATA_DIR / "backups" / f"lectern-{stamp}.backup"
        self.stdout.write(str(backup(path, stream=self.stderr)))

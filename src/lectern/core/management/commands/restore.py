from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.core.backup import restore
from lectern.core.errors import DomainError


class Command(BaseCommand):
    help = "Restore the database from a backup made by `lectern backup` (stop Lectern first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            restore(Path(file), stream=self.stderr)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"restored from {file}")

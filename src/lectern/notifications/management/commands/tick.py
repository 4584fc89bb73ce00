from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lectern.notifications.scheduler import tick


class Command(BaseCommand):
    help = "Run all scheduled work that is due now, send due emails, print a summary, exit."
    requires_system_checks: list[str] = []  # start fast: the scheduler runs every minute

    def handle(self, *args: Any, **options: Any) -> None:
        report = tick()
        self.stdout.write(str(report))
        if report.errors:
            raise CommandError(f"{len(report.errors)} rule(s) failed")

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lectern.events.deadlines import stale_events
from lectern.events.models import Event


class Command(BaseCommand):
    help = (
        "Recompute every event's deadline instants from its sessions, zone and the settings; "
        "fail, naming the event, on any mismatch (--fix rewrites them, e.g. after a setting "
        "such as REGISTRATION_CUTOFF_DAYS has changed)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Rewrite the stale instants.")

    def handle(self, *args: Any, fix: bool = False, **options: Any) -> None:
        with transaction.atomic():
            stale = stale_events(Event.objects.order_by("pk").iterator(2000))
            for event, wrong in stale:
                for column, (stored, computed) in wrong.items():
                    self.stderr.write(
                        f"event {event.pk} ({event}): {column} is {stored:%Y-%m-%d %H:%M:%S}Z, "
                        f"should be {computed:%Y-%m-%d %H:%M:%S}Z"
                    )
                    setattr(event, column, computed)
                if fix:
                    event.save(update_fields=list(wrong))
        if stale and not fix:
            raise CommandError(f"{len(stale)} events have stale deadline instants.")
        done = f"fixed {len(stale)}" if fix else "ok"
        self.stdout.write(f"{done}: every event's deadline instants match their definitions.")

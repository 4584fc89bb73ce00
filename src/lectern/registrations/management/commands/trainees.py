from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lectern.core.emails import email_lookup
from lectern.registrations.models import Trainee


class Command(BaseCommand):
    help = "Trainee records: `duplicates` lists records whose addresses are one after normalising."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "duplicates",
            help="List groups of trainees whose addresses collide (merge them with "
            "POST /api/v1/trainees/{id}/merge or the back office).",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        groups: dict[str, list[Trainee]] = defaultdict(list)
        live = Trainee.objects.filter(erased_at__isnull=True, merged_into__isnull=True)
        for trainee in live.order_by("created_at", "pk"):
            groups[email_lookup(trainee.email)].append(trainee)
        duplicates = {k: v for k, v in groups.items() if len(v) > 1}
        if not duplicates:
            self.stdout.write("no duplicates")
            return
        for address, trainees in sorted(duplicates.items()):
            self.stdout.write(f"{address}: {len(trainees)} records")
            for t in trainees:
                self.stdout.write(
                    f"  id {t.pk}  {t.email!r}  {t.name}  created {t.created_at:%Y-%m-%d %H:%M}"
                )
        self.stdout.write(f"{len(duplicates)} group(s) of duplicates")

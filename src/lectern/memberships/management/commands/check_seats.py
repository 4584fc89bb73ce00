from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lectern.core.progress import track
from lectern.memberships.models import Membership
from lectern.memberships.selectors import SeatSummary, ledger_recount_all, membership_seat_summary


class Command(BaseCommand):
    help = "Recount every membership's seats from its ledger; fail, naming it, on any mismatch."
    requires_system_checks: list[str] = []  # start fast: the scheduler runs every minute

    def handle(self, *args: Any, **options: Any) -> None:
        recounts = ledger_recount_all()
        checked, mismatches = 0, []
        memberships = Membership.objects.select_related("organization")
        for membership in track(
            memberships.iterator(2000),
            "Recounting seats",
            total=memberships.count(),
            stream=self.stderr,
        ):
            checked += 1
            shown = membership_seat_summary(membership)
            counted = recounts.get(membership.pk, SeatSummary())
            if shown != counted or (
                counted.available < 0 and not membership.ledger.filter(overdraw=True).exists()
            ):
                mismatches.append(
                    f"membership {membership.pk} ({membership}): shown {shown.as_dict()}, "
                    f"ledger recount {counted.as_dict()}"
                )
        for line in mismatches:
            self.stderr.write(line)
        if mismatches:
            raise CommandError(
                f"{len(mismatches)} of {checked} memberships do not match their ledger."
            )
        self.stdout.write(f"ok: {checked} memberships match their ledger.")

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.core.progress import track
from lectern.memberships.services import MEMBER_COLUMNS, members_import


class Command(BaseCommand):
    help = (
        "Create members (organisation, membership, coordinator) from a CSV with the columns "
        f"{', '.join(MEMBER_COLUMNS)}. Previews unless --apply; refusals are listed per line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--apply", action="store_true", help="Create them (else preview).")

    def handle(self, *args: Any, file: str, apply: bool, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            result = members_import(
                actor=Principal.as_system(),
                text=path.read_text(encoding="utf-8-sig"),
                apply=apply,
                progress=lambda rows: track(rows, "Importing members", stream=self.stderr),
            )
        except DomainError as exc:
            raise CommandError(exc.explained()) from None
        for line in result.lines:
            if line.refusal:
                self.stdout.write(f"line {line.line} {line.name}: refused: {line.refusal}")
            else:
                assert line.membership is not None
                code = line.membership.registration_code
                self.stdout.write(f"line {line.line} {line.name}: {line.membership}, code {code}")
        verb = "created" if apply else "would create (preview; --apply to create)"
        self.stdout.write(f"{verb}: {len(result.created)}; refused: {len(result.refused)}")

"""`lectern certificates render --all`: re-render certificate PDFs into the data folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.certificates.models import Certificate
from lectern.certificates.services import certificate_pdf


def progress(done: int, total: int, started: float, stream: Any) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.monotonic() - started, 1e-9)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.0f}/s)")
    stream.flush()


class Command(BaseCommand):
    help = "Render certificates to PDF files (e.g. after changing the layout)."
    requires_system_checks: list[str] = []  # start fast: the scheduler runs every minute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="Render certificates to files.")
        render.add_argument("--all", action="store_true", help="Every certificate.")
        render.add_argument("numbers", nargs="*", help="Or these certificate numbers.")
        render.add_argument("--out", default=None, help="Folder (default: DATA_DIR/certificates)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        certificates = Certificate.objects.all().order_by("pk")
        if not options["all"]:
            if not options["numbers"]:
                raise CommandError("Give --all or certificate numbers.")
            certificates = certificates.filter(number__in=[n.upper() for n in options["numbers"]])
        out = Path(options["out"] or settings.DATA_DIR / "certificates")
        out.mkdir(parents=True, exist_ok=True)
        total = certificates.count()
        started = time.monotonic()
        show = sys.stderr.isatty() or total > 0
        for done, certificate in enumerate(certificates.iterator(500), start=1):
            (out / f"{certificate.number}.pdf").write_bytes(certificate_pdf(certificate))
            if show and (done % 25 == 0 or done == total):
                progress(done, total, started, self.stderr)
        elapsed = time.monotonic() - started
        if total:
            self.stderr.write("\n")
        self.stdout.write(f"rendered {total} certificate(s) into {out} in {elapsed:.1f} s")

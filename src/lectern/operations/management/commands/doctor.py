"""`lectern doctor`: check the configuration; print what is wrong and how to fix it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.operations.doctor import OK, PROBLEM, WARNING, doctor_run

MARKS = {OK: "ok     ", WARNING: "WARNING", PROBLEM: "PROBLEM"}


class Command(BaseCommand):
    help = (
        "Check secret key, hosts, base URL, database, migrations, SMTP (connect and EHLO, "
        "nothing sent), data folder, static files, time zones and certificate fonts."
    )
    requires_system_checks: list[str] = []  # it runs its own, and must run when they fail

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strict", action="store_true", help="Warnings fail too.")

    def handle(self, *args: Any, strict: bool, **options: Any) -> None:
        findings = doctor_run()
        for finding in findings:
            self.stdout.write(f"{MARKS[finding.level]} {finding.check}: {finding.message}")
            if finding.fix and finding.level != OK:
                self.stdout.write(f"        fix: {finding.fix}")
        problems = [f for f in findings if f.level == PROBLEM]
        warnings = [f for f in findings if f.level == WARNING]
        self.stdout.write(f"\n{len(problems)} problem(s), {len(warnings)} warning(s).")
        if problems or (strict and warnings):
            raise CommandError("the configuration needs fixing (see above)")

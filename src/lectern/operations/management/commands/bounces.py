"""`lectern bounces`: read delivery reports from the bounce mailbox, mark emails bounced."""

from __future__ import annotations

import imaplib
import mailbox as mailboxes
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.core.permissions import Principal
from lectern.operations.bounces import Mailbox, dsn_parse
from lectern.operations.services import message_bounce


class Command(BaseCommand):
    help = (
        "Read the bounce mailbox (LECTERN_BOUNCE_MAILBOX_URL: imaps://user:pass@host/FOLDER "
        "or maildir:///path), parse RFC 3464 reports, mark the emails they name as bounced."
    )
    requires_system_checks: list[str] = []  # run from a timer, like tick

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="Overrides LECTERN_BOUNCE_MAILBOX_URL.")
        parser.add_argument(
            "--keep", action="store_true", help="Leave the reports in the mailbox (unread)."
        )

    def handle(self, *args: Any, mailbox: str, keep: bool, **options: Any) -> None:
        url = mailbox or settings.BOUNCE_MAILBOX_URL
        if not url:
            raise CommandError("Give --mailbox or set LECTERN_BOUNCE_MAILBOX_URL.")
        read = marked = ignored = 0
        system = Principal.as_system()
        try:
            for raw in Mailbox(url).messages(keep=keep):
                read += 1
                bounces = dsn_parse(raw)
                if not bounces:
                    ignored += 1
                for bounce in bounces:
                    marked += message_bounce(
                        actor=system,
                        message_id=bounce.message_id,
                        recipient=bounce.recipient,
                        status=bounce.status,
                        diagnostic=bounce.diagnostic,
                    )
        except (OSError, mailboxes.Error, imaplib.IMAP4.error) as exc:
            raise CommandError(f"Cannot read the bounce mailbox: {exc}") from exc
        self.stdout.write(
            f"{read} read, {marked} email(s) marked bounced, {ignored} not a report about ours"
        )

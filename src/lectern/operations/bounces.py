"""Bounces: undeliverable mail comes back as a delivery status notification (RFC 3464, a
`multipart/report; report-type=delivery-status`). `lectern bounces` reads them from a
mailbox and marks the email they are about as bounced.

Which email: the returned headers (`message/rfc822` or `text/rfc822-headers` part) carry
our Message-ID, `<lectern.<id>.<kind>.<signature>@host>` (`notifications.sender.message_id`); the
report's Final-Recipient must be that email's recipient, so a report cannot mark another
person's email. Only `Action: failed` counts: `delayed` reports are the server still
trying.
"""

from __future__ import annotations

import contextlib
import email
import hmac
import imaplib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message as EmailMessage
from email.parser import HeaderParser
from urllib.parse import SplitResult, unquote, urlsplit

from lectern.core.emails import email_lookup
from lectern.notifications.sender import message_signature

OUR_MESSAGE_ID = re.compile(r"<lectern\.(\d{1,18})\.[A-Za-z0-9_]+\.([0-9a-f]{16})@[^>]+>")


@dataclass(frozen=True)
class Bounce:
    message_id: int
    recipient: str
    status: str
    diagnostic: str


def _fields(block: EmailMessage, name: str) -> str:
    return str(block.get(name, "") or "").strip()


def _typed_address(value: str) -> str:
    """`rfc822; ada@uni.example` -> `ada@uni.example`."""
    _kind, _, address = value.partition(";")
    return (address or value).strip().strip("<>")


def _returned_headers(report: EmailMessage) -> EmailMessage | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                return inner[0]
        if kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            return HeaderParser(policy=policy.compat32).parsestr(text)
    return None


def dsn_parse(raw: bytes) -> list[Bounce]:
    """The failed recipients of one delivery status notification that name one of our
    emails; [] for anything else (an auto-reply, a delay, someone else's message)."""
    report = email.message_from_bytes(raw, policy=policy.compat32)
    if report.get_content_type() != "multipart/report":
        return []
    if str(report.get_param("report-type", "")).lower() != "delivery-status":
        return []
    original = _returned_headers(report)
    found = OUR_MESSAGE_ID.search(str(original.get("Message-ID", "")) if original else "")
    if not found:
        return []
    bounces = []
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for block in blocks[1:] if isinstance(blocks, list) else []:  # [0]: per message
            if not isinstance(block, EmailMessage):
                continue
            if _fields(block, "Action").lower() != "failed":
                continue
            recipient = _typed_address(
                _fields(block, "Final-Recipient") or _fields(block, "Original-Recipient")
            )
            pk, address = int(found.group(1)), email_lookup(recipient)
            if not hmac.compare_digest(found.group(2), message_signature(pk, address)):
                continue  # not the recipient of that email: a forged or mangled report
            bounces.append(
                Bounce(
                    message_id=pk,
                    recipient=address,
                    status=_fields(block, "Status"),
                    diagnostic=" ".join(_fields(block, "Diagnostic-Code").split()),
                )
            )
    return bounces


@dataclass(frozen=True)
class Mailbox:
    """Where reports arrive: `maildir:///path` (or a bare path), or
    `imaps://user:password@host[:port]/FOLDER` (`imap://` for plain IMAP with STARTTLS)."""

    url: str

    def messages(self, *, keep: bool) -> Iterator[bytes]:
        """Each unread report once: read ones are deleted (Maildir) or marked seen (IMAP),
        unless `keep`."""
        parts = urlsplit(self.url)
        if parts.scheme in {"imap", "imaps"}:
            yield from self._imap(parts, keep=keep)
            return
        path = unquote(parts.path) if parts.scheme == "maildir" else self.url
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in list(box.keys()):
            yield box.get_bytes(key)
            if not keep:
                box.remove(key)

    @staticmethod
    def _imap(from_url: SplitResult, *, keep: bool) -> Iterator[bytes]:
        host = from_url.hostname or "localhost"
        if from_url.scheme == "imaps":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(host, from_url.port or 993)
        else:
            client = imaplib.IMAP4(host, from_url.port or 143)
            client.starttls()
        try:
            client.login(unquote(from_url.username or ""), unquote(from_url.password or ""))
            client.select(unquote(from_url.path.strip("/")) or "INBOX", readonly=keep)
            _status, data = client.search(None, "UNSEEN")
            for number in (data[0] or b"").split():
                _status, fetched = client.fetch(
                    number.decode(), "(BODY.PEEK[])" if keep else "(RFC822)"
                )
                for item in fetched:
                    if isinstance(item, tuple):
                        yield bytes(item[1])
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()

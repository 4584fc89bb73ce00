"""A real calendar program keeps the invitations up to date: Debian's `khal` imports the
confirmation's invitation, then the change's, and shows one entry at the new time; the public
feed imported beside it is a calendar of its own, and both stay whole."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lectern.core.permissions import Principal
from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.notifications.models import Message
from lectern.notifications.services import message_write
from lectern.registrations import services
from lectern.registrations.tests.conftest import NOW, details, make_event

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("khal") is None, reason="khal is not installed"),
]

CONFIG = """\
[calendars]
[[invitations]]
path = {root}/invitations
[[feed]]
path = {root}/feed
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = UTC
local_timezone = UTC
[default]
default_calendar = invitations
"""


class Khal:
    def __init__(self, root: Path) -> None:
        for name in ("invitations", "feed"):
            (root / name).mkdir(parents=True)
        self.config = root / "khal.conf"
        self.config.write_text(CONFIG.format(root=root))
        self.root = root

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["khal", "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"HOME": str(self.root), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def import_(self, calendar: str, content: bytes, name: str) -> None:
        path = self.root / name
        path.write_bytes(content)
        self.run("import", "--batch", "-a", calendar, str(path))

    def entries(self) -> list[str]:
        out = self.run(
            "list",
            "--format",
            "{start} {calendar} {title}",
            "--day-format",
            "",
            "2027-01-01",
            "400d",
        )
        return [line.strip() for line in out.splitlines() if line.strip()]


def invitation(message: Message) -> bytes:
    [attachment] = [a for a in message.attachments.all() if "method=REQUEST" in a.content_type]
    return bytes(attachment.content)


def test_khal_shows_one_entry_at_the_new_time_beside_the_feed(tmp_path, member, anon_api) -> None:
    khal = Khal(tmp_path)
    event = make_event(day="2027-03-10")  # 09:00-17:00 in New York: 14:00 UTC
    registration = services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(1),
        client="1.2.3.4",
        now=NOW,
    ).registration
    confirmed = message_write(
        Message.objects.get(kind="registration_confirmed", object_id=registration.pk)
    )
    khal.import_("invitations", invitation(confirmed), "confirmation.ics")
    assert khal.entries() == ["2027-03-10 14:00 invitations Instructor Training (part 1 of 1)"]

    event_services.event_update(
        actor=Principal.as_system(),
        event=event,
        changes={"sessions": [LocalTimes("2027-03-17T09:00", "2027-03-17T17:00")]},
        now=NOW,
    )
    changed = Message.objects.get(kind="event_changed", recipient="trainee1@uni.example")
    khal.import_("invitations", invitation(changed), "update.ics")
    # One entry, at the new time (13:00 UTC: New York is on summer time by the 17th).
    assert khal.entries() == ["2027-03-17 13:00 invitations Instructor Training (part 1 of 1)"]

    feed = anon_api.get("/calendar.ics", quarter="2027-Q1")
    assert feed.status_code == 200
    khal.import_("feed", feed.content, "feed.ics")
    assert sorted(khal.entries()) == [
        "2027-03-17 13:00 feed Instructor Training (part 1 of 1)",
        "2027-03-17 13:00 invitations Instructor Training (part 1 of 1)",
    ]

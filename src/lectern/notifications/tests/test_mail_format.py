"""Mail that people and mail programs read as meant: plain-text subjects, one `.eml` file per
message, a Message-ID of the installation's host, and `Auto-Submitted`."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

import pytest

from lectern.notifications.models import Message
from lectern.notifications.sender import send_due
from lectern.notifications.services import message_queue
from tests.factories import OrganizationFactory, membership

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def test_subjects_and_text_are_plain_and_only_html_is_escaped() -> None:
    m = membership(organization=OrganizationFactory(name="O'Brien & Co <Labs>"))
    message = message_queue(
        kind="social_event_suggestion",
        to="coord@uni.example",
        obj=m,
        now=NOW,
        name="Siobhán O'Brien",
        context={"membership": m, "events": []},
    )
    assert message is not None
    assert message.subject == (
        "An idea for O'Brien & Co <Labs>: a local meet-up for your new instructors"
    )
    assert "&#x27;" not in message.body_text
    assert "&amp;" not in message.body_text
    assert "O'Brien" in message.body_text
    assert "Hello Siobhán O&#x27;Brien," in message.body_html


def test_the_file_backend_writes_one_eml_file_per_message(settings, tmp_path) -> None:
    settings.EMAIL_BACKEND = "lectern.core.mailfiles.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.BASE_URL = "https://training.example.org"
    m = membership(organization=OrganizationFactory(name="O'Brien & Co"))
    for n in range(3):
        message_queue(
            kind="membership_welcome",
            to=f"coord{n}@uni.example",
            obj=m,
            now=NOW,
            name="Co Ord",
            context={"membership": m},
        )
    assert send_due(now=NOW).sent == 3
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 3
    assert set(tmp_path.iterdir()) == set(files)  # no leftover temporary file
    ids = set()
    for path in files:
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert parsed["Auto-Submitted"] == "auto-generated"
        assert parsed["Message-ID"].endswith("@training.example.org>")
        assert parsed["Subject"].startswith("Welcome to")
        assert parsed.get_body(preferencelist=("plain",)) is not None
        assert parsed.get_body(preferencelist=("html",)) is not None
        ids.add(parsed["Message-ID"])
    assert len(ids) == 3
    assert Message.objects.filter(status="sent").count() == 3

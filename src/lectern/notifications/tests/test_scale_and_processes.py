"""The scheduler at scale, and several sender processes sharing one database."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.scheduler import tick
from lectern.notifications.services import message_queue
from tests.factories import membership
from tests.live import env_for
from tests.smtp import smtp_sink  # noqa: F401 - fixture

pytestmark = pytest.mark.slow  # 100,000 messages; sender processes

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def history(count: int) -> None:
    m = membership()
    Message.objects.bulk_create(
        (
            Message(
                kind="membership_welcome",
                recipient=f"p{n}@x.example",
                object_type="membership",
                object_id=m.pk,
                subject="s",
                body_text="b",
                due_at=NOW - timedelta(days=n % 900),
                status=MessageStatus.SENT,
                created_at=NOW,
                sent_at=NOW,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


@pytest.mark.django_db
def test_a_tick_with_nothing_due_costs_the_same_few_queries_at_100000_messages(
    django_assert_max_num_queries, django_assert_num_queries
) -> None:
    history(10)
    tick(now=NOW)  # rules that run every few hours ran here
    # A fixed handful per scheduled rule (about 20 rules now); what matters is that the same
    # tick costs the same at 100,000 messages.
    with django_assert_max_num_queries(60) as small:
        tick(now=NOW + timedelta(minutes=1))
    history(100_000)
    assert Message.objects.count() == 100_010
    with django_assert_num_queries(len(small.captured_queries)):
        report = tick(now=NOW + timedelta(minutes=2))
    assert report.mail.sent == 0


@pytest.mark.django_db(transaction=True)
def test_two_sender_processes_send_every_message_exactly_once(smtp_sink, tmp_path) -> None:  # noqa: F811
    sink, port = smtp_sink
    sink.delay = 0.01  # about 3 s of sending: both processes are at work at once
    m = membership()
    for n in range(300):
        message_queue(
            kind="membership_welcome", to=f"p{n}@x.example", obj=m, context={"membership": m}
        )
    env = env_for(tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{port}", LECTERN_MAIL_BATCH_SIZE="10")
    senders = [
        subprocess.Popen(
            [sys.executable, "-m", "lectern.cli", "tick"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    assert [s.returncode for s in senders] == [0, 0], outputs
    shares = [int(out.split("mail: ")[1].split(" sent")[0]) for out, _ in outputs]
    assert sum(shares) == 300
    assert min(shares) > 0, f"one sender did everything: {shares}"
    ids = Counter(message["Message-ID"] for message in sink.messages)
    assert len(ids) == 300
    assert max(ids.values()) == 1
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 300

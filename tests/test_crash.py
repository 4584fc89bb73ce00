"""Crashes: the sender killed mid-batch loses nothing; `lectern serve` killed during a
registration burst leaves no half-written registration."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command

from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events.models import Event
from lectern.events.services import LocalTimes, event_create
from lectern.memberships.models import SeatEntry
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.services import message_queue
from lectern.registrations.models import Registration
from tests.factories import membership
from tests.live import Served, env_for, serving
from tests.smtp import free_port, smtp_sink  # noqa: F401 - fixture

pytestmark = pytest.mark.slow  # kills and restarts processes

BATCH = 50


@pytest.mark.django_db(transaction=True)
def test_sender_killed_mid_batch_then_restarted_delivers_everything(smtp_sink, tmp_path) -> None:  # noqa: F811
    sink, port = smtp_sink
    sink.delay = 0.003
    m = membership()
    for n in range(1000):
        message_queue(
            kind="membership_welcome", to=f"p{n}@x.example", obj=m, context={"membership": m}
        )
    env = env_for(
        tmp_path,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        LECTERN_MAIL_BATCH_SIZE=str(BATCH),
        LECTERN_MAIL_LEASE_SECONDS="2",
    )
    sender = subprocess.Popen(
        [sys.executable, "-m", "lectern.cli", "tick"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(sink.messages) < 300:
        assert time.monotonic() < deadline, "the sender sent too little"
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    at_kill = len(sink.messages)
    assert at_kill < 1000, "the sender finished before it was killed"
    time.sleep(2.5)  # the killed sender's lease runs out
    restarted = subprocess.run(
        [sys.executable, "-m", "lectern.cli", "tick"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert restarted.returncode == 0, restarted.stderr
    received = Counter(message["Message-ID"] for message in sink.messages)
    assert len(received) == 1000, "every message is delivered"
    duplicates = sum(received.values()) - len(received)
    # Only messages sent but not yet marked when the process died can go twice: at most one
    # batch (the lease holds at most BATCH messages).
    assert duplicates <= BATCH, duplicates
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 1000


@pytest.mark.django_db(transaction=True)
def test_serve_killed_during_a_registration_burst_leaves_consistent_data(tmp_path, capsys) -> None:
    now = clock.now()
    member = membership(tier="custom", seats=500, start_date=(now - timedelta(days=10)).date())
    day = (now + timedelta(days=40)).date()
    event = event_create(
        actor=Principal.as_system(),
        title="Burst",
        timezone="UTC",
        capacity=400,
        min_enrolment=1,
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
    )
    env = env_for(tmp_path, EMAIL_URL="console:", LECTERN_CODE_ATTEMPTS_PER_CLIENT="100000")
    args = ("--no-worker", "--no-migrate", "--workers", "2")
    with serving(env, *args) as server:
        burst_then_kill(server, event.pk, member.registration_code)
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() >= 20
    reserved = SeatEntry.objects.filter(kind="reserved", registration__in=registrations)
    assert reserved.count() == registrations.count(), "every registration holds its seat"
    assert Event.objects.get(pk=event.pk).places_taken == registrations.count()
    call_command("check_seats")
    assert "ok:" in capsys.readouterr().out


def burst_then_kill(server: Served, event_id: int, code: str) -> None:
    """Eight clients register as fast as they can; SIGKILL the server after 20 registrations."""
    stop = threading.Event()

    def client(n: int) -> None:
        for k in range(100):
            if stop.is_set():
                return
            body = {
                "event_id": event_id,
                "code": code,
                "name": "Burst",
                "email": f"b{n}-{k}@x.example",
                "affiliation": "A",
                "country": "GB",
                "technologies": ["git"],
                "usage_frequency": "daily",
                "carpentries_experience": ["none"],
                "accept_code_of_conduct": True,
                "accept_privacy": True,
            }
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                conn.request(
                    "POST",
                    "/api/v1/registrations",
                    json.dumps(body),
                    {"Content-Type": "application/json"},
                )
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                return
            finally:
                conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while Registration.objects.count() < 20:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

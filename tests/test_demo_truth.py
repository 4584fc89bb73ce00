"""The demo tells the truth: no negative seat figure, trainers rota'd in pairs, the README's
numbers are what is loaded, the banner's code and commands work as printed; `lectern serve`
refuses a port in use, saying so; `make run PORT=...` passes the port."""

from __future__ import annotations

import io
import re
import shlex
import socket
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lectern.events.demo import real_calendar, trainer_pair
from lectern.events.models import Event, EventStatus
from lectern.memberships.models import Membership
from lectern.memberships.selectors import seat_use_series
from lectern.web.management.commands.serve import port_check

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=False)
def test_the_demo_tells_the_truth(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    out = capsys.readouterr().out

    # No day on which a membership shows fewer than zero seats available.
    for membership in Membership.objects.all():
        assert all(p.available >= 0 for p in seat_use_series(membership)), membership

    # Two trainers on every event, from a pool, each teaching about as many.
    events = Event.objects.exclude(status=EventStatus.CANCELLED).prefetch_related("trainers")
    assert {e.trainers.count() for e in events} == {2}
    load = Counter(t.pk for e in Event.objects.all() for t in e.trainers.all())
    assert len(load) == 8
    assert max(load.values()) - min(load.values()) <= 2

    # The README's figure is what is loaded, and the banner says how many of each.
    printed = re.search(r"Demo events: (\d+) \((\d+) from the real .*, (\d+) repeating", out)
    assert printed
    total, history, repeated = map(int, printed.groups())
    assert total == Event.objects.count() == history + repeated
    readme = (ROOT / "README.md").read_text()
    assert f"the {len(real_calendar())} real public training events" in readme
    assert history == len(real_calendar())

    # A registration code to try, on an open event's registration page.
    code = re.search(r"Register: +\S+/events/(\d+)/register/ +with the code (\S+)", out)
    assert code
    event = Event.objects.get(pk=int(code.group(1)))
    assert event.status == EventStatus.SCHEDULED
    assert event.places_taken < event.capacity
    assert Membership.objects.filter(registration_code=code.group(2)).exists()

    # The commands it prints run as printed (the program is the venv's, or `lectern`).
    command = re.search(r"`([^`]*login-link --email \S+)`", out)
    assert command
    program, *args = shlex.split(command.group(1))
    assert program == "lectern" or Path(program).name == "lectern"
    from lectern.cli import main

    main(args)
    assert "/login/" in capsys.readouterr().out


def test_trainer_pairs_are_two_different_trainers_in_turn() -> None:
    pool = [1, 2, 3, 4]
    pairs = [trainer_pair(pool, n) for n in range(12)]
    assert all(len(set(p)) == 2 for p in pairs)
    assert len({tuple(sorted(p)) for p in pairs}) == 6  # every pair of four, in 12 events
    assert trainer_pair([7], 0) == [7]


def test_a_port_in_use_is_refused_with_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError) as refused:
            port_check("127.0.0.1", port)
    assert f"Port {port} on 127.0.0.1 is already in use" in str(refused.value)
    assert f"make run PORT={port + 1}" in str(refused.value)
    port_check("127.0.0.1", port)  # free again: no complaint
    with pytest.raises(CommandError, match="between 1 and 65535"):
        port_check("127.0.0.1", 70000)


def test_make_run_passes_the_port_to_serve() -> None:
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8001", "VENV=/nonexistent-venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "lectern serve --host 127.0.0.1 --port 8001" in dry
    default = subprocess.run(
        ["make", "-n", "run", "VENV=/nonexistent-venv"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "--port 8000" in default


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_long_commands_show_progress_on_a_terminal_only() -> None:
    from tests.factories import membership

    membership(tier="silver")
    quiet = io.StringIO()
    call_command("check_seats", stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""
    terminal = Terminal()
    out = io.StringIO()
    call_command("check_seats", stdout=out, stderr=terminal)
    assert "Recounting seats" in terminal.getvalue()
    assert out.getvalue() == "ok: 1 memberships match their ledger.\n"  # stdout stays clean


def test_track_yields_everything_and_draws_only_on_a_terminal() -> None:
    from lectern.core.progress import track

    quiet = io.StringIO()
    assert list(track(range(5), "Counting", stream=quiet)) == [0, 1, 2, 3, 4]
    assert quiet.getvalue() == ""
    terminal = Terminal()
    assert list(track(range(5), "Counting", stream=terminal)) == [0, 1, 2, 3, 4]
    assert "Counting" in terminal.getvalue()


@pytest.mark.django_db(transaction=True)
def test_backup_draws_progress_on_a_terminal(tmp_path: Path) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the page-by-page bar is SQLite's; pg_dump shows a spinner")
    terminal, out = Terminal(), io.StringIO()
    call_command("backup", "--out", str(tmp_path / "b.backup"), stdout=out, stderr=terminal)
    assert "Backing up" in terminal.getvalue()
    assert out.getvalue().strip() == str(tmp_path / "b.backup")

"""Several machines on one PostgreSQL: the small version of `bench/cluster.py`.

Two `lectern serve --no-worker` processes take a registration rush between them, then two
`lectern worker` processes, each with its own data folder and SMTP server, drain the outbox
together: nothing overbooked, nothing sent twice, nothing lost, `check-seats` clean.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import cluster
from django.conf import settings

from tests.live import database_url

pytestmark = [
    pytest.mark.slow,  # runs four processes
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="SQLite is one machine's database",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_web_servers_and_two_workers_share_one_database(tmp_path: Path) -> None:
    report = cluster.run(
        database_url(),
        tmp_path,
        registrations=50,
        clients=8,
        emails=300,
        events=4,
        places=10,  # 40 places and 50 seats for 50 attempts: some are refused
        memberships=10,
        seats=5,
        web_workers=1,
        web_threads=2,
        mail_batch=20,
        smtp_delay=0.005,  # one worker alone would need seconds: the other joins in
        timeout=180,
    )
    print(report)
    confirmed = report.statuses[201]
    assert report.registrations == 50
    assert report.errors == 0
    assert 0 < confirmed <= 40
    assert confirmed + report.statuses[409] == 50
    assert report.per_server == [25, 25]
    assert report.due >= 300 + confirmed  # the rush's confirmations wait beside the 300
    assert report.duplicates == 0
    assert report.lost == 0
    assert all(sent > 0 for sent in report.per_worker), report.per_worker
    assert report.overbooked_events == 0
    assert report.ledger_mismatches == 0
    assert report.check_seats_ok, report.check_seats

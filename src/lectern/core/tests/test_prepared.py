"""PostgreSQL: a statement prepared before a column changed type fails once, then the
connection is replaced and the statement is prepared again (`core.prepared`)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import NotSupportedError, connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared plans"),
]


def other_connection() -> psycopg.Connection:
    """A second session, as a migration run from another machine would be."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or None,
        autocommit=True,
    )


def test_a_plan_made_stale_by_a_migration_costs_one_failure() -> None:
    with other_connection() as migration:
        migration.execute("CREATE TABLE prepared_probe (label varchar(10))")
        migration.execute("INSERT INTO prepared_probe VALUES ('one')")
        try:
            with connection.cursor() as cursor:
                for _ in range(6):  # prepared on the sixth run
                    cursor.execute("SELECT label FROM prepared_probe WHERE label <> %s", ["x"])
            migration.execute("ALTER TABLE prepared_probe ALTER COLUMN label TYPE varchar(20)")
            with pytest.raises(NotSupportedError, match="cached plan"), connection.cursor() as c:
                c.execute("SELECT label FROM prepared_probe WHERE label <> %s", ["x"])
            connection.close_if_unusable_or_obsolete()  # what Django does after a request
            assert connection.connection is None
            with connection.cursor() as cursor:
                cursor.execute("SELECT label FROM prepared_probe WHERE label <> %s", ["x"])
                assert cursor.fetchall() == [("one",)]
        finally:
            migration.execute("DROP TABLE prepared_probe")


def test_other_failures_keep_the_connection() -> None:
    with pytest.raises(NotSupportedError, match="aggregate"), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations FOR UPDATE")  # also 0A000
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None

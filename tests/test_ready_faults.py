"""`/api/v1/ready` with a real fault, in a fresh process as production would run it: a
PostgreSQL cluster the test starts and then stops, and an SQLite file that is a folder
(CI runs as root, so file permissions cannot make the fault)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.slow  # starts processes and a database cluster

ASK_READY = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.base")
import django
django.setup()
from django.test import Client
client = Client(SERVER_NAME="localhost")
ready, health = client.get("/api/v1/ready"), client.get("/api/v1/health")
print(json.dumps({"status": ready.status_code, "body": ready.json(),
                  "health": health.status_code}))
"""

PG_BIN = Path(
    max(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        default="/usr/lib/postgresql/15/bin",
    )
)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, check=False)


def ask_ready(env: dict[str, str]) -> dict[str, Any]:
    result = run([sys.executable, "-c", ASK_READY], env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(LECTERN_DATA_DIR=str(tmp_path / "data"), EMAIL_URL="console:")
    return environment


def test_sqlite_with_a_folder_where_the_database_file_should_be_is_503(env) -> None:
    data = Path(env["LECTERN_DATA_DIR"])
    (data / "lectern.sqlite3").mkdir(parents=True)
    answer = ask_ready(env)
    assert answer["status"] == 503
    assert answer["body"]["status"] == "not_ready"
    database = answer["body"]["checks"]["database"]
    assert database["ok"] is False
    assert "database" in database["error"]
    assert answer["health"] == 200  # liveness does not touch the database


class Cluster:
    """A throwaway PostgreSQL cluster, run as `postgres` when we are root (as .ci/run)."""

    def __init__(self, base: Path) -> None:
        self.base, self.port = base, free_port()
        self.root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{args[0]}: {result.stdout}\n{result.stderr}"

    def start(self) -> None:
        self.base.mkdir(exist_ok=True)
        if self.root:
            shutil.chown(self.base, "postgres")
        if not (self.base / "data").exists():
            self._run("initdb", "-D", str(self.base / "data"), "-U", "lectern", "--auth=trust")
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.base / "data"), "-l", str(self.base / "log"), "-w",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql://lectern@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL's server programs are not installed")
    pg = Cluster(Path(f"/tmp/lectern-ready-{tmp_path.name}"))
    pg.start()
    try:
        yield pg
    finally:
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if pg.root else []),
             str(PG_BIN / "pg_ctl"), "-D", str(pg.base / "data"), "-m", "immediate", "stop"],
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(pg.base, ignore_errors=True)


def test_postgresql_stopped_is_503_naming_the_database(env, cluster) -> None:
    env["DATABASE_URL"] = cluster.url
    migrate = run([sys.executable, "-m", "lectern.cli", "migrate", "--noinput"], env)
    assert migrate.returncode == 0, migrate.stderr
    up = ask_ready(env)
    assert up["status"] == 200, up
    assert up["body"]["checks"]["database"] == {"ok": True, "vendor": "postgresql"}

    cluster.stop()
    down = ask_ready(env)
    assert down["status"] == 503
    assert down["body"]["status"] == "not_ready"
    assert down["body"]["checks"]["database"]["ok"] is False
    assert "database does not answer" in down["body"]["checks"]["database"]["error"]
    assert down["health"] == 200

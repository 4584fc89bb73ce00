"""The logs of a whole registration flow, read back as an operator would: one line per
request with its id, the services' lines carrying it, and no address, name or token."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from lectern.core.logmask import JsonFormatter, PlainFormatter
from lectern.core.requestlog import RequestIdFilter
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick
from lectern.notifications.services import message_write
from tests.smtp import smtp_sink  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Zéphyrine Quartermain", "Zephyrine.Q@uni.example"


@pytest.fixture(params=["plain", "json"])
def log(request: Any) -> Iterator[io.StringIO]:
    """Everything logged at INFO and above, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if request.param == "json" else PlainFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run_registration_flow(anon_api, staff_api, register, sink_at, settings) -> dict[str, str]:
    """Register, be refused, be looked up, manage, get mail (that fails), sign in."""
    created = register(1, name=NAME, email=EMAIL)
    assert created.status_code == 201
    manage = created.json()["manage_token"]
    assert register(1, name=NAME, email=EMAIL).status_code == 409
    assert staff_api.get("/notifications", email=EMAIL.lower()).status_code == 200
    client = Client()
    reg_id = created.json()["id"]
    as_trainee = client.get(
        f"/api/v1/registrations/{reg_id}", headers={"Authorization": f"Bearer {manage}"}
    )
    assert as_trainee.status_code == 200
    assert client.get(f"/manage/{manage}/").status_code == 200
    body = message_write(Message.objects.get(kind="registration_confirmed")).body_text
    personal = re.search(r"/me/(lt_\d+_[0-9a-f]{40})/", body).group(1)
    assert client.get(f"/me/{personal}/").status_code == 200
    assert anon_api.post("/auth/trainee-link", {"email": EMAIL}).status_code == 202
    assert client.get(f"/api/v1/nowhere?email={EMAIL}").status_code == 404
    sink, _port = sink_at
    sink.refuse = "550 5.1.1 mailbox unavailable"
    settings.LECTERN = {**settings.LECTERN, "MAIL_MAX_ATTEMPTS": 1}
    assert tick().mail.failed >= 1  # the sender logs each email that failed for good
    return {"manage": manage, "personal": personal, "reg_id": str(reg_id)}


def test_a_registration_flow_logs_no_personal_data(
    log,
    anon_api,
    staff_api,
    register,
    smtp_sink,  # noqa: F811
    settings,
) -> None:
    secrets = run_registration_flow(anon_api, staff_api, register, smtp_sink, settings)
    text = log.getvalue()
    assert text.count("\n") >= 10
    for needle in (
        EMAIL,
        EMAIL.lower(),
        "Zephyrine.Q%40",
        "Zéphyrine",
        "Quartermain",
        secrets["manage"],
        secrets["personal"],
        secrets["manage"][-40:],
        secrets["personal"][-40:],
    ):
        assert needle.lower() not in text.lower(), f"{needle!r} is in the logs:\n{text}"


def lines_of(text: str) -> list[dict[str, Any]]:
    """Each line as (logger, request id, message), whichever format wrote it."""
    parsed = []
    for raw in text.splitlines():
        if raw.startswith("{"):
            data = json.loads(raw)
            parsed.append(data)
        elif match := re.match(r"\S+ \S+ (\w+) (\S+) \[(\S+)\] (.*)", raw):
            level, name, rid, message = match.groups()
            parsed.append({"level": level, "logger": name, "request_id": rid, "message": message})
    return parsed


def test_each_request_logs_one_line_with_an_id_that_the_services_lines_carry(
    log, anon_api, register, client
) -> None:
    response = register(1, name=NAME, email=EMAIL)
    assert response.status_code == 201
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = lines_of(log.getvalue())
    requests = [line for line in lines if line["logger"] == "lectern.request"]
    assert len(requests) == 1
    assert requests[0]["request_id"] == request_id
    assert requests[0]["message"].startswith("POST /api/v1/registrations 201 ")
    service = [
        line for line in lines if "registration" in line["logger"] and "created" in line["message"]
    ]
    assert [line["request_id"] for line in service] == [request_id]


def test_a_request_id_from_the_proxy_is_kept(log, anon_api) -> None:
    response = anon_api.client.get("/api/v1/health", headers={"X-Request-ID": "proxy-1234abcd"})
    assert response["X-Request-ID"] == "proxy-1234abcd"
    strange = anon_api.client.get("/api/v1/health", headers={"X-Request-ID": "<script>"})
    assert strange["X-Request-ID"] != "<script>"
    assert "<script>" not in log.getvalue()

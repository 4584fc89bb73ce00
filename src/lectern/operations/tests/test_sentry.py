"""Errors for Sentry: nothing personal leaves (sentry-sdk itself is optional and absent
in tests; the scrubbing is ours and tested on an event shaped as the SDK builds it)."""

from __future__ import annotations

import importlib.util
import json
import logging

import pytest

from lectern.operations.sentry import before_send, sentry_init

PERSONAL = "lt_7_" + "ab" * 20


def test_before_send_scrubs_addresses_tokens_cookies_bodies_and_queries() -> None:
    event = {
        "request": {
            "url": f"https://training.example.org/me/{PERSONAL}/",
            "query_string": "email=ada%40uni.example",
            "method": "POST",
            "headers": {"Authorization": "Bearer lt_abc", "Cookie": "sessionid=x", "Accept": "*/*"},
            "cookies": {"sessionid": "x"},
            "data": {"name": "Ada Lovelace", "email": "ada@uni.example"},
        },
        "user": {"id": "12", "email": "staff@lectern.example", "ip_address": "192.0.2.1"},
        "exception": {
            "values": [{"type": "IntegrityError", "value": "Key (email)=(ada@uni.example)"}]
        },
        "breadcrumbs": {"values": [{"message": f"GET /manage/lr_3_{'f' * 40}/"}]},
    }
    scrubbed = before_send(event)
    text = json.dumps(scrubbed)
    for needle in ("ada@", "ada%40", "Ada Lovelace", PERSONAL, "f" * 40, "sessionid", "lt_abc"):
        assert needle not in text, needle
    assert scrubbed["request"]["url"] == "https://training.example.org/me/lt_[masked]/?email="
    assert scrubbed["request"]["headers"]["Accept"] == "*/*"
    assert scrubbed["user"] == {"id": "12"}
    assert scrubbed["exception"]["values"][0]["value"] == "Key (email)=([email])"


def test_without_a_dsn_nothing_starts(settings) -> None:
    settings.SENTRY_DSN = ""
    assert sentry_init() is False


def test_a_dsn_without_the_sdk_says_how_to_install_it(settings, caplog) -> None:
    if importlib.util.find_spec("sentry_sdk") is not None:
        pytest.skip("sentry-sdk is installed here; this test is for installs without it")
    settings.SENTRY_DSN = "https://key@sentry.example/1"
    with caplog.at_level(logging.WARNING):
        assert sentry_init() is False
    assert "pip install 'lectern[sentry]'" in caplog.text

"""What the log masking hides, and what it leaves for the operator."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from lectern.core.logmask import (
    JsonFormatter,
    MaskTokensFilter,
    PlainFormatter,
    mask_path,
    mask_personal,
    mask_tokens,
)
from lectern.settings.base import logging_config

MANAGE = "lr_12_" + "a" * 40
PERSONAL = "lt_7_" + "0123456789abcdef" * 2 + "01234567"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"GET /manage/{MANAGE}/ 200", "GET /manage/lr_[masked]/ 200"),
        (f"link {PERSONAL}.", "link lt_[masked]."),
        ("lr_12_abcde", "lr_12_abcde"),  # five hex digits: not a token's shape
        ("lr_x_abcdef0", "lr_x_abcdef0"),
        ("clr_1_abcdef", "clr_1_abcdef"),  # not at a word boundary
    ],
)
def test_tokens_are_masked_and_look_alikes_are_not(text, masked) -> None:
    assert mask_tokens(text) == masked


@pytest.mark.parametrize(
    "address",
    [
        "ada@uni.example",
        "Ada.Lovelace+tag@Sub.Uni.Example",
        "ada%40uni.example",  # percent-encoded, as in a query string
        "josé@universidad.example",
        "ada@münchen.example",
        "o'brien@uni.example",
    ],
)
def test_email_addresses_are_masked(address) -> None:
    line = f"sending to {address} now"
    assert mask_personal(line) == "sending to [email] now"


def test_text_without_personal_data_is_unchanged() -> None:
    line = "rule social_event_suggestion failed: 3 sent, 0 failed at 12:00 (v1.2.3)"
    assert mask_personal(line) == line


def test_a_path_keeps_the_query_names_and_drops_their_values() -> None:
    assert (
        mask_path("/api/v1/notifications", "email=ada%40uni.example&kind=preparation")
        == "/api/v1/notifications?email=&kind="
    )
    assert mask_path("/api/v1/events", "") == "/api/v1/events"


def test_a_path_masks_tokens_addresses_and_long_random_segments() -> None:
    sign_in = "Xk2_9aZ-0bQ7yT5rLm3nVc8dEf1gHj4"
    assert mask_path(f"/login/{sign_in}/") == "/login/[masked]/"
    assert mask_path(f"/me/{PERSONAL}/checkout/") == "/me/lt_[masked]/checkout/"
    assert mask_path("/trainees/ada@uni.example") == "/trainees/[email]"
    assert mask_path("/api/v1/exports/registrations.csv") == "/api/v1/exports/registrations.csv"
    assert mask_path("/admin/notifications/message/12/change/") == (
        "/admin/notifications/message/12/change/"
    )


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("duplicate key (recipient)=(ada@uni.example)")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("lectern.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_the_filter_masks_the_formatted_message() -> None:
    item = record("email to %s with %s", "ada@uni.example", MANAGE)
    assert MaskTokensFilter().filter(item) is True
    assert item.getMessage() == "email to [email] with lr_[masked]"


def test_the_plain_formatter_masks_the_whole_line_traceback_included() -> None:
    item = record("email to %s failed", "ada@uni.example", exc=True)
    item.request_id = "abc123def456"
    line = PlainFormatter().format(item)
    assert "ada@uni.example" not in line
    assert "[abc123def456] email to [email] failed" in line
    assert "duplicate key (recipient)=([email])" in line


def test_the_json_formatter_writes_one_masked_object_per_record() -> None:
    item = record("GET %s 200", f"/me/{PERSONAL}/", exc=True)
    item.request_id, item.status, item.route = "r1", 200, "/me/<str:token>/"
    line = JsonFormatter().format(item)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "GET /me/lt_[masked]/ 200"
    assert data["request_id"] == "r1"
    assert data["status"] == 200
    assert data["route"] == "/me/<str:token>/"
    assert data["level"] == "ERROR"
    assert "[email]" in data["exception"]
    assert "ada@uni.example" not in line


def test_lectern_log_format_json_chooses_the_json_formatter() -> None:
    for given, formatter in (
        ("json", JsonFormatter),
        ("JSON ", JsonFormatter),
        ("", PlainFormatter),
    ):
        config = logging_config(given, "INFO")
        chosen = config["formatters"][config["handlers"]["console"]["formatter"]]["()"]
        assert chosen == f"{formatter.__module__}.{formatter.__name__}"
        assert config["handlers"]["console"]["filters"] == ["request_id"]

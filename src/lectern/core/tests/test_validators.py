"""Ids typed or posted on pages: the largest a primary key holds passes, one more does not."""

from __future__ import annotations

import pytest

from lectern.core.validators import LARGEST_ID, record_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (str(LARGEST_ID), LARGEST_ID),  # the last that passes
        (str(LARGEST_ID + 1), None),  # the first that does not
        ("0", None),
        ("-3", None),
        ("²", None),  # isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits: int() reads them, no form sends them as an id
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_a_record_id_is_a_plain_positive_number_a_key_can_hold(raw, expected) -> None:
    assert record_id(raw) == expected

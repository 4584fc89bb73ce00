"""A schemathesis check of the API's error shape, for the in-process fuzz tests and, as
`SCHEMATHESIS_HOOKS=tests.fuzz_checks`, for `schemathesis run` against a running server."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every refusal is {"error": {"code", "message", "fields"?}}."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message"} <= set(body["error"]), body
    return None

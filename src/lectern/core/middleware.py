"""Keep the API's error shape for responses made outside the API's own handlers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiErrorShapeMiddleware:
    """A method the API does not allow on a path answers 405 in the error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            shaped = JsonResponse(
                {
                    "error": {
                        "code": "method_not_allowed",
                        "message": f"{request.method} is not allowed here; "
                        f"use {allowed or 'another method'}.",
                    }
                },
                status=405,
            )
            if allowed:
                shaped["Allow"] = allowed
            return shaped
        return response

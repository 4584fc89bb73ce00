"""Requests refused before any view, and the API's error shape for responses made outside
the API's own handlers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

# A NUL character as it arrives: raw, percent-encoded (URLs, forms), escaped (JSON).
NUL_SIGNS = (b"\x00", b"%00", b"\\u0000")
TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")
NUL_REFUSAL = "Text may not contain NUL characters (\\u0000); remove them and send it again."


class RefuseNulCharactersMiddleware:
    """Refuse a request whose path, query or text body carries a NUL character.

    No person types one, and PostgreSQL cannot store one in text: left to the database it
    would fail the request with a 500 wherever the text is used in a query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._carries_nul(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            error = {"code": "validation_error", "message": NUL_REFUSAL}
            return JsonResponse({"error": error}, status=422)
        return HttpResponseBadRequest(NUL_REFUSAL, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return True
        if request.content_type not in TEXT_BODIES:
            return False
        return any(sign in request.body for sign in NUL_SIGNS)


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

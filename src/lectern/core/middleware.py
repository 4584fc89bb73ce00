"""Requests refused before any view, and the API's error shape for responses made outside
the API's own handlers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

# A NUL character as it arrives: raw, percent-encoded (URLs, forms), escaped (JSON).
NUL_SIGNS = (b"\x00", b"%00", b"\\u0000")
NUL_REFUSAL = "Text may not contain NUL characters (\\u0000); remove them and send it again."
UNREADABLE_FORM = "The form data could not be read; send it again."


class RefuseBadRequestsMiddleware:
    """Refuse, before any view, a request no view could read safely.

    - A body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB), whatever its type (the one
      upload, a participant report, is held to 2 MB below it): 413. Django would raise while
      a view reads it, and the API would answer that with a 500.
    - A NUL character in the path, the query or the body (in a multipart form, in any of its
      fields once decoded): 422 on the API, 400 on pages. No person types one, and PostgreSQL
      cannot store one in text: left to the database it would fail the request wherever the
      text is used in a query.
    - A multipart form Django cannot parse: 400.

    The API's refusals have its error shape; pages get a line of text.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            carries_nul = self._carries_nul(request)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
            message = f"The request body is larger than {limit:g} MB."
            return self._refuse(request, 413, "request_too_large", message)
        except (MultiPartParserError, SuspiciousOperation):
            return self._refuse(request, 400, "bad_request", UNREADABLE_FORM)
        if carries_nul:
            api = request.path.startswith("/api/")
            return self._refuse(request, 422 if api else 400, "validation_error", NUL_REFUSAL)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return True
        body = request.body  # past the size limit, this raises
        if request.content_type == "multipart/form-data" and request.method == "POST":
            return any(
                "\x00" in name or any("\x00" in value for value in values)
                for name, values in request.POST.lists()
            )
        return any(sign in body for sign in NUL_SIGNS)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": code, "message": message}}, status=status)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


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


TOKEN_PAGES = ("/me/", "/manage/", "/waitlist/")


class NoReferrerOnTokenPagesMiddleware:
    """Pages reached by a link that carries authority send no Referer to other sites, so the
    token in their address never leaves with a click. (`same-origin`, not `no-referrer`:
    with no referrer at all, browsers send `Origin: null` with the page's own forms, which
    CSRF protection rightly refuses. Lectern's own logs mask tokens.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(TOKEN_PAGES):
            response["Referrer-Policy"] = "same-origin"
        return response


PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The Django admin's templates and widgets carry inline style attributes; its scripts are
# all files, so only styles are relaxed, and only under /admin/.
ADMIN_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy with every HTML page: scripts and styles from our own
    static files only, no plugins, no framing, forms posting only to us. An injected
    `<script>` or `javascript:` link does not run. Pages must therefore keep scripts and
    styles in `static/` (a test scans the templates)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else PAGE_POLICY
        return response

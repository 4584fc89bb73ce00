from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path

from lectern.api import api

admin.site.site_header = "Lectern staff"
admin.site.site_title = "Lectern staff"
admin.site.index_title = "Programme back office"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    path("memberships/", include("lectern.memberships.urls")),
    path("", include("lectern.events.urls")),
    path("", include("lectern.registrations.urls")),
    path("", include("lectern.directory.urls")),
    path("", include("lectern.checkout.urls")),
    path("", include("lectern.operations.urls")),
    path("", include("lectern.checkout_sessions.urls")),
    path("", include("lectern.trainers.urls")),
    path("", include("lectern.exports.urls")),
    path("", include("lectern.web.urls")),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer unknown API paths in the API's error shape, and pages with a page."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "not_found", "message": f"No endpoint at {request.path}."}}
        return JsonResponse(body, status=404)
    return render(request, "404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"error": {"code": "internal_error", "message": "Something went wrong on our side."}}
        return JsonResponse(body, status=500)
    return render(request, "500.html", status=500)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refuses before any view (a Host header not in ALLOWED_HOSTS, say):
    in the API's error shape on API paths."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "bad_request", "message": "This request is not valid."}}
        return JsonResponse(body, status=400)
    return HttpResponse("Bad request.", status=400, content_type="text/plain; charset=utf-8")

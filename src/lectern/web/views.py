"""Home page and passwordless sign-in."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lectern.accounts.services import login_link_consume
from lectern.core.errors import DomainError, RateLimited
from lectern.core.ratelimit import client_address
from lectern.registrations.services.signin import sign_in_request
from lectern.web.forms import LoginForm


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


FAVICON = Path(__file__).resolve().parent.parent / "static" / "lectern" / "favicon.svg"


def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for whatever the page links: the site's icon."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_http_methods(["GET", "POST"])
def login_request(request: HttpRequest) -> HttpResponse:
    """Any address gets the same answer: staff, trainers and coordinators a sign-in link,
    trainees their personal link (`registrations.services.signin`)."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sign_in_request(email=form.cleaned_data["email"], client=client_address(request))
        except RateLimited as exc:
            form.add_error(None, exc.message)
            response = render(request, "web/login.html", {"form": form}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "web/login_sent.html",
                {
                    "email": form.cleaned_data["email"],
                    "minutes": settings.LECTERN["LOGIN_LINK_MINUTES"],
                },
            )
    return render(request, "web/login.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Sign in from an emailed link. GET shows a button so that mail scanners, which only
    fetch links, cannot spend the link before its owner does."""
    if request.method == "GET":
        return render(request, "web/login_confirm.html", {"token": token})
    try:
        user = login_link_consume(raw=token)
    except DomainError as exc:
        return render(
            request, "web/login.html", {"form": LoginForm(), "error": exc.message}, status=404
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.is_staff:
        return redirect("admin:index")
    if user.is_trainer:
        return redirect("events:trainer")
    return redirect("memberships:mine")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")

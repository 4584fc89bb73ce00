"""Public pages: the instructor directory and certificate verification."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lectern.certificates.models import Certificate, SupersededCertificate
from lectern.core import clock
from lectern.core.errors import RateLimited
from lectern.core.ratelimit import client_address, rate_take, verify_limit
from lectern.directory.services import directory_entries


def instructors_page(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/instructors.html", {"entries": directory_entries()})


def verify_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        rate_take(limit=verify_limit(), key=client_address(request), now=clock.now())
    except RateLimited as exc:
        response = render(
            request,
            "directory/verify.html",
            {"refusal": exc.message, "number": number},
            status=429,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    certificate = Certificate.objects.filter(number=number.strip().upper()).first()
    superseded = (
        None
        if certificate
        else SupersededCertificate.objects.select_related("certificate")
        .filter(number=number.strip().upper())
        .first()
    )
    return render(
        request,
        "directory/verify.html",
        {"certificate": certificate, "superseded": superseded, "number": number},
        status=200 if certificate or superseded else 404,
    )

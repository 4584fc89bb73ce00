"""Certificates, their verification, and the public instructor directory."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from lectern.certificates import services
from lectern.certificates.models import Certificate, SupersededCertificate
from lectern.checkout.selectors import checkouts_visible_to
from lectern.core import clock
from lectern.core.display import public_name
from lectern.core.errors import NotFound
from lectern.core.permissions import Principal, get_visible, principal, require_authenticated
from lectern.core.ratelimit import client_address, rate_take, verify_limit
from lectern.core.schemas import Text, refusals
from lectern.directory.services import directory_entries

router = Router(tags=["certificates"])


class CertificateOut(Schema):
    id: int
    number: str
    trainee_id: int
    awarded_on: date
    verify_url: str
    revoked: bool

    @staticmethod
    def resolve_verify_url(obj: Certificate) -> str:
        return services.verify_url(obj.number)

    @staticmethod
    def resolve_revoked(obj: Certificate) -> bool:
        return obj.revoked_at is not None


class VerifyOut(Schema):
    number: str
    name: str
    awarded_on: date
    valid: bool
    superseded: bool = Field(False, description="Re-issued under superseded_by (a correction)")
    superseded_by: str | None = None


class InstructorOut(Schema):
    name: str
    country: str
    certified_on: date
    github: str | None = None
    orcid: str | None = None
    url: str | None = None


class RevokeIn(Schema):
    reason: Text


def certificates_visible_to(caller: Principal) -> Any:
    certificates = Certificate.objects.select_related("trainee")
    if caller.is_staff:
        return certificates
    # What came through the caller's registrations (a manage link: nothing).
    return certificates.filter(trainee__checkout__in=checkouts_visible_to(caller).values("pk"))


def _certificate(request: HttpRequest, certificate_id: int) -> Certificate:
    caller = principal(request)
    require_authenticated(caller)
    return get_visible(certificates_visible_to(caller), certificate_id, "certificate")


@router.get("/certificates/{certificate_id}", response={200: CertificateOut, **refusals(404)})
def certificate_detail(request: HttpRequest, certificate_id: int) -> Any:
    return _certificate(request, certificate_id)


@router.get(
    "/certificates/{certificate_id}/pdf",
    response={200: None, **refusals(404)},
    openapi_extra={
        "responses": {200: {"description": "The certificate", "content": {"application/pdf": {}}}}
    },
)
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = _certificate(request, certificate_id)
    response = HttpResponse(services.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response


@router.post(
    "/certificates/{certificate_id}/revoke",
    response={200: CertificateOut, **refusals(403, 404, 409)},
)
def certificate_revoke(request: HttpRequest, certificate_id: int, payload: RevokeIn) -> Any:
    certificate = _certificate(request, certificate_id)
    return services.certificate_revoke(
        actor=principal(request), certificate=certificate, reason=payload.reason
    )


@router.get("/verify/{number}", auth=None, response={200: VerifyOut, **refusals(404, 429)})
def verify(request: HttpRequest, number: str) -> Any:
    rate_take(limit=verify_limit(), key=client_address(request), now=clock.now())
    certificate = Certificate.objects.filter(number=number.strip().upper()).first()
    if certificate is None:
        old = (
            SupersededCertificate.objects.select_related("certificate")
            .filter(number=number.strip().upper())
            .first()
        )
        if old is None:
            raise NotFound("No certificate has this number.", code="certificate_not_found")
        return {
            "number": old.number,
            "name": public_name(old.name_on_certificate),
            "awarded_on": old.awarded_on,
            "valid": False,
            "superseded": True,
            "superseded_by": old.certificate.number,
        }
    return {
        "number": certificate.number,
        "name": public_name(certificate.name_on_certificate),
        "awarded_on": certificate.awarded_on,
        "valid": certificate.valid,
    }


@router.get("/instructors", auth=None, response=list[InstructorOut])
@paginate
def instructors(request: HttpRequest) -> Any:
    """Certified instructors who chose to be listed."""
    return [
        {
            "name": public_name(c.trainee.name),
            "country": str(c.trainee.country),
            "certified_on": c.awarded_on,
            "github": c.trainee.github or None,
            "orcid": c.trainee.orcid or None,
            "url": c.trainee.website or None,
        }
        for c in directory_entries()
    ]

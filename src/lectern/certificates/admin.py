"""Back office for certificates: re-issue (keeps the number) and revoke, with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.html import format_html

from lectern.certificates import services
from lectern.certificates.models import Certificate
from lectern.core.adminviews import ServiceRecordAdmin, actor, service_view
from lectern.core.forms import InputForm


class ReasonForm(InputForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(Certificate)
class CertificateAdmin(ServiceRecordAdmin):
    list_display = ["number", "name_on_certificate", "awarded_on", "revoked_at"]
    search_fields = ["number", "name_on_certificate", "trainee__email"]
    list_filter = ["awarded_on"]
    change_form_template = "admin/certificates/certificate/change_form.html"
    fields = readonly_fields = (
        "number",
        "trainee",
        "name_on_certificate",
        "awarded_on",
        "issued_at",
        "reissued_at",
        "revoked_at",
        "revoke_reason",
        "verification",
    )

    @admin.display(description="Verification page")
    def verification(self, obj: Certificate) -> str:
        url = services.verify_url(obj.number)
        return format_html('<a href="{}">{}</a>', url, url)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/reissue/",
                service_view(
                    self, "Re-issue with the trainee's current name", ReasonForm, self._reissue
                ),
                name="certificate_reissue",
            ),
            path(
                "<int:pk>/revoke/",
                service_view(self, "Revoke", ReasonForm, self._revoke),
                name="certificate_revoke",
            ),
            *super().get_urls(),
        ]

    def _reissue(self, request: HttpRequest, c: Certificate, data: dict[str, Any]) -> Certificate:
        return services.certificate_reissue(
            actor=actor(request), certificate=c, reason=data["reason"]
        )

    def _revoke(self, request: HttpRequest, c: Certificate, data: dict[str, Any]) -> Certificate:
        return services.certificate_revoke(
            actor=actor(request), certificate=c, reason=data["reason"]
        )

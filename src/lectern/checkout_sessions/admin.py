from django.contrib import admin

from lectern.checkout_sessions.models import CheckoutSession, SessionSignup
from lectern.core.adminviews import ServiceRecordAdmin


class SignupInline(admin.TabularInline):
    model = SessionSignup
    extra = 0
    can_delete = False
    fields = ("trainee", "status", "result_by", "result_at", "notes")
    readonly_fields = ("trainee", "status", "result_by", "result_at", "notes")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CheckoutSession)
class CheckoutSessionAdmin(ServiceRecordAdmin):
    """Sessions are created and cancelled on the staff sessions page
    (`/staff/checkout-sessions/`) or through the API; the host's page records results."""

    list_display = [
        "kind",
        "title",
        "host",
        "start",
        "timezone",
        "places_taken",
        "capacity",
        "status",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["title", "host__email", "host__name"]
    readonly_fields = [f.name for f in CheckoutSession._meta.fields]
    inlines = [SignupInline]

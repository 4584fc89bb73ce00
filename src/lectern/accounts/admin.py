from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from lectern.accounts.models import ApiToken, User
from lectern.accounts.services import token_revoke
from lectern.core.adminviews import CheckedInputAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin, CheckedInputAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_trainer", "is_active", "last_login"]
    list_filter = ["is_staff", "is_trainer", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Roles", {"fields": ("is_active", "is_staff", "is_superuser", "is_trainer", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "is_staff", "is_trainer")}),
    )
    filter_horizontal = ["groups"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__email", "prefix", "name"]
    readonly_fields = [
        "user",
        "digest",
        "prefix",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are shown once: create them with `lectern token`

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token)
        messages.success(request, f"Revoked {queryset.count()} token(s).")

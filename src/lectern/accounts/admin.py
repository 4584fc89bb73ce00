from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from lectern.accounts.models import ApiToken, User
from lectern.accounts.services import Role, token_revoke, user_add
from lectern.core.adminviews import CheckedInputAdmin, form_errors_from
from lectern.core.errors import DomainError
from lectern.core.permissions import Principal


class UserAddForm(forms.ModelForm):
    """Add a person in one form: no password (people sign in with an emailed link)."""

    class Meta:
        model = User
        fields = ["email", "name", "is_staff", "is_trainer"]
        help_texts = {"email": "They get a sign-in link at this address."}

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def _post_clean(self) -> None:
        """Create the person through `user_add` (refusals on the form), once it is valid."""
        super()._post_clean()  # type: ignore[misc]
        if self.errors or self.request is None:
            return
        flags: tuple[tuple[Role, str], ...] = (("staff", "is_staff"), ("trainer", "is_trainer"))
        roles = tuple(role for role, flag in flags if self.cleaned_data.get(flag))
        try:
            self.created = user_add(
                actor=Principal(user=self.request.user),  # type: ignore[arg-type]
                email=self.cleaned_data["email"],
                name=self.cleaned_data.get("name", ""),
                roles=roles,
            )
        except DomainError as exc:
            form_errors_from(exc, self)  # type: ignore[arg-type]
            return
        self.instance = self.created

    def save(self, commit: bool = True) -> User:
        self.save_m2m = lambda: None  # type: ignore[method-assign] # nothing many-to-many
        return self.instance


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
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "is_staff", "is_trainer")}),
    )
    filter_horizontal = ["groups"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form

        class WithRequest(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, request=request, **kw)

        return WithRequest

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        # an added person was created by `user_add` when the form was validated


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

from django.contrib import admin

from lectern.core.adminviews import CheckedInputAdmin
from lectern.trainers.models import Availability, TrainerProfile


@admin.register(TrainerProfile)
class TrainerProfileAdmin(CheckedInputAdmin):
    list_display = ["user", "languages", "timezone"]
    search_fields = ["user__email", "user__name"]
    raw_id_fields = ["user"]


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["trainer", "quarter", "first_day", "last_day"]
    list_filter = ["quarter"]
    search_fields = ["trainer__email", "trainer__name"]
    readonly_fields = ["trainer", "quarter", "first_day", "last_day", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # trainers enter it on their page or through the API

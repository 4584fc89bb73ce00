from django.urls import path

from lectern.operations import views

app_name = "operations"

urlpatterns = [
    path("staff/outbox/", views.outbox_problems, name="outbox"),
    path("staff/outbox/retry/", views.outbox_retry, name="retry"),
]

from django.urls import path

from lectern.events import views

app_name = "events"

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("events/<int:event_id>/", views.event_page, name="detail"),
    path("trainer/", views.trainer_events, name="trainer"),
]

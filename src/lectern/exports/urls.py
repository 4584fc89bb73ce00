from django.urls import path

from lectern.exports import views

app_name = "exports"

urlpatterns = [
    path("staff/exports/", views.index, name="index"),
    path("staff/exports/registrations.csv", views.quarter_registrations, name="quarter"),
    path("staff/exports/checkout.csv", views.checkout_pipeline, name="checkout"),
    path("staff/exports/certificates.csv", views.certificates_awarded, name="certificates"),
    path(
        "staff/exports/events/<int:event_id>/registrations.csv",
        views.event_registrations,
        name="event",
    ),
]

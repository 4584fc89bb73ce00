from django.urls import path

from lectern.checkout import dashboard, views

app_name = "checkout"

urlpatterns = [
    path("events/<int:event_id>/roster/", views.roster, name="roster"),
    path(
        "events/<int:event_id>/roster/import/",
        views.attendance_import_page,
        name="import",
    ),
    path(
        "events/<int:event_id>/roster/<int:registration_id>/makeup/",
        views.makeup,
        name="makeup",
    ),
    path("review/", views.review, name="review"),
    path("staff/dashboard/", dashboard.dashboard, name="dashboard"),
    # The trainee-wide parts live on the personal page (`/me/<trainee token>/`) only.
    path("me/<str:token>/checkout/", views.submit_step, name="submit"),
    path("me/<str:token>/certificate.pdf", views.certificate_download, name="certificate"),
    path("me/<str:token>/directory/", views.directory_settings, name="directory"),
    path("me/<str:token>/my-data.json", views.data_export, name="export"),
    path("me/<str:token>/erase/", views.data_erase, name="erase"),
]

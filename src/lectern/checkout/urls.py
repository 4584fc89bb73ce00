from django.urls import path

from lectern.checkout import dashboard, views

app_name = "checkout"

urlpatterns = [
    path("events/<int:event_id>/roster/", views.roster, name="roster"),
    path("review/", views.review, name="review"),
    path("staff/dashboard/", dashboard.dashboard, name="dashboard"),
    path("manage/<str:token>/checkout/", views.submit_step, name="submit"),
    path("manage/<str:token>/certificate.pdf", views.certificate_download, name="certificate"),
    path("manage/<str:token>/directory/", views.directory_settings, name="directory"),
    path("manage/<str:token>/my-data.json", views.data_export, name="export"),
    path("manage/<str:token>/erase/", views.data_erase, name="erase"),
]

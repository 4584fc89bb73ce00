from django.urls import path

from lectern.memberships import views

app_name = "memberships"

urlpatterns = [
    path("", views.my_memberships, name="mine"),
    path("<int:membership_id>/", views.membership_page, name="detail"),
    path("<int:membership_id>/trainees.csv", views.trainees_csv, name="trainees-csv"),
]

from django.urls import path

from lectern.trainers import views

app_name = "trainers"

urlpatterns = [
    path("trainers/<int:trainer_id>/", views.profile, name="profile"),
    path("trainers/<int:trainer_id>/availability/", views.availability, name="availability"),
    path("staff/staffing/", views.staffing_page, name="staffing"),
]

from django.urls import path

from lectern.directory import views

app_name = "directory"

urlpatterns = [
    path("instructors/", views.instructors_page, name="instructors"),
    path("verify/<str:number>/", views.verify_page, name="verify"),
]

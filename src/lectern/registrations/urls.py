from django.urls import path

from lectern.registrations import views

app_name = "registrations"

urlpatterns = [
    path("events/<int:event_id>/register/", views.register, name="register"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/move/", views.manage_move, name="move"),
    path("manage/<str:token>/withdraw/", views.manage_withdraw, name="withdraw"),
    path("waitlist/<str:raw>/", views.offer, name="offer"),
]

from django.urls import path

from lectern.checkout_sessions import views

app_name = "checkout_sessions"

urlpatterns = [
    path("checkout-sessions/<int:session_id>/", views.detail, name="detail"),
    path(
        "me/<str:token>/checkout-sessions/<int:session_id>/signup/",
        views.me_signup,
        name="me_signup",
    ),
    path(
        "me/<str:token>/checkout-sessions/<int:session_id>/leave/",
        views.me_leave,
        name="me_leave",
    ),
]

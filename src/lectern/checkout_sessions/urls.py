from django.urls import path

from lectern.checkout_sessions import staff_views, views

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
    path("staff/checkout-sessions/", staff_views.sessions_page, name="staff"),
    path(
        "staff/checkout-sessions/<int:session_id>/cancel/",
        staff_views.cancel_page,
        name="staff_cancel",
    ),
]

from django.urls import path

from lectern.registrations import coordinator_views, team_views, views

app_name = "registrations"

urlpatterns = [
    path("events/<int:event_id>/register/", views.register, name="register"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/move/", views.manage_move, name="move"),
    path("manage/<str:token>/withdraw/", views.manage_withdraw, name="withdraw"),
    path("waitlist/<str:raw>/", views.offer, name="offer"),
    path("me/<str:token>/", views.personal, name="me"),
    path(
        "me/<str:token>/registrations/<int:registration_id>/",
        views.personal_registration,
        name="me_registration",
    ),
    path(
        "me/<str:token>/registrations/<int:registration_id>/move/",
        views.personal_move,
        name="me_move",
    ),
    path(
        "me/<str:token>/registrations/<int:registration_id>/withdraw/",
        views.personal_withdraw,
        name="me_withdraw",
    ),
    path(
        "me/<str:token>/registrations/<int:registration_id>/use-details/",
        views.personal_details_apply,
        name="me_details_apply",
    ),
    path(
        "me/<str:token>/waitlist/<int:entry_id>/leave/",
        views.personal_waitlist_leave,
        name="me_waitlist_leave",
    ),
    path(
        "me/<str:token>/registrations/<int:registration_id>/details/",
        team_views.details_complete,
        name="me_details",
    ),
    path("memberships/<int:membership_id>/team/", team_views.team, name="team"),
    path(
        "memberships/<int:membership_id>/registrations/<int:registration_id>/",
        coordinator_views.registration_page,
        name="coordinator_registration",
    ),
    path(
        "memberships/<int:membership_id>/registrations/<int:registration_id>/move/",
        coordinator_views.registration_move,
        name="coordinator_move",
    ),
    path(
        "memberships/<int:membership_id>/registrations/<int:registration_id>/withdraw/",
        coordinator_views.registration_withdraw,
        name="coordinator_withdraw",
    ),
    path("me/<str:token>/name/", views.personal_name_request, name="me_name"),
    path("me/<str:token>/replace-link/", views.personal_link_replace, name="me_replace_link"),
]

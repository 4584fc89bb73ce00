from django.urls import path

from lectern.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", views.login_request, name="login"),
    path("login/<str:token>/", views.login_confirm, name="login-confirm"),
    path("logout/", views.logout_view, name="logout"),
]

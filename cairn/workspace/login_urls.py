from django.urls import path

from cairn.workspace import login_views

app_name = "accounts"
urlpatterns = [
    path("", login_views.login_view, name="login"),
    path("code/", login_views.verify_view, name="verify"),
    path("authenticator/", login_views.enrol_view, name="enrol"),
    path("sign-out/", login_views.logout_view, name="logout"),
]

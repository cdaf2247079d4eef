from django.urls import path

from cairn.portal.my_history import views

app_name = "my_history"
urlpatterns = [
    path("", views.start, name="start"),
    path("code/", views.code, name="code"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<str:reference>/", views.report, name="report"),
    path("sign-out/", views.sign_out, name="sign_out"),
]

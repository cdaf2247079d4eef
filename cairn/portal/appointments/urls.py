"""The person's appointment pages, under /track/<reference>/appointment/."""

from django.urls import path

from cairn.portal.appointments import views

app_name = "appointments"
urlpatterns = [
    path("book/", views.book, name="book"),
    path("move/", views.move, name="move"),
    path("cancel/", views.cancel, name="cancel"),
]

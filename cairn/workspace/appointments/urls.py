"""Appointments in the workspace, at /staff/appointments/ (names "workspace:appointments_…")."""

from django.urls import path

from cairn.workspace.appointments import slot_views, views

urlpatterns = [
    path("", views.mine, name="appointments_mine"),
    path("book/<str:reference>/", views.book, name="appointments_book"),
    path("slots/", slot_views.slots, name="appointments_slots"),
    path("slots/<int:slot_id>/withdraw/", slot_views.withdraw, name="appointments_withdraw_slot"),
    path("<str:reference>/", views.detail, name="appointments_detail"),
    path("<str:reference>/cancel/", views.cancel, name="appointments_cancel"),
    path("<str:reference>/outcome/", views.outcome, name="appointments_outcome"),
]

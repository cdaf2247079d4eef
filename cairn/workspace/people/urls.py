"""People: search, the person page, markers, merges, subject access (mounted at /staff/people/),
and the handler's decisions on the people of a contact (/staff/people/contacts/<id>/...)."""

from django.urls import path

from cairn.workspace.people import (
    contact_views,
    marker_views,
    merge_views,
    subject_access_views,
    views,
)

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:person_id>/", views.person_page, name="person"),
    path("<int:person_id>/markers/<int:marker_id>/reveal/", views.reveal, name="reveal_marker"),
    path("<int:person_id>/markers/new/", marker_views.new_marker, name="new_marker"),
    path("<int:person_id>/preferences/", marker_views.preferences, name="preferences"),
    path(
        "<int:person_id>/markers/<int:marker_id>/review/",
        marker_views.review,
        name="review_marker",
    ),
    path("<int:person_id>/merge/", merge_views.merge_search, name="merge_search"),
    path("<int:person_id>/merge/<int:other_id>/", merge_views.compare, name="merge_compare"),
    path("<int:person_id>/merges/<int:combination_id>/undo/", merge_views.undo, name="undo_merge"),
    path(
        "<int:person_id>/subject-access/",
        subject_access_views.subject_access,
        name="subject_access",
    ),
    path(
        "<int:person_id>/subject-access/export.json",
        subject_access_views.download_json,
        name="subject_access_json",
    ),
    path(
        "<int:person_id>/subject-access/export.html",
        subject_access_views.download_html,
        name="subject_access_html",
    ),
    path(
        "<int:person_id>/subject-access/rectify/",
        subject_access_views.rectify,
        name="rectify",
    ),
    path(
        "contacts/<int:contact_id>/possible/<int:possible_id>/accept/",
        contact_views.accept_possible,
        name="accept_possible",
    ),
    path(
        "contacts/<int:contact_id>/possible/<int:possible_id>/reject/",
        contact_views.reject_possible,
        name="reject_possible",
    ),
    path("contacts/<int:contact_id>/new-person/", contact_views.new_person, name="new_person"),
    path("contacts/<int:contact_id>/link/", contact_views.link, name="link"),
    path(
        "contacts/<int:contact_id>/roles/<int:role_id>/unlink/",
        contact_views.unlink_role,
        name="unlink",
    ),
]

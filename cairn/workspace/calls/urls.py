"""Call taking for service advisors and control room operators (999 and 101)."""

from django.urls import path

from cairn.workspace.calls import views

app_name = "calls"
urlpatterns = [
    path("new/", views.new_call, name="new"),
    path("<str:reference>/", views.call_taken, name="taken"),
]

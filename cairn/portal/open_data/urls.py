from django.urls import path

from cairn.portal.open_data import views

app_name = "open_data"
urlpatterns = [
    path("", views.open_data, name="page"),
    path("cairn-open-data.csv", views.open_data_csv, name="csv"),
]

from django.urls import re_path

from cairn.api.open311 import views

app_name = "open311"
FORMAT = r"\.(?P<response_format>[a-z]+)$"
urlpatterns = [
    re_path(r"^v2/services" + FORMAT, views.services, name="services"),
    re_path(r"^v2/services/(?P<service_code>[\w-]+)" + FORMAT, views.service, name="service"),
    re_path(r"^v2/requests" + FORMAT, views.requests, name="requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[\w-]+)" + FORMAT,
        views.single_request,
        name="request",
    ),
]

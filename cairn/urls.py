from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path

from cairn.health import healthz


def admin_login(request, extra_context=None):
    """The admin has no login of its own: staff sign in (with MFA) at /staff/sign-in/."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect("accounts:login")


admin.site.site_header = "Cairn administration"
admin.site.login = admin_login

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("staff/sign-in/", include("cairn.workspace.login_urls")),
    path("staff/admin/", admin.site.urls),
    path("staff/", include("cairn.workspace.urls")),
    path("api/inbound/", include("cairn.api.inbound.urls")),
    path("api/", include("cairn.api.urls")),
    path("open311/", include("cairn.api.open311.urls")),
]
if settings.CAIRN_BENCH:
    urlpatterns.append(path("bench/", include("cairn.benchmarks.urls")))
urlpatterns += i18n_patterns(path("", include("cairn.portal.urls")), prefix_default_language=False)

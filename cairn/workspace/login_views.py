"""Staff login: password, then the authenticator code (enrolling one the first time)."""

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cairn.accounts import lockout
from cairn.accounts.forms import PasswordForm, TokenForm
from cairn.accounts.services import (
    complete_second_factor,
    confirmed_device,
    end_session,
    pending_enrolment_device,
    start_password_session,
)


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/staff/"


def _locked_message(until) -> str:
    local = timezone.localtime(until)
    return _(
        "This account is locked because of too many failed attempts. "
        "Try again after %(time)s, or ask an administrator to unlock it."
    ) % {"time": formats.time_format(local, "H:i")}


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _render_login(request, form, *, error: str = "", locked: bool = False):
    return render(
        request,
        "workspace/login.html",
        {"form": form, "error": error, "next": _next_url(request)},
        status=403 if locked else 200,
    )


def login_view(request):
    form = PasswordForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _render_login(request, form)
    username = form.cleaned_data["username"]
    until = lockout.locked_until(username)
    if until:
        return _render_login(request, form, error=_locked_message(until), locked=True)
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is None or not user.is_active:
        until = lockout.register_failure(username)
        if until:
            return _render_login(request, form, error=_locked_message(until), locked=True)
        return _render_login(
            request,
            form,
            error=_("The username or password is not right. Check them and try again."),
        )
    # Failures are cleared only once the second factor passes too, so wrong codes
    # keep counting however often the password is entered again.
    start_password_session(request, user)
    return redirect(
        _with_next("accounts:verify" if confirmed_device(user) else "accounts:enrol", request)
    )


def _second_factor(request, *, enrolling: bool):
    user = request.user
    if not user.is_authenticated:
        return redirect(_with_next("accounts:login", request))
    if user.is_verified():
        return redirect(_next_url(request))
    if enrolling and confirmed_device(user):
        return redirect(_with_next("accounts:verify", request))
    device = pending_enrolment_device(user) if enrolling else confirmed_device(user)
    if device is None:
        return redirect(_with_next("accounts:enrol", request))
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        until = lockout.locked_until(user.username)
        allowed, _detail = device.verify_is_allowed()
        if until:
            end_session(request)
            return _render_login(request, PasswordForm(), error=_locked_message(until), locked=True)
        if allowed and device.verify_token(form.cleaned_data["token"]):
            lockout.clear_failures(user.username)
            complete_second_factor(request, device, enrolling=enrolling)
            return redirect(_next_url(request))
        until = lockout.register_failure(user.username, user=user, stage="second_factor")
        if until:
            end_session(request)
            return _render_login(request, PasswordForm(), error=_locked_message(until), locked=True)
        error = (
            _(
                "That code is not right. Codes change every 30 seconds: enter the one your app "
                "shows now."
            )
            if allowed
            else _("Too many wrong codes in a row. Wait a few seconds and try again.")
        )
    context = {
        "form": form,
        "error": error,
        "next": _next_url(request),
        "enrolling": enrolling,
        "demo_hint": not settings.PRODUCTION,
    }
    if enrolling:
        secret = base64.b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=4, title=_("QR code for your authenticator app")
        )
    return render(request, "workspace/second_factor.html", context)


def verify_view(request):
    return _second_factor(request, enrolling=False)


def enrol_view(request):
    return _second_factor(request, enrolling=True)


@require_POST
def logout_view(request):
    end_session(request)
    return redirect("accounts:login")

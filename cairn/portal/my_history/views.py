"""Your contacts with us: ask for a code, enter it, see your contacts, sign out.

The session holds the code's id while a code is waiting, then the verified
identifier for 30 minutes. Whatever was typed, asking for a code gets the same
answer, so the page never tells anyone whether we know an address.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cairn.notify.codes import CodeOutcome
from cairn.people.own_history import (
    check_history_code,
    contacts_for_verified_identifier,
    own_contact,
    send_code,
)
from cairn.portal.my_history.forms import CodeForm, IdentifierForm
from cairn.portal.tracking import status_with_updates
from cairn.throttle.services import Limit, count_attempt, is_limited

CODE_KEY = "cairn_history_code"
VERIFIED_KEY = "cairn_history_verified"
VERIFIED_FOR = timedelta(minutes=30)
PER_IDENTIFIER = Limit("history-code-identifier", count=5, window=timedelta(hours=1))
PER_SESSION = Limit("history-code-session", count=5, window=timedelta(hours=1))
PER_CLIENT = Limit("history-code-client", count=20, window=timedelta(hours=1))


def _session_key(request) -> str:
    if request.session.session_key is None:
        request.session.save()
    return request.session.session_key


def _limits(request, kind: str, value: str) -> list[tuple[Limit, str]]:
    return [
        (PER_IDENTIFIER, f"{kind}:{value}"),
        (PER_SESSION, _session_key(request)),
        (PER_CLIENT, request.META.get("REMOTE_ADDR", "")),
    ]


def _verified(request) -> dict | None:
    """The verified identifier while its 30 minutes last; after that, forgotten."""
    verified = request.session.get(VERIFIED_KEY)
    if not verified:
        return None
    if datetime.fromisoformat(verified["until"]) > timezone.now():
        return verified
    del request.session[VERIFIED_KEY]
    messages.info(
        request,
        _(
            "Your contacts page closed after 30 minutes, to keep it safe. "
            "Ask for a new code to see it again."
        ),
    )
    return None


def start(request):
    if _verified(request):
        return redirect("portal:my_history:contacts")
    waiting = request.session.get(CODE_KEY) or {}
    form = IdentifierForm(request.POST or None, initial={"identifier": waiting.get("typed", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        kind, value = form.cleaned_data["identifier"]
        limits = _limits(request, kind, value)
        if any(is_limited(limit, key) for limit, key in limits):
            form.add_error(
                "identifier",
                _("You have asked for too many codes. Wait an hour and try again, or call 101."),
            )
            status = 429
        else:
            for limit, key in limits:
                count_attempt(limit, key)
            code_id = send_code(kind, value, language=get_language())
            request.session[CODE_KEY] = {
                "id": code_id,
                "kind": kind,
                "value": value,
                "typed": form.data["identifier"].strip()[:254],
            }
            return redirect("portal:my_history:code")
    return render(request, "portal/my_history/start.html", {"form": form}, status=status)


def _problem(check) -> str:
    if check.outcome == CodeOutcome.WRONG:
        return ngettext(
            "That is not the code we sent. You can try %(count)d more time.",
            "That is not the code we sent. You can try %(count)d more times.",
            check.tries_left,
        ) % {"count": check.tries_left}
    if check.outcome == CodeOutcome.TOO_MANY_TRIES:
        return _(
            "That code was entered wrongly too many times and no longer works. Ask for a new code."
        )
    return _("That code no longer works: a code lasts 10 minutes. Ask for a new code.")


def code(request):
    waiting = request.session.get(CODE_KEY)
    if not waiting:
        return redirect("portal:my_history:start")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = check_history_code(
            waiting["id"], waiting["kind"], waiting["value"], form.cleaned_data["code"]
        )
        if check.outcome == CodeOutcome.VERIFIED:
            request.session.cycle_key()  # a new session id for what is now a signed-in session
            del request.session[CODE_KEY]
            request.session[VERIFIED_KEY] = {
                "kind": waiting["kind"],
                "value": waiting["value"],
                "typed": waiting["typed"],
                "until": (timezone.now() + VERIFIED_FOR).isoformat(),
            }
            return redirect("portal:my_history:contacts")
        form.add_error("code", _problem(check))
        status = 400
    return render(
        request,
        "portal/my_history/code.html",
        {"form": form, "typed": waiting["typed"]},
        status=status,
    )


@never_cache
def contacts(request):
    verified = _verified(request)
    if verified is None:
        return redirect("portal:my_history:start")
    found = contacts_for_verified_identifier(verified["kind"], verified["value"])
    return render(
        request,
        "portal/my_history/contacts.html",
        {"contacts": found, "typed": verified["typed"]},
    )


@never_cache
def report(request, reference: str):
    verified = _verified(request)
    if verified is None:
        return redirect("portal:my_history:start")
    contact = own_contact(verified["kind"], verified["value"], reference)
    if contact is None:
        raise Http404
    return render(
        request, "portal/my_history/report.html", {"status": status_with_updates(contact)}
    )


@require_POST
def sign_out(request):
    request.session.pop(VERIFIED_KEY, None)
    request.session.pop(CODE_KEY, None)
    request.session.cycle_key()
    messages.info(request, _("You have signed out of your contacts page."))
    return redirect("portal:my_history:start")

"""No staff URL opens without both factors: every pattern under /staff/ is tried.

The URLs come from Django's resolver (the Django admin included), with path
parameters filled by plausible values, so a new staff page is covered the
moment it is routed.
"""

import itertools
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from tests.support import enter_password

SIGN_IN_PAGES = {"accounts:login", "accounts:verify", "accounts:enrol", "accounts:logout"}
# The staff URLs the foundation routes (2 workspace pages and 36 of the admin);
# more appear as apps register admin pages. An enumeration that finds fewer has
# stopped walking the URLconf, and would otherwise pass by testing nothing.
EXPECTED_AT_LEAST = 38
MUST_INCLUDE = {"/staff/", "/staff/audit/", "/staff/admin/", "/staff/admin/auth/group/x/change/"}

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_CONVERTER_SAMPLES = {IntConverter: "1", UUIDConverter: "00000000-0000-0000-0000-000000000001"}


def _leaf_patterns(patterns, prefix=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _leaf_patterns(entry.url_patterns, (*prefix, entry.pattern))
        else:
            yield (*prefix, entry.pattern), entry


def _route_sample(pattern: RoutePattern) -> str:
    def fill(match):
        return _CONVERTER_SAMPLES.get(type(pattern.converters[match["name"]]), "x")

    return _PARAMETER.sub(fill, str(pattern))


def _regex_sample(pattern: RegexPattern) -> str:
    candidates = ("1", "x", *(config.label for config in apps.get_app_configs()))
    for template, names in normalize(pattern._regex):
        for values in itertools.product(candidates, repeat=len(names)):
            sample = template % dict(zip(names, values, strict=True))
            if pattern.regex.fullmatch(sample):
                return sample
    raise AssertionError(f"no sample URL found for the pattern {pattern._regex!r}")


def _sample(pattern) -> str:
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RoutePattern):
        return _route_sample(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_sample(pattern)
    raise AssertionError(f"unknown URL pattern type {type(pattern).__name__}")


def enumerate_urls() -> list[tuple[str, str]]:
    """(url, view name) for every routed URL, each checked to resolve to its own pattern."""
    found = []
    for chain, leaf in _leaf_patterns(get_resolver().url_patterns):
        url = "/" + "".join(_sample(pattern) for pattern in chain)
        match = resolve(url)
        assert match.func == leaf.callback, f"{url} reaches {match.view_name}, not its own pattern"
        found.append((url, match.view_name))
    return found


STAFF_URLS = [
    url for url, name in enumerate_urls() if url.startswith("/staff/") and name not in SIGN_IN_PAGES
]


def test_the_enumeration_finds_every_staff_url():
    assert len(STAFF_URLS) >= EXPECTED_AT_LEAST, STAFF_URLS
    assert set(STAFF_URLS) >= MUST_INCLUDE, MUST_INCLUDE - set(STAFF_URLS)


def test_the_enumeration_leaves_out_only_the_sign_in_pages():
    left_out = {
        url for url, name in enumerate_urls() if url.startswith("/staff/") and url not in STAFF_URLS
    }
    assert left_out == {
        "/staff/sign-in/",
        "/staff/sign-in/code/",
        "/staff/sign-in/authenticator/",
        "/staff/sign-in/sign-out/",
    }


@pytest.fixture
def password_only(administrator) -> Client:
    """An administrator's session past the password but not the second factor."""
    client = Client()
    assert enter_password(client, "administrator")["Location"].startswith("/staff/sign-in/code/")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_only_session_is_sent_to_the_second_factor(password_only, method, url):
    response = getattr(password_only, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/sign-in/code/?{urlencode({'next': url})}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/sign-in/?{urlencode({'next': url})}"


@pytest.mark.django_db
def test_a_password_only_session_can_open_the_code_page(password_only):
    assert password_only.get("/staff/sign-in/code/").status_code == 200


@pytest.mark.django_db
def test_a_verified_administrator_reaches_the_admin(signed_in, administrator):
    assert signed_in(administrator).get("/staff/admin/").status_code == 200


@pytest.mark.django_db
def test_a_verified_advisor_reaches_the_workspace(signed_in, advisor):
    assert signed_in(advisor).get("/staff/").status_code == 200


@pytest.mark.django_db
def test_a_verified_non_administrator_is_refused_the_admin(signed_in, advisor):
    response = signed_in(advisor).get("/staff/admin/", follow=True)
    assert response.status_code == 403

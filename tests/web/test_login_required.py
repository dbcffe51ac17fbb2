"""Every page needs a login, except the few docs/architecture.md#request-path names as public."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.urls.resolvers import RegexPattern

pytestmark = pytest.mark.django_db

# Views reachable without a session: login and password reset, sign-up (404 unless
# enabled), the signed unsubscribe link, the token calendar feed, the health check and
# the bookmarklet's endpoint (its key earns a relay page, nothing is written) and the
# relay page's CSRF-token request (it answers "not logged in" itself): crm/capture/.
# the favicon browsers fetch on every page (the login page included).
PUBLIC = {
    "favicon",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "signup",
    "followups:unsubscribe",
    "followups:calendar-feed",
    "healthz",
    "crm:capture-bookmarklet",
    "crm:capture-csrf",
}

_SAMPLE = {IntConverter: "1", SlugConverter: "x", StringConverter: "x", PathConverter: "x"}


def _named_patterns(resolver: URLResolver | None = None, namespace: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            # The admin has its own login; the API answers 401 itself rather than
            # redirecting a script (tests/api/test_api_anonymous.py crawls it).
            if entry.namespace in ("admin", "api"):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def _all_pages():
    pages = []
    for namespace, pattern in _named_patterns():
        assert pattern.name, f"URL pattern {pattern.pattern} has no name"
        pages.append((f"{namespace}{pattern.name}", _sample_kwargs(pattern), pattern.callback))
    return pages


def _sample_kwargs(pattern: URLPattern) -> dict[str, str]:
    """Values that fill the pattern: by converter for path(), by group for re_path()."""
    if isinstance(pattern.pattern, RegexPattern):
        kwargs = {}
        for name, body in re.findall(r"\(\?P<(\w+)>([^)]*)\)", str(pattern.pattern._regex)):
            first = body.split("|")[0]
            kwargs[name] = first if re.fullmatch(r"[\w-]+", first) else "1"
        return kwargs
    converters = getattr(pattern.pattern, "converters", {})
    return {key: _SAMPLE.get(type(conv), "x") for key, conv in converters.items()}


def test_the_url_conf_has_pages_to_check():
    assert len(_all_pages()) >= 5


# Ids from the URL name only: a view's repr holds its memory address, which differs
# between pytest-xdist workers, and workers must collect the same test ids.
@pytest.mark.parametrize(
    ("name", "kwargs", "view"),
    [pytest.param(*page, id=page[0]) for page in _all_pages()],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, kwargs, view):
    is_public = getattr(view, "login_required", True) is False
    if name in PUBLIC:
        return
    assert not is_public, f"{name} is open without login but is not in the public list"
    url = reverse(name, kwargs=kwargs)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response.url.startswith(reverse("login") + "?next="), url


def test_public_views_are_exactly_the_listed_ones():
    opened = {
        name for name, _, view in _all_pages() if getattr(view, "login_required", True) is False
    }
    assert opened <= PUBLIC


def test_the_admin_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("admin:contacts_contact_changelist"))
    assert response.status_code == 302
    assert response.url.startswith((reverse("login"), reverse("admin:login")))

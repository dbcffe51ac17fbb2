"""Brute-force protection for sign-ins that come over HTTP.

django-axes counts failures per user name and address, which only a request has. A
sign-in with no request (a script calling authenticate(), the test client's login()) has
no address to lock and is no brute-force attempt over the network: it goes on to the
next backend instead of failing with axes' "request required" error.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class RequestAxesBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)

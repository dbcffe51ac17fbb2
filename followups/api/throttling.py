"""Rate limit per token (per user for the browser's session): 429 with Retry-After."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from followups.models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per period for each token; a session counts as one token.

    Counts live in Django's cache: the default local-memory cache counts per process, so
    a deployment with several web processes configures a shared cache (Redis).
    """

    scope = "api"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_rate(self) -> str | None:
        # Read on each request, not once at import, so a changed setting applies.
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

"""Bearer personal tokens and their scopes; the browser's session works as well."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from followups.models import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer fcrm_…`: a live personal token authenticates its owner."""

    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        raw = raw.strip()
        if not raw or " " in raw:
            raise exceptions.AuthenticationFailed("Send the token as 'Bearer <token>'.")
        token = ApiToken.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("This token is unknown, revoked or expired.")
        return token.owner, token

    def authenticate_header(self, request: Request) -> str:
        # A 401 (not 403) with WWW-Authenticate tells a script to send a token.
        return 'Bearer realm="api"'


class TokenScopePermission(permissions.BasePermission):
    """Signed in, and a read-only token only reads."""

    message = "This token is read-only."

    def has_permission(self, request: Request, view) -> bool:
        if request.user is None or not request.user.is_authenticated:
            return False
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and token.read_only:
            return request.method in permissions.SAFE_METHODS
        return True


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema (and its Swagger page) how to send a token."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from Preferences → API tokens.",
        }

"""The MCP tools over streamable HTTP at /api/mcp/, for a client that holds a token.

The SDK's transport is an ASGI app and this site is WSGI, so each POST runs the SDK's
stateless, JSON-response session manager for that one request in its own event loop
(`anyio.run`): no session state between requests, which is what stateless mode means,
and the tools run in worker threads exactly as over stdio. A read-only token gets the
read tools only. Host checks are Django's (ALLOWED_HOSTS); there are no cookies, so no
CSRF.

The SDK (mcp, pydantic, starlette, anyio: ~50 MB) is imported by the first MCP request,
not with the URLconf: every web worker loads the URLconf, few ever answer MCP
(bench/README.md, "memory and start-up").
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from followups.models import ApiToken

# An assistant's tool call is small; anything larger is not one.
MAX_BODY_BYTES = 1_000_000


def unauthorized(detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": "Not authenticated", "status": 401, "detail": detail}
    response = JsonResponse(body, status=401, content_type="application/problem+json")
    response["WWW-Authenticate"] = 'Bearer realm="mcp"'
    return response


@login_not_required  # the token is the credential
@csrf_exempt
def mcp_endpoint(request: HttpRequest) -> HttpResponse:
    """POST a JSON-RPC message with `Authorization: Bearer <token>`; the answer is JSON."""
    keyword, _, raw = request.headers.get("Authorization", "").partition(" ")
    token = ApiToken.authenticate(raw.strip()) if keyword.lower() == "bearer" else None
    if token is None:
        return unauthorized("Send a live personal token as 'Authorization: Bearer <token>'.")
    if request.method != "POST":
        # Stateless: no server-to-client stream to GET, no session to DELETE.
        response = HttpResponse(status=405)
        response["Allow"] = "POST"
        return response
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    import anyio

    status, headers, content = anyio.run(serve_one, request, token, body)
    response = HttpResponse(content, status=status)
    for name, value in headers:
        if name.lower() not in ("content-length", "connection", "transfer-encoding"):
            response[name] = value
    return response


async def serve_one(request: HttpRequest, token: ApiToken, body: bytes):
    """Runs the SDK's session manager for one request and returns what it answered."""
    import anyio
    from mcp.server.transport_security import TransportSecuritySettings

    from followups.api.mcp_server import build_server

    server = build_server(token.owner, read_only=token.read_only)
    server.streamable_http_app(
        streamable_http_path="/",
        json_response=True,
        stateless_http=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager
    answered = anyio.Event()
    started: dict = {}
    chunks: list[bytes] = []
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()  # the client "disconnects" once the answer is out
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                answered.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": request.scheme,
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.items()
            if name.lower() not in ("authorization", "cookie")
        ],
        "server": (request.get_host().split(":")[0], int(request.get_port())),
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
    }
    async with manager.run():
        await manager.handle_request(scope, receive, send)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in started.get("headers", [])]
    return started.get("status", 500), headers, b"".join(chunks)

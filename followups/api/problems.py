"""Errors as RFC 9457 problem details (application/problem+json) with readable field errors.

Every error the API answers goes through here: DRF's own exceptions, Django's 404 and
permission errors, a model's ValidationError, and anything unexpected (a 500 with no
detail, logged). Field errors come as `errors: [{"field": "due_before", "message": …}]`.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)

TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Server error",
}


def flatten_errors(detail, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error dict/list as a flat list of {"field", "message"}; a
    non-field error has the field "" (or the nested object's path)."""
    found: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            found += flatten_errors(
                value, f"{prefix}.{name}" if prefix and name else name or prefix
            )
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            found += [{"field": prefix, "message": str(item)} for item in detail]
        else:
            for index, item in enumerate(detail):
                found += flatten_errors(item, f"{prefix}[{index}]" if prefix else f"[{index}]")
    else:
        found.append({"field": prefix, "message": str(detail)})
    return found


def problem(status_code: int, detail: str = "", *, errors=None, headers=None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: the same exceptions, answered as problem details."""
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        exc = exceptions.ValidationError(messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unexpected error in the API", exc_info=exc)
        return problem(status.HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side.")
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() in ("retry-after", "www-authenticate", "allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return problem(400, "Some fields are not valid.", errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
    if isinstance(detail, (dict, list)):
        return problem(response.status_code, "", errors=flatten_errors(detail), headers=headers)
    return problem(response.status_code, str(detail), headers=headers)


@csrf_exempt  # it changes nothing; a POST to a wrong address is a 404, not a CSRF 403
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/: a problem-details 404, not the HTML page."""
    body = {"type": "about:blank", "title": "Not found", "status": 404, "detail": ""}
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)

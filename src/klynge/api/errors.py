"""
One error shape for every refusal, with Danish messages.

Every operation documents 400, 401, 403, 404, 413 (writes) and 422 with
this shape, so a client handles all refusals the same way: `code` for the
program, `message` (and one per field in `errors`) for the person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)
Handler = Callable[..., HttpResponse]


class FieldError(Schema):
    """What is wrong with one field: where it is (`body.amount_ore`, `query.year`) and why."""

    field: str
    message: str


class Error(Schema):
    """A refused request: a stable code, a Danish message, and the fields at fault."""

    code: str
    message: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """Refuse the request with `status` and this error (raised by operations)."""

    def __init__(
        self, status: int, code: str, message: str, errors: list[FieldError] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors or []


def not_found() -> ApiError:
    """Not there, or not the caller's to see: the same answer, so it reveals nothing."""
    return ApiError(404, "not_found", _("Not found, or not yours to see."))


def forbidden(message: str = "") -> ApiError:
    return ApiError(403, "forbidden", message or _("Your role does not allow this."))


def refused(messages: list[str] | str) -> ApiError:
    """A service refused the change: 422 with its reasons; nothing was stored."""
    listed = [messages] if isinstance(messages, str) else messages
    return ApiError(
        422,
        "refused",
        listed[0] if len(listed) == 1 else _("The change was refused; nothing was stored."),
        [FieldError(field="", message=m) for m in listed],
    )


def field_message(error: dict[str, Any]) -> str:
    """A Danish message for one pydantic error."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("A value is required."),
        "int_parsing": _("Must be a whole number."),
        "int_type": _("Must be a whole number."),
        "int_from_float": _("Must be a whole number."),
        "bool_parsing": _("Must be true or false."),
        "bool_type": _("Must be true or false."),
        "string_type": _("Must be text."),
        "date_parsing": _("Must be a date written YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Must be a date written YYYY-MM-DD."),
        "date_type": _("Must be a date written YYYY-MM-DD."),
        "list_type": _("Must be a list."),
        "dict_type": _("Must be an object."),
        "model_type": _("Must be an object."),
        "model_attributes_type": _("Must be an object."),
        "extra_forbidden": _("This field is not known."),
        "string_too_short": _("Too short: at least {n} characters.").format(
            n=ctx.get("min_length", "")
        ),
        "string_too_long": _("Too long: at most {n} characters.").format(
            n=ctx.get("max_length", "")
        ),
        "too_long": _("Too many: at most {n}.").format(n=ctx.get("max_length", "")),
        "too_short": _("Too few: at least {n}.").format(n=ctx.get("min_length", "")),
        "string_pattern_mismatch": _("Not in the expected form."),
        "greater_than_equal": _("Must be at least {n}.").format(n=ctx.get("ge", "")),
        "greater_than": _("Must be above {n}.").format(n=ctx.get("gt", "")),
        "less_than_equal": _("Must be at most {n}.").format(n=ctx.get("le", "")),
        "less_than": _("Must be below {n}.").format(n=ctx.get("lt", "")),
        "literal_error": _("Not one of the allowed values."),
        "enum": _("Not one of the allowed values."),
    }
    return messages.get(kind, _("Not a valid value."))


def _where(loc: Any) -> str:
    return ".".join(str(part) for part in loc if part != "payload" or len(loc) == 1)


def _validation(request: HttpRequest, exc: ValidationError, api: Any) -> HttpResponse:
    errors = [
        FieldError(field=_where(e.get("loc", ())), message=field_message(e)) for e in exc.errors
    ]
    if any(e.get("type") in {"json_invalid", "json_type"} for e in exc.errors):
        return respond(api, request, _bad_body())
    return respond(api, request, ApiError(422, "invalid", _("Some values are not valid."), errors))


def _bad_body() -> ApiError:
    return ApiError(
        400, "bad_body", _("The body cannot be read: it is not valid JSON or form data.")
    )


def respond(api: Any, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = Error(code=error.code, message=error.message, errors=error.errors)
    response: HttpResponse = api.create_response(request, body.dict(), status=error.status)
    return response


def install(api: Any) -> None:
    """Answer every refusal with `Error` (ninja's own handlers give other shapes)."""

    def handle(exc_class: type[Exception]) -> Callable[[Handler], Handler]:
        register: Callable[[Handler], Handler] = api.exception_handler(exc_class)
        return register

    @handle(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(api, request, exc)

    @handle(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return _validation(request, exc, api)

    @handle(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            api,
            request,
            ApiError(
                401,
                "unauthenticated",
                _("Log in, or send a valid API token as 'Authorization: Bearer <token>'."),
            ),
        )

    @handle(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:  # ninja's CSRF check
            return respond(
                api,
                request,
                ApiError(403, "csrf", _("The CSRF token is missing or wrong; reload the page.")),
            )
        if exc.status_code == 400:  # ninja could not parse the body
            return respond(api, request, _bad_body())
        return respond(
            api, request, ApiError(exc.status_code, "error", _("The request is not valid."))
        )

    @handle(Http404)
    def _404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(api, request, not_found())

    @handle(ObjectDoesNotExist)
    def _missing(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(api, request, not_found())

    @handle(PermissionDenied)
    def _403(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(api, request, forbidden())

    @handle(Exception)
    def _500(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(
            api,
            request,
            ApiError(500, "server_error", _("Something went wrong in Klynge; nothing was stored.")),
        )


ERRORS_READ = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}
ERRORS_WRITE = {**ERRORS_READ, 413: Error}

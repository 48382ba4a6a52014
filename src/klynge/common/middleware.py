"""
Middleware of every request: the body's size, the language, and no caching for a user.

RequestBodyLimitMiddleware comes first in MIDDLEWARE, so that nothing reads a
body before its size is known; NoStoreMiddleware comes after Django's
AuthenticationMiddleware, which it asks who the user is.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext

from klynge.core.money import format_megabytes

# Django's own logger for a body over a limit (RequestDataTooBig).
security_log = logging.getLogger("django.security.RequestDataTooBig")

READ_CHUNK = 64 * 1024
REFUSED = "klynge_refused_body"  # the request attribute that carries a refusal


@dataclass(frozen=True)
class RefusedBody:
    """A body over its limit: its declared size (None when only counted) and the limit."""

    size: int | None
    limit: int


def _megabytes(size: int) -> str:
    """1.000.000 bytes -> '1'; 50.400.000 -> '50,4' (rounded up, so never equal to a limit)."""
    return format_megabytes(size)


def _declared_length(meta: dict[str, Any]) -> int | None:
    """The Content-Length, or None when there is none (Django then reads no body)."""
    value = str(meta.get("CONTENT_LENGTH") or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


class RequestBodyLimitMiddleware:
    """
    Refuse a request body over its limit before anything reads it: HTTP 413.

    The limit is KLYNGE_REQUEST_MAX_BYTES (1 MB), except on the URLs named in
    KLYNGE_UPLOAD_URL_NAMES (the participant and payment imports), where a file
    of KLYNGE_IMPORT_MAX_BYTES may come with KLYNGE_UPLOAD_FORM_BYTES of form
    around it. The URL is resolved only for a body over the small limit.

    A declared Content-Length is compared before anything is read. Django reads
    no body without one; when the server marks where such a body ends
    (`wsgi.input_terminated`, as gunicorn does for a chunked body), it is read
    here, counted, and handed on with its length if it stays within the limit;
    reading stops as soon as it passes the limit.

    A refused body is replaced by an empty one, so no later middleware (the
    CSRF check parses the whole form) can read it or write it to a temporary
    file. The 413 page is answered before the CSRF check and the view, in the
    site's layout and the user's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        spool: IO[bytes] | None = None
        declared = _declared_length(request.META)
        if declared is None and request.META.get("wsgi.input_terminated"):
            limit, shown = self._limits(request)
            spool, size = self._read_counting(request.META["wsgi.input"], limit)
            if size > limit:
                self._refuse(request, RefusedBody(size=None, limit=shown))
            elif spool is not None:
                request.META["CONTENT_LENGTH"] = str(size)
                setattr(request, "_stream", spool)  # noqa: B010 - holds exactly `size` bytes
        elif declared is not None and declared > settings.KLYNGE_REQUEST_MAX_BYTES:
            limit, shown = self._limits(request)
            if declared > limit:
                self._refuse(request, RefusedBody(size=declared, limit=shown))
        try:
            return self.get_response(request)
        finally:
            if spool is not None:
                spool.close()

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        refused: RefusedBody | None = getattr(request, REFUSED, None)
        if refused is None:
            return None
        size_mb = _megabytes(refused.size) if refused.size is not None else ""
        if request.path_info.startswith("/api/"):  # the API's one error shape, in JSON
            message = gettext("The request is too large: the limit is {limit} MB.").format(
                limit=_megabytes(refused.limit)
            )
            return JsonResponse({"code": "too_large", "message": message, "errors": []}, status=413)
        return render(
            request,
            "413.html",
            {
                "size_mb": size_mb,
                "limit_mb": _megabytes(refused.limit),
            },
            status=413,
        )

    @staticmethod
    def _limits(request: HttpRequest) -> tuple[int, int]:
        """The bytes a body to this URL may have, and the limit to name in a refusal."""
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        if name in settings.KLYNGE_UPLOAD_URL_NAMES:
            # A contract's PDF has its own, smaller limit; the imports take the import's.
            file_limit = int(
                settings.KLYNGE_CONTRACT_MAX_BYTES
                if name == "contract-document"
                else settings.KLYNGE_IMPORT_MAX_BYTES
            )
            return file_limit + int(settings.KLYNGE_UPLOAD_FORM_BYTES), file_limit
        return int(settings.KLYNGE_REQUEST_MAX_BYTES), int(settings.KLYNGE_REQUEST_MAX_BYTES)

    @staticmethod
    def _read_counting(stream: IO[bytes], limit: int) -> tuple[IO[bytes] | None, int]:
        """
        The body of unknown length and its size; stops reading once past `limit`.

        Kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, in a temporary file
        beyond (only an import's limit is that large). None for an empty body.
        """
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            return None, 0
        spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed when the request ends
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
        )
        size = 0
        while chunk:
            size += len(chunk)
            if size > limit:
                spool.close()
                return None, size
            spool.write(chunk)
            chunk = stream.read(min(READ_CHUNK, limit + 1 - size))
        spool.seek(0)
        return spool, size

    @staticmethod
    def _refuse(request: HttpRequest, refused: RefusedBody) -> None:
        setattr(request, "_stream", LimitedStream(io.BytesIO(), 0))  # noqa: B010
        request.META["CONTENT_LENGTH"] = "0"
        setattr(request, REFUSED, refused)
        security_log.warning(
            "Request body refused (413): %s to %s; the limit is %s bytes.",
            "no length given" if refused.size is None else f"{refused.size} bytes",
            request.path,
            refused.limit,
        )


class LanguageMiddleware:
    """
    Activate the language of the switch's cookie, else LANGUAGE_CODE (Danish).

    Unlike Django's LocaleMiddleware this ignores the browser's
    Accept-Language: a Danish municipality's staff with an English browser
    still get the Danish interface until they choose English themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


class NoStoreMiddleware:
    """
    `Cache-Control: no-store` on every response to a signed-in user (ASVS 14.3.2).

    A page or a download (XLSX, CSV, PDF, ZIP) for a user holds what that user
    may see, so no browser or proxy may keep a copy. A request counts as a
    user's when it carries the session cookie (so the answer to a logout or to
    an expired session is covered too) or the user signed in during it. The
    directive is added to what the response already says; nothing is stricter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or request.user.is_authenticated:
            patch_cache_control(response, no_store=True)
        return response

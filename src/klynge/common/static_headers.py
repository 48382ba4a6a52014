"""The security headers of a page, for the static files whitenoise serves."""

from __future__ import annotations

from wsgiref.headers import Headers

from csp.utils import build_policy
from django.conf import settings


def static_file_headers(headers: Headers, path: str, url: str) -> None:
    """
    Give a static file the headers every page gets (WHITENOISE_ADD_HEADERS_FUNCTION).

    whitenoise answers before django-csp and XFrameOptionsMiddleware see the
    request, so the policy and the frame refusal are added here; the others
    are what SecurityMiddleware sends, set here too so that a static file
    keeps them wherever whitenoise sits in MIDDLEWARE. HSTS stays with
    SecurityMiddleware, which sends it on HTTPS only.
    """
    policy = build_policy()
    if policy:
        headers["Content-Security-Policy"] = policy
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["X-Content-Type-Options"] = "nosniff"
    referrer = settings.SECURE_REFERRER_POLICY
    if referrer:
        headers["Referrer-Policy"] = referrer if isinstance(referrer, str) else ",".join(referrer)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY

"""
Production: secrets and hosts from the environment, secure cookies, HSTS.

The default of the `klynge` command and of wsgi.py when DJANGO_SETTINGS_MODULE
is not set. Set SECRET_KEY and ALLOWED_HOSTS (comma-separated); without them
nothing starts.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from klynge.common.static_headers import static_file_headers
from klynge.config.settings import base
from klynge.config.settings.base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. The production settings (klynge.config.settings.production) "
            "read SECRET_KEY and ALLOWED_HOSTS from the environment; they are used whenever "
            "DJANGO_SETTINGS_MODULE is not set. On a developer's machine set "
            "DJANGO_SETTINGS_MODULE=klynge.config.settings.dev (as `make run` does)."
        )
    return value


SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
DEBUG = False
# Two-factor login is required for the secretariat and everyone who approves or
# registers money (base.py reads KLYNGE_REQUIRE_2FA, default on).
KLYNGE_REQUIRE_2FA = env_flag("KLYNGE_REQUIRE_2FA", default=True)  # noqa: F405
SECURE_SSL_REDIRECT = True
# Behind a reverse proxy that ends TLS (KLYNGE_TRUSTED_PROXY_COUNT > 0), the proxy says
# the scheme in X-Forwarded-Proto, and must overwrite whatever a client sent in it (README).
if base.KLYNGE_TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies over HTTPS only. The __Host- prefix makes a browser refuse a cookie of
# that name unless it is Secure, for Path=/ and without Domain, so no other host
# (a subdomain) can set or shadow the session or the CSRF cookie.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = None
# whitenoise serves the collected static files, right after SecurityMiddleware (so
# the body limit stays first), with the pages' security headers.
_SECURITY = base.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    *base.MIDDLEWARE[: _SECURITY + 1],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *base.MIDDLEWARE[_SECURITY + 1 :],
]
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

"""
Production: secrets and hosts from the environment, secure cookies, HSTS.

Select with DJANGO_SETTINGS_MODULE=klynge.config.settings.production and set
SECRET_KEY and ALLOWED_HOSTS (comma-separated).
"""

from __future__ import annotations

import os

from klynge.common.static_headers import static_file_headers
from klynge.config.settings import base
from klynge.config.settings.base import *  # noqa: F403

SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["ALLOWED_HOSTS"].split(",") if h.strip()]
DEBUG = False
# Two-factor login is required for the secretariat and everyone who approves or
# registers money (base.py reads KLYNGE_REQUIRE_2FA, default on).
KLYNGE_REQUIRE_2FA = env_flag("KLYNGE_REQUIRE_2FA", default=True)  # noqa: F405
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
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

"""
Production settings for the page benchmark, served over plain HTTP on 127.0.0.1.

Production redirects HTTP to HTTPS (SECURE_SSL_REDIRECT) and does not trust a
proxy header (no SECURE_PROXY_SSL_HEADER), so an `X-Forwarded-Proto: https`
header would change nothing; the redirect is turned off here instead. Everything
else is production's: DEBUG off, secure cookies, whitenoise with the manifest
storage, the same middleware. The URLs add `/bench-hello/` (pages_site.urls).
"""

from __future__ import annotations

from klynge.config.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
ROOT_URLCONF = "pages_site.urls"

"""
Settings shared by every environment.

The database comes from DATABASE_URL (sqlite:///PATH or postgres://...);
the default is an SQLite file under var/ in the working directory.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KLYNGE_VAR_DIR", Path.cwd() / "var"))


def env_flag(name: str, default: bool) -> bool:
    """An on/off setting from the environment: 1/true/yes/on or 0/false/no/off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # First, so that its createsuperuser (usernames restricted) replaces Django's.
    "klynge.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "rules",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # its Swagger UI files, served locally (no CDN)
    "klynge.common",
    "klynge.audit",
    "klynge.masterdata",
    "klynge.financing",
    "klynge.collection",
    "klynge.participation",
    "klynge.funding",
    "klynge.contracts",
    "klynge.reports",
    "klynge.demo",
    "klynge.web",
    "klynge.api",
]

# The body limit comes first: nothing may read a body before its size is known
# (the CSRF check parses a whole form). Production inserts whitenoise right after
# SecurityMiddleware (settings/production.py).
MIDDLEWARE = [
    "klynge.common.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "klynge.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "klynge.accounts.middleware.SessionRefreshMiddleware",
    "klynge.common.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "klynge.common.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "klynge.accounts.middleware.SessionCapMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "klynge.accounts.middleware.TwoFactorMiddleware",
    "klynge.accounts.middleware.SecurityEventMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "klynge.config.urls"
WSGI_APPLICATION = "klynge.config.wsgi.application"

# Templates are parsed once per process and kept (the cached loader, named
# here so that it never depends on Django's defaults); development with DEBUG
# reads them anew on every render (settings/dev.py).
KLYNGE_TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "loaders": [("django.template.loaders.cached.Loader", KLYNGE_TEMPLATE_LOADERS)],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "klynge.common.context_processors.navigation",
                "klynge.demo.context_processors.demo_flag",
                "klynge.accounts.context_processors.user_role",
            ],
        },
    },
]

# Connections stay open between requests (a new one made light pages 2,5-3x
# slower, issue 11); the health check replaces one that the server has closed
# before it is reused. KLYNGE_CONN_MAX_AGE=0 closes each at the end of a request.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'klynge.sqlite3'}"),
        conn_max_age=int(os.environ.get("KLYNGE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# SQLite: write-ahead log (readers never wait for the writer), fsync only at
# checkpoints (a power cut can lose the last commits, never corrupt the file),
# wait up to 5 s for a lock, keep up to 32 MB of pages in memory per connection
# (an import of 100.000 rows updates several indexes), and take the write lock
# when a transaction starts so that two writers queue instead of failing with
# "database is locked".
# Django turns foreign keys on itself. An in-memory database ignores the WAL.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
                "PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, except that it leaves `klynge.*` names to the rules
    # without reading the permission tables.
    "klynge.accounts.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A reset link works for one hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: 30 minutes of inactivity ends a session, and SessionCapMiddleware
# ends any session 12 hours after login. SessionRefreshMiddleware renews the
# expiry (a write) at most once a minute, not on every request, so an idle
# session ends 29-30 minutes after its last request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = 60
SESSION_ABSOLUTE_MAX_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF or the language cookie. Production sends all three
# cookies over HTTPS only and names the session and CSRF cookies __Host-.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Brute force (reliability A2, ASVS 6.3.1): 5 failures for one username from
# one IP lock that pair for 15 minutes, and KLYNGE_LOGIN_IP_FAILURE_LIMIT (50)
# failures from one IP for any usernames lock that IP for 15 minutes, so a
# password spray is stopped too (klynge.accounts.lockout). A user at another
# IP still logs in. A locked attempt is refused before the password hasher
# runs. Every failure is kept. Everyone behind one NAT address shares its IP
# count; raise the limit where many users share one address.
AXES_FAILURE_LIMIT = 5
KLYNGE_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("KLYNGE_LOGIN_IP_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "klynge.accounts.lockout.LoginThrottle"
# Behind N reverse proxies, set KLYNGE_TRUSTED_PROXY_COUNT=N: the client's address is
# then read from X-Forwarded-For (else every login would count against the proxy's).
KLYNGE_TRUSTED_PROXY_COUNT = int(os.environ.get("KLYNGE_TRUSTED_PROXY_COUNT", "0"))

# Retention (`klynge purge`, docs/security.md): the records of login attempts (username,
# IP, browser) are kept 90 days, far longer than a lockout, for investigating an attack;
# a refused import keeps its cell values 30 days, for the office to correct its file.
# Money data (requests, payments, allocation runs, the audit trail) is never purged: the
# bookkeeping act (§ 10) keeps accounting material 5 years after the financial year ends.
# `klynge demo` creates one login per role with the published password "klynge-demo"
# only where this is on: in development (settings/dev.py), never by default.
KLYNGE_DEMO_USERS = env_flag("KLYNGE_DEMO_USERS", default=False)
KLYNGE_LOGIN_RECORD_DAYS = int(os.environ.get("KLYNGE_LOGIN_RECORD_DAYS", "90"))
KLYNGE_REFUSED_BATCH_DAYS = int(os.environ.get("KLYNGE_REFUSED_BATCH_DAYS", "30"))
AXES_CLIENT_IP_CALLABLE = "klynge.accounts.lockout.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Two-factor login (klynge.accounts.two_factor): required for the secretariat,
# operators and everyone who approves or registers money. On unless
# KLYNGE_REQUIRE_2FA=0; the local demo (settings/dev.py) turns it off.
KLYNGE_REQUIRE_2FA = env_flag("KLYNGE_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Klynge"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code in a row
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a secret

# Mail (the password reset links): Django's settings, read from the environment.
# Development prints mails on the console (settings/dev.py); tests keep them
# in django.core.mail.outbox.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "klynge@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The follow-up's reminders (`klynge reminders send`): a draft is reminded this
# many days before its deadline; the mails link to KLYNGE_BASE_URL + the page.
KLYNGE_REMINDER_DAYS_BEFORE = int(os.environ.get("KLYNGE_REMINDER_DAYS_BEFORE", "14"))
KLYNGE_BASE_URL = os.environ.get("KLYNGE_BASE_URL", "http://127.0.0.1:8000")

# Content-Security-Policy on every response: only our own files, no inline
# script or style, no plugins, no <base>, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
# Figures are formatted by klynge.core (dk template filters), never by the locale,
# so a year stays 2024 and not 2.024.
USE_THOUSAND_SEPARATOR = False
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # axes keeps every attempt in its tables (AccessLog, AccessFailureLog);
    # the log shows failures and lockouts.
    # klynge.security logs logins, failed logins, logouts, password changes and resets,
    # refused requests (403) and two-factor events, one line each (accounts.security_log).
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "klynge.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# A result contract's signed PDF larger than this is refused (issue 13).
KLYNGE_CONTRACT_MAX_BYTES = int(os.environ.get("KLYNGE_CONTRACT_MAX_MB", "20")) * 1_000_000
# Participant files larger than this are refused before they are read (issue 5).
KLYNGE_IMPORT_MAX_BYTES = int(os.environ.get("KLYNGE_IMPORT_MAX_MB", "50")) * 1_000_000
# A participant file checked but neither stored nor discarded within this many hours is
# discarded by `klynge purge`, so an abandoned upload keeps no file in the database.
KLYNGE_STAGED_FILE_HOURS = int(os.environ.get("KLYNGE_STAGED_FILE_HOURS", "24"))

# Request bodies (issue 12): klynge.common.middleware.RequestBodyLimitMiddleware
# answers 413 to a body over its limit before anything reads it. The limit is
# KLYNGE_REQUEST_MAX_BYTES, except on the import URLs named here, which take a
# file of KLYNGE_IMPORT_MAX_BYTES and KLYNGE_UPLOAD_FORM_BYTES of form around it.
# The web server in front keeps the same limits (README, "Limits in front").
KLYNGE_REQUEST_MAX_BYTES = 1_000_000
KLYNGE_UPLOAD_URL_NAMES = (
    "imports",
    "payments-import",
    "contract-document",
    "api:participation-import",
)
KLYNGE_UPLOAD_FORM_BYTES = 100_000
# Django's own limits within a body: the size of the form fields (files not
# counted), the number of values in a form or query string (the largest form, the
# scenario form, has 28 fields, some taking a value per municipality ticked), and the
# files in one upload. A file over FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file;
# only the import URLs accept a body that large.
DATA_UPLOAD_MAX_MEMORY_SIZE = KLYNGE_REQUEST_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000

# Computed allocation tables, keyed by the fingerprint of their inputs (or the stored
# run): a changed input is a new key, so nothing is ever invalidated by hand. The
# default keeps the objects in each process without pickling (klynge.common.cache).
# Several processes may share one cache instead, since the values pickle, e.g.
# {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://…"}
# or Django's DatabaseCache (`klynge createcachetable`).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "allocations": {
        "BACKEND": "klynge.common.cache.ObjectCache",
        "LOCATION": "klynge-allocations",
        "OPTIONS": {"MAX_ENTRIES": 256},
    },
}

# Statistics Denmark's StatBank API (issue 14): population figures of table FOLK1A.
# `klynge population fetch` and the secretariat's page ask KLYNGE_STATBANK_URL/data,
# waiting at most KLYNGE_STATBANK_TIMEOUT seconds per attempt, KLYNGE_STATBANK_ATTEMPTS
# attempts with exponential backoff between them.
KLYNGE_STATBANK_URL = os.environ.get("KLYNGE_STATBANK_URL", "https://api.statbank.dk/v1")
KLYNGE_STATBANK_TIMEOUT = int(os.environ.get("KLYNGE_STATBANK_TIMEOUT", "20"))
KLYNGE_STATBANK_ATTEMPTS = int(os.environ.get("KLYNGE_STATBANK_ATTEMPTS", "3"))

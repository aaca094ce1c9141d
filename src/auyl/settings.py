"""Django settings for Auyl.

Everything that varies between a laptop demo and a deployment comes from the environment:

- ``AUYL_DATA_DIR``: where the SQLite database, uploads and the task queue live
  (see :mod:`auyl.paths`);
- ``DATABASE_URL``: use this database (PostgreSQL in production) instead of SQLite;
- ``AUYL_SECRET_KEY``: required in serve mode; the demo generates one in the data dir;
- ``AUYL_MODE``: ``demo`` (default), ``serve`` (secure cookies, HSTS) or ``test``;
- ``AUYL_TASKS``: ``embedded`` (default: SQLite-backed queue, consumer threads inside the
  web process), ``redis`` (Huey on Redis at ``AUYL_REDIS_URL``, run ``auyl worker`` on
  any number of machines) or ``immediate`` (tasks run inline; used by the tests).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from auyl.paths import data_dir

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
MODE = os.environ.get("AUYL_MODE", "demo")
TESTING = MODE == "test"


def _secret_key() -> str:
    configured = os.environ.get("AUYL_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("AUYL_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("AUYL_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("AUYL_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "auyl.core",
    "auyl.accounts",
    "auyl.registry",
    "auyl.jobs",
    "auyl.readiness",
    "auyl.equipment",
    "auyl.network",
    "auyl.timetable",
    "auyl.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "auyl.core.middleware.UploadSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "auyl.urls"
WSGI_APPLICATION = "auyl.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "auyl.core.context_processors.auyl",
            ],
        },
    }
]

# --- Database: SQLite in the data dir (WAL mode), or DATABASE_URL -------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "auyl.sqlite3"),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and security ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registry:dashboard"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: five failed logins lock that user+address for 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = MODE == "serve"
CSRF_COOKIE_SECURE = MODE == "serve"
if MODE == "serve":
    SECURE_HSTS_SECONDS = int(os.environ.get("AUYL_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy: everything from our own origin; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Uploads ----------------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/uploads/"
AUYL_MAX_UPLOAD_BYTES = int(os.environ.get("AUYL_MAX_UPLOAD_MB", "20")) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Aqtobe"

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# --- Background tasks (Huey) --------------------------------------------------------------
TASKS_BACKEND = os.environ.get("AUYL_TASKS", "immediate" if TESTING else "embedded")
if TASKS_BACKEND == "redis":
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "auyl",
        "url": os.environ.get("AUYL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
elif TASKS_BACKEND == "embedded":
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "auyl",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
elif TASKS_BACKEND == "immediate":
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "auyl", "immediate": True}
else:
    raise ValueError(f"AUYL_TASKS must be embedded, redis or immediate, not {TASKS_BACKEND!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"auyl": {"level": "INFO"}, "huey": {"level": "WARNING"}},
}

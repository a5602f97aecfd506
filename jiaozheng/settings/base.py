"""Settings shared by every environment, read from environment variables.

The embedded default needs no configuration: SQLite under ``var/``, Huey on SQLite, a secret key and
field-encryption key generated once and kept under ``var/``. Production (``jiaozheng.settings.production``)
refuses to start without explicit secrets. See docs/configuration.md for every variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.env import database_from_url, env_bool, env_int, env_list, env_str, sqlite_database

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JZ_VAR_DIR", str(Path.cwd() / "var"))).resolve()
# var/ holds the database, keys, uploads and job files: readable by the platform's account only. Files
# the process creates (SQLite database and journal, Huey queue, uploads) get 0600, folders 0700.
if env_bool("JZ_PRIVATE_FILES", True):
    os.umask(0o077)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    VAR_DIR.chmod(0o700)


def _persistent_secret(name: str, generator) -> str:
    """Embedded mode only: a secret generated on first start and kept in var/ (mode 600)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    value = generator()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


DEBUG = env_bool("JZ_DEBUG", False)
SECRET_KEY = env_str("JZ_SECRET_KEY") or _persistent_secret("secret_key", lambda: secrets.token_urlsafe(50))
# Field-encryption keys: comma-separated Fernet keys, newest first. Older keys only decrypt;
# `jiaozheng keys rotate` re-encrypts every field with the first key.
FIELD_ENCRYPTION_KEYS = env_list("JZ_FIELD_KEYS") or [_persistent_secret("field_key", _new_fernet_key)]
# Key for blind indexes (HMAC) that let us search encrypted ID numbers and phones by exact value.
FIELD_HASH_KEY = env_str("JZ_FIELD_HASH_KEY") or _persistent_secret(
    "field_hash_key", lambda: secrets.token_hex(32)
)

ALLOWED_HOSTS = env_list("JZ_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JZ_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "csp",
    "ninja",  # the API docs page from ninja's bundled Swagger UI files, never a CDN
    # Platform apps
    "jiaozheng.core",
    "jiaozheng.orgs",
    "jiaozheng.audit",
    "jiaozheng.people",
    "jiaozheng.contracts",
    # Service apps
    "jiaozheng.location",
    "jiaozheng.checkins",
    "jiaozheng.assessments",
    "jiaozheng.counselling",
    "jiaozheng.education",
    "jiaozheng.community",
    "jiaozheng.visits",
    "jiaozheng.supervision",
    "jiaozheng.feedback",
    "jiaozheng.indicators",
    "jiaozheng.evidence",
    "jiaozheng.dashboards",
]

AUTH_USER_MODEL = "orgs.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jiaozheng.audit.middleware.RequestIdMiddleware",
    "jiaozheng.core.middleware.RejectOversizedUrlMiddleware",
    "jiaozheng.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiaozheng.core.middleware.LanguageMiddleware",
    "jiaozheng.orgs.middleware.SessionSecurityMiddleware",
    "jiaozheng.audit.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "jiaozheng.core.headers.NoStoreMiddleware",
]

ROOT_URLCONF = "jiaozheng.urls"
WSGI_APPLICATION = "jiaozheng.wsgi.application"
ASGI_APPLICATION = "jiaozheng.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiaozheng.core.context_processors.platform",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url, conn_max_age=env_int("JZ_CONN_MAX_AGE", 60))
    if _database_url
    else sqlite_database(str(VAR_DIR / "jiaozheng.sqlite3"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiaozheng.orgs.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after inactivity (seconds) and at browser close.
SESSION_COOKIE_AGE = env_int("JZ_SESSION_AGE", 8 * 3600)
SESSION_IDLE_TIMEOUT = env_int("JZ_SESSION_IDLE", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Login throttling: this many failures per username or per address within the window lock logins.
LOGIN_MAX_FAILURES = env_int("JZ_LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW = env_int("JZ_LOGIN_FAILURE_WINDOW", 15 * 60)

LANGUAGE_CODE = env_str("JZ_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its translations in <app>/locale/zh_Hans/LC_MESSAGES/django.po
LOCALE_PATHS: list[Path] = []
TIME_ZONE = env_str("JZ_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("JZ_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("JZ_MEDIA_ROOT", str(VAR_DIR / "media")))
# The offline base map of the location map: a PMTiles or MBTiles archive of raster tiles (docs/location.md);
# empty: basemap.pmtiles or basemap.mbtiles in the data directory, if there is one.
LOCATION_BASEMAP = env_str("JZ_BASEMAP", "")
# Without an archive: an intranet XYZ tile service (URL templates with {z}/{x}/{y}, bottom layer first).
LOCATION_BASEMAP_URL = env_str("JZ_BASEMAP_URL", "")
MEDIA_URL = "/media/"  # never served publicly: files are served by scoped views only
# Files are encrypted on disk with the field keys (jiaozheng.core.storage), created 0600 in folders 0700.
STORAGES = {
    "default": {"BACKEND": "jiaozheng.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("JZ_MAX_BODY_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = env_int("JZ_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

REDIS_URL = env_str("REDIS_URL")
_huey_immediate = env_bool("JZ_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("JZ_HUEY_NAME", "jiaozheng"),
        "url": REDIS_URL,
        "immediate": _huey_immediate,
        "consumer": {"workers": env_int("JZ_HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "jiaozheng",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": _huey_immediate,
        "consumer": {"workers": env_int("JZ_HUEY_WORKERS", 2), "worker_type": "thread"},
    }

EMAIL_BACKEND = env_str("JZ_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("JZ_FROM_EMAIL", "jiaozheng@localhost")
# Notification senders beyond the in-app inbox: dotted paths of classes with send(notification).
NOTIFICATION_SENDERS = env_list("JZ_NOTIFICATION_SENDERS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("JZ_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts only from our own static files (no inline script, no
# eval), nothing from another host. Inline style attributes stay allowed (layout only). See docs/security.md.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Uploads: the largest image (width x height) any upload may have, and the most an archive (xlsx, docx)
# may expand to when unpacked; both are checked before the content is decoded.
MAX_IMAGE_PIXELS = env_int("JZ_MAX_IMAGE_PIXELS", 40_000_000)
MAX_UNPACKED_BYTES = env_int("JZ_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)

# Addresses allowed to read /metrics (Prometheus); counts only, no personal data.
METRICS_ALLOWED_IPS = env_list("JZ_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# Platform identity shown in the top bar.
JZ_PLATFORM_NAME = _("Jiaozheng community-corrections platform")

"""Settings for the test suite: fast hashing, tasks run inline, temporary var/ directory."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("JZ_VAR_DIR", tempfile.mkdtemp(prefix="jz-test-var-"))
os.environ.setdefault("JZ_HUEY_IMMEDIATE", "1")
os.environ.setdefault("JZ_FIELD_KEYS", "pEt-_KchY7svGwsnAFkSk167gQZH6SyJLDKMzcj_TFw=")
os.environ.setdefault("JZ_FIELD_HASH_KEY", "test-hash-key-not-for-production")

from jiaozheng.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "jiaozheng.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

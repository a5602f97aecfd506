"""Uploaded and generated files encrypted on disk with the field keys (JZ_FIELD_KEYS).

``EncryptedFileSystemStorage`` is the default storage: every FileField (vouchers, visit attachments,
activity photos, materials, assessment source files, job files, report files) is written as
``MAGIC + Fernet token`` and decrypted when opened, so views that serve a file to an authorised user
(``field.open()``) get the clear content and the media folder holds none. Files written before encryption
was turned on (no MAGIC) are read as they are, and ``jiaozheng keys rotate`` encrypts them and re-encrypts
the others with the newest key. Files are created 0600 in folders 0700 (settings FILE_UPLOAD_*).
"""

from __future__ import annotations

import os

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

MAGIC = b"JZENC1\n"


def encrypt_bytes(data: bytes) -> bytes:
    from jiaozheng.core.fields import fernet

    return MAGIC + fernet().encrypt(data)


def decrypt_bytes(data: bytes) -> bytes:
    from cryptography.fernet import InvalidToken
    from django.core.exceptions import ImproperlyConfigured

    from jiaozheng.core.fields import fernet

    if not data.startswith(MAGIC):
        return data  # written before files were encrypted; `keys rotate` encrypts it
    try:
        return fernet().decrypt(data[len(MAGIC) :])
    except InvalidToken:
        raise ImproperlyConfigured("a stored file cannot be decrypted with the configured JZ_FIELD_KEYS")


class EncryptedFileSystemStorage(FileSystemStorage):
    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written through save(), not opened for writing")
        with open(self.path(name), "rb") as handle:
            data = decrypt_bytes(handle.read())
        file = ContentFile(data, name=name)
        file.mode = "rb"
        return file

    def _save(self, name: str, content: File) -> str:
        content.seek(0) if hasattr(content, "seek") else None
        data = content.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return super()._save(name, ContentFile(encrypt_bytes(data)))

    def size(self, name: str) -> int:
        """The size of the clear content (what a download delivers)."""
        with open(self.path(name), "rb") as handle:
            head = handle.read(len(MAGIC))
        if head != MAGIC:
            return os.path.getsize(self.path(name))
        return len(self._open(name).read())

    def rotate(self, name: str) -> bool:
        """Re-encrypt one stored file with the newest key (encrypting it if it was clear)."""
        from jiaozheng.core.fields import fernet

        path = self.path(name)
        with open(path, "rb") as handle:
            data = handle.read()
        rotated = MAGIC + (
            fernet().rotate(data[len(MAGIC) :]) if data.startswith(MAGIC) else fernet().encrypt(data)
        )
        tmp = path + ".rotating"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(rotated)
        os.replace(tmp, path)
        return True

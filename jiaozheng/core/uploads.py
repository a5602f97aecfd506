"""Limits every upload is held to before its content is decoded: image pixels and archive expansion.

A small file can stand for a huge image (a 20000x20000 PNG compresses to kilobytes) or a huge archive
(an xlsx "zip bomb" expanding a thousandfold). Both are refused from their headers, and archives are
also measured while unpacking, so that forged size fields do not help. The messages say what the limit is.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_filename(name: str, *, max_length: int = 100) -> str:
    """A display and download name without paths, control characters or characters Windows refuses."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"\s+", " ", name)
    if not name:
        return "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 8:
            name = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            name = name[:max_length]
    return name


def read_limited(upload: Any, limit: int) -> bytes:
    """The whole upload, refused (ValidationError) if it is larger than ``limit`` bytes or empty."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": _mb(limit)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": _mb(limit)})
    if not data:
        raise ValidationError(_("The file is empty."))
    return data


def _mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}"


def max_image_pixels() -> int:
    return int(getattr(settings, "MAX_IMAGE_PIXELS", 40_000_000))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "MAX_UNPACKED_BYTES", 50 * 1024 * 1024))


def image_pixels_problem(content: bytes, *, limit: int | None = None) -> str | None:
    """Why an image is refused for its size in pixels (read from its header only), else None.

    Content that Pillow cannot identify is not judged here (the caller's format check refuses it)."""
    from PIL import Image

    limit = limit or max_image_pixels()
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        return _("The image is too large: at most %(mp)s million pixels.") % {"mp": limit // 1_000_000}
    except Exception:  # not an image Pillow knows: left to the format check
        return None
    if width * height > limit:
        return _("The image is too large (%(w)s×%(h)s pixels): at most %(mp)s million pixels.") % {
            "w": width,
            "h": height,
            "mp": limit // 1_000_000,
        }
    return None


def zip_expansion_problem(content: bytes, *, limit: int | None = None) -> str | None:
    """Why a zip archive (xlsx, docx) is refused for what it expands to, else None.

    The declared sizes are summed first; then every member is decompressed in chunks and counted, and the
    reading stops as soon as the limit is passed (a forged size field does not get further)."""
    limit = limit or max_unpacked_bytes()
    too_big = _("The file expands to more than %(mb)s MB when unpacked; it cannot be read.") % {
        "mb": limit // (1024 * 1024)
    }
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > 10_000:
                return _("The file holds too many parts (%(n)s).") % {"n": len(members)}
            if sum(info.file_size for info in members) > limit:
                return too_big
            total = 0
            for info in members:
                with archive.open(info) as stream:
                    while True:
                        chunk = stream.read(_CHUNK)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > limit:
                            return too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return _("The file is not a valid archive (xlsx/docx).")
    except RuntimeError:  # encrypted members
        return _("The file is protected by a password; it cannot be read.")
    return None

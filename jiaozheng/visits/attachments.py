"""Validation of visit attachments: the type is read from the content, never trusted from the client.

Accepted: JPEG, PNG and WebP photos (opened and verified with Pillow, at most 40 megapixels), PDF
documents and Word (DOCX) files. The extension must match the content; names are reduced to a safe base
name. The size limit is the rule ``visits.attachment_max_mb``.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiaozheng.core.uploads import zip_expansion_problem

MAX_PIXELS = 40_000_000
EXTENSIONS = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def safe_name(name: str) -> str:
    """The base name without directories, control characters or path tricks; at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name).strip(" .")
    if not name:
        name = "file"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110 - len(ext)] + dot + ext) if dot and len(ext) <= 8 else name[:120]
    return name


def sniff(content: bytes) -> str | None:
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                total = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names and total < 200 * 2**20:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def check_upload(name: str, content: bytes, *, max_bytes: int) -> CheckedFile:
    """Validate one uploaded file; raise ValidationError with a reader-facing reason."""
    clean = safe_name(name)
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": clean})
    if len(content) > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(mb)s MB.") % {"name": clean, "mb": max_bytes // 2**20}
        )
    content_type = sniff(content)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a photo (JPEG, PNG, WebP), a PDF or a Word (DOCX) file.") % {"name": clean}
        )
    lower = clean.lower()
    if not lower.endswith(EXTENSIONS[content_type]):
        raise ValidationError(
            _("The name of %(name)s does not match its content (%(ext)s expected).")
            % {"name": clean, "ext": EXTENSIONS[content_type][0]}
        )
    if content_type.startswith("image/"):
        _check_image(clean, content)
    elif content_type.endswith("wordprocessingml.document"):
        problem = zip_expansion_problem(content)
        if problem:
            raise ValidationError(f"{clean}: {problem}")
    return CheckedFile(clean, content_type, len(content), hashlib.sha256(content).hexdigest(), content)


def _check_image(name: str, content: bytes) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("%(name)s has too many pixels.") % {"name": name})
            image.verify()
    except ValidationError:
        raise
    except Exception:  # Pillow raises many types for broken or hostile files
        raise ValidationError(_("%(name)s is not a readable image.") % {"name": name})

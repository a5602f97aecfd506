"""Validated uploads: course materials (evidence photos: jiaozheng.core.photos).

Nothing the browser says about a file is trusted: the type is read from the content (magic bytes, a
Pillow decode, the OOXML package parts), the size is capped, the stored name is random, the shown name
is cleaned.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiaozheng.core.uploads import image_pixels_problem, read_limited, safe_filename, zip_expansion_problem

# extension -> (content type, family)
MATERIAL_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    "doc": ("application/msword", "ole"),
    "ppt": ("application/vnd.ms-powerpoint", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "txt": ("text/plain; charset=utf-8", "text"),
    "jpg": ("image/jpeg", "image"),
    "jpeg": ("image/jpeg", "image"),
    "png": ("image/png", "image"),
    "mp4": ("video/mp4", "mp4"),
    "mp3": ("audio/mpeg", "mp3"),
}
OOXML_PART = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}


def material_max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_material(upload: Any) -> CheckedFile:
    """Validate a course material; raise ValidationError with a reader-facing reason."""
    name = safe_filename(getattr(upload, "name", "") or "")
    ext = extension_of(name)
    if ext not in MATERIAL_TYPES:
        raise ValidationError(
            _("This type of file cannot be attached. Allowed: %(types)s.")
            % {"types": ", ".join(sorted({e for e in MATERIAL_TYPES if e != "jpeg"}))}
        )
    data = read_limited(upload, material_max_bytes())
    content_type, family = MATERIAL_TYPES[ext]
    if not _content_matches(family, ext, data):
        raise ValidationError(_("The content of the file does not match its type (.%(ext)s).") % {"ext": ext})
    problem = (
        zip_expansion_problem(data)
        if family == "ooxml"
        else image_pixels_problem(data)
        if family == "image"
        else None
    )
    if problem:
        raise ValidationError(problem)
    return CheckedFile(name, ext, content_type, data, hashlib.sha256(data).hexdigest())


def _content_matches(family: str, ext: str, data: bytes) -> bool:
    if family == "pdf":
        return data[:5] == b"%PDF-"
    if family == "ole":
        return data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    if family == "ooxml":
        if not zipfile.is_zipfile(io.BytesIO(data)):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if sum(i.file_size for i in zf.infolist()) > 500 * 1024 * 1024:
                    return False  # a zip bomb
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_PART[ext]) for n in names)
    if family == "text":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                return False
        return "\x00" not in text
    if family == "image":
        return _image_format(data) in ({"JPEG"} if ext in ("jpg", "jpeg") else {"PNG"})
    if family == "mp4":
        return data[4:8] == b"ftyp"
    if family == "mp3":
        return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and (data[1] & 0xE0) == 0xE0)
    return False


def _image_format(data: bytes) -> str | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format
    except Exception:  # any decoding problem means "not an image we accept"
        return None


def content_disposition(name: str, *, inline: bool = False) -> str:
    """A Content-Disposition header value that works for Chinese names (RFC 6266 / 5987)."""
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "ignore").decode() or "file"
    ascii_name = ascii_name.replace('"', "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"

"""Evidence photos (留档) shared by the service apps: one abstract model, the upload check, attach, delete, serve.

A photo is decoded and re-encoded as JPEG at upload (no EXIF metadata such as positions, no payload hidden
in the original file), stored under a random name in its app's folder, with a thumbnail, and served only by
the owning app's scoped view. The concrete models (education.SessionPhoto, community.ActivityPhoto) add the
foreign key to what the photo documents, the scope rule and the Meta.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.core.audited import AuditedModel
from jiaozheng.core.uploads import read_limited, safe_filename

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 2560
THUMB_SIDE = 360


def photo_upload_path(instance: models.Model, filename: str) -> str:
    """``<app label>/photos/YYYY/MM/<random>.jpg``: nothing of the uploaded name is kept in the path."""
    return f"{instance._meta.app_label}/photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class EvidencePhoto(AuditedModel):
    """An evidence photo and its thumbnail (both re-encoded JPEG), with who uploaded it and when."""

    image = models.FileField(upload_to=photo_upload_path)
    thumb = models.FileField(upload_to=photo_upload_path)
    name = models.CharField(gettext_lazy("file name"), max_length=120)
    caption = models.CharField(gettext_lazy("caption"), max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.caption or self.name


# --- the upload check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    image: bytes  # re-encoded JPEG
    thumb: bytes
    width: int
    height: int
    sha256: str  # of the original upload


def check_photo(upload: Any) -> CheckedPhoto:
    """Decode an evidence photo (JPEG, PNG or WebP), then re-encode it and a thumbnail as JPEG."""
    from PIL import Image, ImageOps

    name = safe_filename(getattr(upload, "name", "") or "photo.jpg")
    data = read_limited(upload, PHOTO_MAX_BYTES)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP"):
                raise ValidationError(_("Only JPEG, PNG or WebP photos can be uploaded."))
            width, height = probe.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened).convert("RGB")
    except ValidationError:
        raise
    except Exception:  # truncated or malformed files, decompression bombs
        raise ValidationError(_("The file is not a readable photo."))
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    return CheckedPhoto(
        name=name,
        image=out.getvalue(),
        thumb=thumb_out.getvalue(),
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


P = TypeVar("P", bound=EvidencePhoto)


# --- services ------------------------------------------------------------------------------------------------


def attach_photo(
    photo: P,
    *,
    siblings: QuerySet[Any],
    upload: Any,
    caption: Any = "",
    uploaded_by: Any = None,
    max_photos: int,
    too_many: str,
    duplicate: str,
) -> P:
    """Check ``upload`` and save it as ``photo`` (an unsaved instance already pointing at what it documents).

    ``siblings`` are the photos of the same record: at most ``max_photos`` of them (else ``too_many``), none
    with the same original content (else ``duplicate``). The caller holds the record's lock and the
    transaction; the files are written before the row, so a refused upload leaves nothing behind."""
    if siblings.count() >= max_photos:
        raise ValidationError(too_many)
    checked = check_photo(upload)
    if siblings.filter(sha256=checked.sha256).exists():
        raise ValidationError(duplicate)
    photo.name = checked.name
    photo.caption = str(caption or "").strip()[:200]
    photo.width = checked.width
    photo.height = checked.height
    photo.sha256 = checked.sha256
    photo.uploaded_by = uploaded_by
    photo.image.save("photo.jpg", ContentFile(checked.image), save=False)
    photo.thumb.save("thumb.jpg", ContentFile(checked.thumb), save=False)
    photo.save()
    return photo


def delete_photo(photo: EvidencePhoto) -> None:
    """Delete the row now (audited) and its two files once the transaction has committed."""
    files = [photo.image.name, photo.thumb.name]
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])


# --- views ---------------------------------------------------------------------------------------------------


def photo_response(request: HttpRequest, photo: EvidencePhoto, size: str) -> HttpResponseBase:
    """The photo (or its thumbnail for ``size == "thumb"``) as a private JPEG; the 404 page if the file is gone.

    The caller has already fetched ``photo`` through the scoped manager."""
    field = photo.thumb if size == "thumb" else photo.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        return render(request, "404.html", status=404)
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response

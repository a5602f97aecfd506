"""Upload checks: names, types read from the content, sizes."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jiaozheng.core.photos import check_photo
from jiaozheng.education.uploads import check_material, content_disposition, safe_filename


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\讲义（第一课）.pdf", "讲义（第一课）.pdf"),
        ("a<b>:c|d?.docx", "a_b_c_d_.docx"),
        ("   ", "file"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_safe_filenames(raw, clean):
    assert safe_filename(raw) == clean


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_types_are_read_from_the_content(settings):
    assert check_material(SimpleUploadedFile("a.docx", _docx())).content_type.endswith(
        "wordprocessingml.document"
    )
    assert check_material(SimpleUploadedFile("a.txt", "学习心得".encode("gb18030"))).extension == "txt"
    assert (
        check_material(SimpleUploadedFile("v.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20)).extension
        == "mp4"
    )
    for name, data in (
        ("a.docx", b"PK\x03\x04 not really a zip"),
        ("a.pptx", _docx()),  # a Word package named as PowerPoint
        ("a.exe", b"MZ\x90\x00"),
        ("a.pdf", b""),
        ("a.jpg", b"%PDF-1.4"),
    ):
        with pytest.raises(ValidationError):
            check_material(SimpleUploadedFile(name, data))
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        check_material(SimpleUploadedFile("a.pdf", b"%PDF-1.4 and more than ten bytes"))


def test_photos_are_decoded_and_shrunk():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 200, 10)).save(out, "PNG")
    photo = check_photo(SimpleUploadedFile("大.png", out.getvalue()))
    assert (photo.width, photo.height) == (2560, 1920)
    assert Image.open(io.BytesIO(photo.thumb)).size[0] <= 360
    with pytest.raises(ValidationError):
        check_photo(SimpleUploadedFile("bad.jpg", b"\xff\xd8\xff\xe0 truncated"))


def test_content_disposition_keeps_chinese_names():
    header = content_disposition("讲义.pdf")
    assert header.startswith("attachment;") and "filename*=UTF-8''%E8%AE%B2%E4%B9%89.pdf" in header

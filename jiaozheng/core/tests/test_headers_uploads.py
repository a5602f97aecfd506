"""Headers and sessions: no-store on personal data, CSP, tokens ending with the password, upload limits."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from jiaozheng.core.imports import FileProblem, read_table
from jiaozheng.core.testing.world import PASSWORD
from jiaozheng.core.uploads import image_pixels_problem, zip_expansion_problem


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _zip_bomb(unpacked_mb: int, *, forge_sizes: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (unpacked_mb * 1024 * 1024))
    data = out.getvalue()
    if forge_sizes:  # claim 1 byte uncompressed in the central directory (a hostile archive)
        buf = bytearray(data)
        i = buf.rfind(b"PK\x01\x02")
        while i != -1:
            name_len = int.from_bytes(buf[i + 28 : i + 30], "little")
            if buf[i + 46 : i + 46 + name_len].startswith(b"xl/"):
                buf[i + 24 : i + 28] = (1).to_bytes(4, "little")
            i = buf.rfind(b"PK\x01\x02", 0, i)
        data = bytes(buf)
    return data


def test_pages_api_answers_and_downloads_are_not_stored_but_static_files_may_be(world, client, api_client):
    client.force_login(world.bureau_admin)
    page = client.get("/people/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store, private"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    api = api_client(world.bureau_admin).get("/api/v1/persons")
    assert api.status_code == 200
    assert "no-store" in api["Cache-Control"]
    anonymous_api = client.__class__().get("/api/v1/persons")
    assert "no-store" in anonymous_api["Cache-Control"]


def test_a_password_change_revokes_every_api_token(world, client, api_client):
    from jiaozheng.orgs.models import ApiToken

    user = world.social_worker
    phone = api_client(user)
    assert phone.get("/api/v1/persons").status_code == 200
    client.force_login(user)
    response = client.post(
        "/orgs/account/",
        {
            "form": "password",
            "old_password": PASSWORD,
            "new_password1": "Brand-new-pass-77",
            "new_password2": "Brand-new-pass-77",
        },
    )
    assert response.status_code == 302
    assert phone.get("/api/v1/persons").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked=False).exists()
    assert api_client(user).get("/api/v1/persons").status_code == 200  # a token issued afterwards works


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world, api_client):
    user = world.social_worker
    phone = api_client(user)
    user.full_name = "改名"
    user.save()
    assert phone.get("/api/v1/persons").status_code == 200


def test_an_xlsx_zip_bomb_is_refused_before_parsing_with_a_clear_message():
    with pytest.raises(FileProblem) as excinfo:
        read_table("bomb.xlsx", _zip_bomb(60))
    assert "50 MB" in str(excinfo.value.message if hasattr(excinfo.value, "message") else excinfo.value)


def test_forged_sizes_do_not_get_a_zip_bomb_through():
    bomb = _zip_bomb(60, forge_sizes=True)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) < 1000  # the headers lie
    problem = zip_expansion_problem(bomb)
    assert problem and ("50 MB" in problem or "not a valid archive" in problem)


def test_a_small_archive_passes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.xml", "<a/>")
    assert zip_expansion_problem(out.getvalue()) is None


def test_huge_images_are_refused_from_their_header():
    huge = _png(20000, 20000)
    assert len(huge) < 2 * 1024 * 1024
    assert "40 million pixels" in image_pixels_problem(huge)
    assert "7000×6000" in image_pixels_problem(_png(7000, 6000))  # above the limit, below Pillow's own
    assert image_pixels_problem(_png(800, 600)) is None


def test_a_huge_png_voucher_is_refused(world):
    from jiaozheng.contracts.services import voucher_check

    with pytest.raises(ValidationError) as excinfo:
        voucher_check("scan.png", _png(20000, 20000))
    assert "scan.png: The image is too large" in " ".join(excinfo.value.messages)
    assert voucher_check("scan.png", _png(1000, 1400)) == ("image/png", ".png")


def test_a_huge_image_is_refused_as_a_visit_attachment_and_a_docx_bomb_too():
    from jiaozheng.visits.attachments import check_upload

    with pytest.raises(ValidationError):
        check_upload("p.png", _png(20000, 20000), max_bytes=20 * 2**20)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        check_upload("r.docx", out.getvalue(), max_bytes=20 * 2**20)
    assert "MB" in " ".join(excinfo.value.messages)

"""Vouchers in bulk (issue 18, point 7): one ZIP archive of scans, each named by the voucher number of its
expenditure, attached in one job with a result per file. A refused file holds back nothing else."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.contracts import services
from jiaozheng.contracts.models import Voucher
from jiaozheng.contracts.testing import TINY_PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _spend(world, number, contract=None, actor=None):
    return services.expenditure_record(
        actor=actor or world.bureau_admin,
        contract=contract or world.contract_x,
        line=None,
        spent_on=timezone.localdate(),
        amount=120,
        description=f"支出{number}",
        voucher_no=number,
    )


def archive(files: dict[str, bytes], gbk: dict[str, str] | None = None) -> bytes:
    """A ZIP of ``files``; the names in ``gbk`` (placeholder -> real name) are stored as Chinese Windows
    stores them: GBK bytes without the UTF-8 flag."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    data = out.getvalue()
    for placeholder, real in (gbk or {}).items():
        encoded = real.encode("gbk")
        assert len(encoded) == len(placeholder)
        data = data.replace(placeholder.encode("ascii"), encoded)
    return data


def test_each_scan_goes_to_the_expenditure_of_its_voucher_number_and_each_file_has_a_result(world):
    first, second, third = _spend(world, "记-001"), _spend(world, "记-002"), _spend(world, "记-003")
    other_county = _spend(world, "记-001", contract=world.contract_y, actor=world.supervisor_y)
    content = archive(
        {
            "记-001.pdf": TINY_PDF,
            "扫描件/记-001_2.png": PNG,  # a second page of the same voucher, in a folder
            "记-002 (2).jpg": b"not a scan at all",
            "记-999.pdf": TINY_PDF + b"%other",
            "XX-003.pdf": TINY_PDF + b"%third",
            "__MACOSX/._记-001.pdf": b"resource fork",
            ".DS_Store": b"x",
        },
        gbk={"XX-003.pdf": "记-003.pdf"},
    )
    result = services.vouchers_attach_archive(
        actor=world.bureau_admin, contract=world.contract_x, content=content
    )
    by_file = {r["file"]: r for r in result["files"]}
    assert set(by_file) == {"记-001.pdf", "扫描件/记-001_2.png", "记-002 (2).jpg", "记-999.pdf", "记-003.pdf"}
    assert [by_file[f]["ok"] for f in ("记-001.pdf", "扫描件/记-001_2.png", "记-003.pdf")] == [True] * 3
    assert first.vouchers.count() == 2 and third.vouchers.count() == 1
    assert (
        not by_file["记-002 (2).jpg"]["ok"]
        and "not a PDF, JPEG or PNG" in by_file["记-002 (2).jpg"]["message"]
    )
    assert second.vouchers.count() == 0
    assert not by_file["记-999.pdf"]["ok"] and "记-999" in by_file["记-999.pdf"]["message"]
    assert other_county.vouchers.count() == 0  # the same number in another contract is not this one
    assert (result["attached"], result["refused"]) == (3, 2)
    assert result["message"] == "3 of 5 files attached to their expenditures; 2 refused."

    again = services.vouchers_attach_archive(
        actor=world.bureau_admin, contract=world.contract_x, content=content
    )
    assert (
        again["attached"] == 0 and Voucher.objects.filter(expenditure__contract=world.contract_x).count() == 3
    )
    assert "already attached" in {r["file"]: r for r in again["files"]}["记-001.pdf"]["message"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really", "not a ZIP archive"),
        (TINY_PDF, "not a ZIP archive"),
        (archive({"__MACOSX/._a.pdf": b"x"}), "holds no files"),
    ],
)
def test_an_archive_that_cannot_be_read_attaches_nothing(world, content, message):
    _spend(world, "记-001")
    with pytest.raises(ValidationError) as exc:
        services.vouchers_attach_archive(actor=world.bureau_admin, contract=world.contract_x, content=content)
    assert message in " ".join(exc.value.messages)
    assert not Voucher.objects.exists()


def test_another_countys_contract_is_not_found_and_an_auditor_may_not_attach(world):
    _spend(world, "记-001")
    content = archive({"记-001.pdf": TINY_PDF})
    with pytest.raises(Http404):
        services.vouchers_attach_archive(actor=world.supervisor_y, contract=world.contract_x, content=content)
    with pytest.raises(Exception) as exc:
        services.vouchers_attach_archive(actor=world.auditor, contract=world.contract_x, content=content)
    assert type(exc.value).__name__ in {"PermissionDenied", "Http404"}
    assert not Voucher.objects.exists()


def test_the_page_runs_the_archive_as_a_job_and_lists_every_file(
    world, login, django_capture_on_commit_callbacks
):
    from django.utils import translation

    _spend(world, "记-001")
    client = login(world.bureau_admin)
    upload = io.BytesIO(archive({"记-001.pdf": TINY_PDF, "记-404.pdf": TINY_PDF + b"%x"}))
    upload.name = "十二月凭证.zip"
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/contracts/{world.contract_x.pk}/vouchers/archive/", {"archive": upload})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="job-files"' in page and "记-001.pdf" in page and "记-404.pdf" in page
    assert "已关联" in page and "逐个文件的结果" in page

    bad = io.BytesIO(b"not a zip")
    bad.name = "x.zip"
    response = client.post(f"/contracts/{world.contract_x.pk}/vouchers/archive/", {"archive": bad})
    assert response.status_code == 400

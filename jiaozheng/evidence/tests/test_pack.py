"""The evidence pack: per indicator, the records the report counts, their attachments, an index; scoped to
the maker's role, stored, downloadable by the bureau and the auditors, audited."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry
from jiaozheng.core.jobs import job_run, job_start
from jiaozheng.education import services as education
from jiaozheng.education.tests.helpers import held_session
from jiaozheng.evidence import services
from jiaozheng.evidence.models import EvidencePack
from jiaozheng.indicators.choices import IndicatorGroup
from jiaozheng.indicators.models import Indicator

pytestmark = pytest.mark.django_db


def listing_ids(zf: zipfile.ZipFile, name: str) -> list[int]:
    rows = list(csv.reader(io.TextIOWrapper(zf.open(name), encoding="utf-8-sig")))
    return [int(r[1]) for r in rows[1:]]


def index_rows(zf: zipfile.ZipFile) -> list[list[str]]:
    return list(csv.reader(io.TextIOWrapper(zf.open("index.csv"), encoding="utf-8-sig")))[1:]


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 90, 200)).save(out, "PNG")
    return SimpleUploadedFile("现场.png", out.getvalue())


@pytest.fixture
def year_with_a_session(world):
    session = held_session(world, present=(world.person_a,))
    education.session_photo_add(actor=world.social_worker, session=session, upload=_photo())
    education.session_reflect(actor=world.social_worker, session=session, text="反思：增加案例讨论")
    for code, measure in (("education", "education.sessions_held"), ("spent", "contracts.spent")):
        Indicator.objects.create(
            contract=world.contract_x,
            year=timezone.localdate().year,
            code=code,
            name=code,
            group=IndicatorGroup.OUTPUT_QUANTITY,
            measure_code=measure,
            target=Decimal("10"),
            unit="场",
            weight=Decimal("10"),
        )
    Indicator.objects.create(
        contract=world.contract_x,
        year=timezone.localdate().year,
        code="quality",
        name="服务质量",
        group=IndicatorGroup.OUTPUT_QUALITY,
        kind="qualitative",
        weight=Decimal("5"),
    )
    return session


def test_the_pack_holds_the_counted_session_with_its_plan_photos_and_sign_in_sheet(
    world, year_with_a_session
):
    session = year_with_a_session
    pack = services.pack_generate(
        actor=world.bureau_officer, contract=world.contract_x, year=timezone.localdate().year
    )
    assert pack.records >= 1 and pack.size > 0
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as zf:
        names = set(zf.namelist())
        rows = {r[1]: r for r in index_rows(zf)}
        assert listing_ids(zf, rows["education"][7]) == [session.pk]
        folder = f"records/education.session/{session.pk}/"
        assert {folder + "record.txt", folder + "signin.pdf"} <= names
        assert any(n.startswith(folder + "photo-") for n in names)
        text = zf.read(folder + "record.txt").decode()
        assert "反思：增加案例讨论" in text and "学法守法" in text
        assert zf.read(folder + "signin.pdf").startswith(b"%PDF")
        assert rows["quality"][7] == "" and rows["quality"][8]  # no records, said so
        assert "index.html" in names
    assert AuditEntry.objects.filter(verb="evidence.pack_generated", object_id=str(pack.pk)).exists()


def test_the_auditors_pack_holds_funds_only_and_packs_are_opened_by_role(world, year_with_a_session, login):
    year = timezone.localdate().year
    officer_pack = services.pack_generate(actor=world.bureau_officer, contract=world.contract_x, year=year)
    auditor_pack = services.pack_generate(actor=world.auditor, contract=world.contract_x, year=year)
    with auditor_pack.file.open("rb") as handle, zipfile.ZipFile(handle) as zf:
        rows = {r[1]: r for r in index_rows(zf)}
        assert rows["education"][7] == "" and not any(
            n.startswith("records/education") for n in zf.namelist()
        )
        assert rows["spent"][7]  # funds are listed
    auditor = login(world.auditor)
    assert auditor.get(f"/evidence/packs/{auditor_pack.pk}/download/").status_code == 200
    assert auditor.get(f"/evidence/packs/{officer_pack.pk}/download/").status_code == 404
    officer = login(world.bureau_officer)
    response = officer.get(f"/evidence/packs/{officer_pack.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert AuditEntry.objects.filter(verb="evidence.pack_downloaded", object_id=str(officer_pack.pk)).exists()
    # outside the county: not revealed; a social worker may not make one
    assert (
        login(world.bureau_officer_y).get(f"/evidence/packs/{officer_pack.pk}/download/").status_code == 404
    )
    with pytest.raises(PermissionDenied):
        services.pack_generate(actor=world.supervisor, contract=world.contract_x, year=year)


def test_the_pack_is_a_background_job_with_a_download(world, year_with_a_session, login):
    year = timezone.localdate().year
    job = job_start(
        actor=world.bureau_officer,
        kind="evidence.pack",
        title="pack",
        params={"contract": world.contract_x.pk, "year": year},
    )
    job = job_run(job.pk)
    assert job.status == "succeeded", job.result
    assert job.progress == job.total and EvidencePack.objects.filter(pk=job.result["pack"]).exists()
    assert job.result_file.name.endswith(".zip")
    # the page starts it and refuses a year outside the contract
    client = login(world.bureau_officer)
    response = client.post(f"/evidence/contracts/{world.contract_x.pk}/pack/", {"year": "1999"}, follow=True)
    assert response.status_code == 200 and EvidencePack.objects.count() == 1


def test_the_auditors_pack_brings_the_vouchers_and_nothing_of_the_people(world, year_with_a_session, login):
    """The finance auditor's pack: the expenditures with their vouchers, the hand-overs; no service record,
    no photo, no sign-in sheet. Packs of another county and packs of a contract out of scope: 404."""
    from django.apps import apps
    from django.core.files.base import ContentFile

    from jiaozheng.contracts.models import Expenditure, Voucher
    from jiaozheng.contracts.testing import TINY_PDF

    year = timezone.localdate().year
    spent = Expenditure.objects.create(
        contract=world.contract_x, spent_on=timezone.localdate(), amount=Decimal("80"), description="教材印制"
    )
    voucher = Voucher(
        expenditure=spent, original_name="发票.pdf", content_type="application/pdf", size=len(TINY_PDF)
    )
    voucher.sha256 = "1" * 64
    voucher.file.save("invoice.pdf", ContentFile(TINY_PDF), save=False)
    voucher.save()
    pack = services.pack_generate(actor=world.auditor, contract=world.contract_x, year=year)
    assert set(pack.domains) == {"finance", "performance"}
    with pack.file.open("rb") as handle, zipfile.ZipFile(handle) as zf:
        names = zf.namelist()
        assert spent.pk in listing_ids(zf, {r[1]: r for r in index_rows(zf)}["spent"][7])
        assert zf.read(f"records/contracts.expenditure/{spent.pk}/voucher-{voucher.pk}.pdf") == TINY_PDF
        folders = {n.split("/")[1] for n in names if n.startswith("records/")}
        assert folders == {"contracts.expenditure"}
        for label in folders:
            model = apps.get_model(label)
            assert model.scope_rule.domain in ("finance", "performance"), label
        assert not any(n.endswith((".jpg", "signin.pdf")) for n in names)
    # a pack of another county's contract is made by no one here: the auditor of X cannot start one for Y
    auditor = login(world.auditor)
    response = auditor.post(f"/evidence/contracts/{world.contract_y.pk}/pack/", {"year": str(year)})
    assert response.status_code == 404
    other = services.pack_generate(actor=world.bureau_officer_y, contract=world.contract_y, year=year)
    assert auditor.get(f"/evidence/packs/{other.pk}/download/").status_code == 404
    assert auditor.get(f"/evidence/packs/{2**40}/download/").status_code == 404
    assert not AuditEntry.objects.filter(verb="evidence.pack_downloaded", object_id=str(other.pk)).exists()


def test_the_command_line_writes_the_pack_and_refuses_an_unknown_contract(
    world, year_with_a_session, tmp_path
):
    from django.core.management import CommandError, call_command

    out = tmp_path / "pack.zip"
    err = io.StringIO()
    call_command(
        "report",
        "evidence",
        "--contract",
        world.contract_x.code,
        "--year",
        str(timezone.localdate().year),
        "--output",
        str(out),
        stderr=err,
    )
    assert "written:" in err.getvalue()
    with zipfile.ZipFile(out) as zf:
        rows = {r[1]: r for r in index_rows(zf)}
        assert listing_ids(zf, rows["education"][7]) == [year_with_a_session.pk]
    assert not EvidencePack.objects.exists()  # the command line writes a file, it stores no pack
    with pytest.raises(CommandError):
        call_command("report", "evidence", "--contract", "NO-SUCH", "--output", str(tmp_path / "x.zip"))

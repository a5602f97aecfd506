"""系统设置 · import pages: the set-up kinds are uploaded through the UI like the other kinds (a job, all
or nothing), with their templates to download; only a bureau administrator reaches them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jiaozheng.core.models import Job
from jiaozheng.core.testing.texts import findings, html_text
from jiaozheng.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

KINDS = ["org_units", "providers", "staff", "contracts"]
HEAD = ["所属县（区）", "单位类型", "名称", "上级单位"]


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(
        "组织机构.xlsx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_the_set_up_page_lists_the_import_kinds_in_order_with_their_templates(world, login):
    client = login(world.bureau_admin)
    page = client.get(reverse("orgs:setup"))
    assert [k.kind for k in page.context["import_kinds"]] == KINDS
    for kind in KINDS:
        assert reverse("orgs:setup_import", args=[kind]) in page.content.decode()
        template = client.get(reverse("orgs:setup_import_template", args=[kind]))
        assert template.status_code == 200
        assert "数据" in load_workbook(io.BytesIO(template.content)).sheetnames
        upload_page = client.get(reverse("orgs:setup_import", args=[kind]))
        assert upload_page.status_code == 200
        assert not findings(kind, html_text(upload_page.content), exempt=["bureau_admin"])
    assert client.get(reverse("orgs:setup_import", args=["persons"])).status_code == 404


def test_a_squadron_is_uploaded_through_the_page(world, login, django_capture_on_commit_callbacks):
    client = login(world.bureau_admin)
    upload = _xlsx([HEAD, [world.county_x.name, "中队/司法所", "桥江中队", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orgs:setup_import", args=["org_units"]), {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert OrgUnit.objects.get(name="桥江中队").parent == world.county_x


def test_a_squadron_outside_the_county_is_refused_through_the_page(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.bureau_admin)
    upload = _xlsx([HEAD, [world.county_y.name, "中队/司法所", "越权中队", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:setup_import", args=["org_units"]), {"file": upload})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert not OrgUnit.objects.filter(name="越权中队").exists()
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "所属县（区）" in page


def test_only_a_bureau_administrator_reaches_the_set_up_imports(world, login):
    for user in (world.bureau_officer, world.squadron_officer, world.social_worker):
        client = login(user)
        assert client.get(reverse("orgs:setup_import", args=["org_units"])).status_code == 403
        assert client.get(reverse("orgs:setup_import_template", args=["staff"])).status_code == 403
    assert not Job.objects.exists()


def test_the_contract_workbook_must_be_xlsx(world, login):
    client = login(world.bureau_admin)
    upload = SimpleUploadedFile("合同.csv", "合同编号\nX\n".encode(), content_type="text/csv")
    response = client.post(reverse("orgs:setup_import", args=["contracts"]), {"file": upload})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Job.objects.exists()


def test_the_superuser_uploads_the_templates_into_an_empty_database(
    db, client, django_capture_on_commit_callbacks
):
    from jiaozheng.orgs.models import ServiceProvider, User

    root = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(root)
    for kind in ("org_units", "providers", "staff", "contracts"):
        template = client.get(reverse("orgs:setup_import_template", args=[kind])).content
        upload = SimpleUploadedFile(f"{kind}.xlsx", template)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("orgs:setup_import", args=[kind]), {"file": upload})
        job = Job.objects.filter(params__kind=kind).get()
        assert job.status == Job.Status.SUCCEEDED, (kind, job.result)
    assert OrgUnit.objects.get(kind=OrgUnit.Kind.COUNTY).name == "溆浦县"
    assert ServiceProvider.objects.count() == 1
    assert User.objects.filter(username="xp_sw1", must_change_password=True).exists()

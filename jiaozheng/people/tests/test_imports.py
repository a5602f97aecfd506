"""Caseload import: all or nothing, with row/column/reason errors; 5,000 rows import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.urls import reverse

from jiaozheng.audit.models import AuditEntry
from jiaozheng.audit.services import verify_chain
from jiaozheng.core.demo import make_id_number
from jiaozheng.core.imports import run_import
from jiaozheng.people.imports import COLUMNS
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]


def _rows(n: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i * 3 + rng.randrange(0, 3))  # unique per row
        gender = "男" if i % 7 else "女"
        rows.append(
            {
                "姓名": f"导入{i}",
                "性别": gender,
                "出生日期": birth.isoformat(),
                "民族": "汉族",
                "身份证号": make_id_number("431224", birth, "male" if gender == "男" else "female", rng),
                "手机号": f"139{i:08d}",
                "文化程度": "初中",
                "就业情况": "务农",
                "居住地址": f"卢峰镇{i}号",
                "中队/司法所": "卢峰中队",
                "乡镇": "卢峰镇",
                "矫正类别": "缓刑",
                "犯罪类型": "危险驾驶",
                "矫正起始日期": "2026-01-05",
                "矫正结束日期": "2027-01-04",
                "报到日期": "2026-01-08",
                "管理等级": "普管",
            }
        )
    return rows


def _csv(rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def test_a_file_with_one_bad_row_imports_nothing_and_names_that_row(world):
    rows = _rows(20)
    rows[12]["身份证号"] = rows[12]["身份证号"][:-1] + ("1" if rows[12]["身份证号"][-1] != "1" else "2")
    before = Person.objects.count(), AuditEntry.objects.count()
    result = run_import(actor=world.squadron_officer, kind="persons", name="x.csv", content=_csv(rows))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(14, "身份证号")]  # header is row 1
    assert "check digit" in result.errors[0].message
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_unknown_squadron_wrong_choice_and_duplicate_ids_are_reported_per_row(world):
    rows = _rows(5)
    rows[0]["中队/司法所"] = "不存在中队"
    rows[1]["矫正类别"] = "拘役"
    rows[3]["身份证号"] = rows[2]["身份证号"]
    rows[3]["出生日期"], rows[3]["性别"] = rows[2]["出生日期"], rows[2]["性别"]
    result = run_import(actor=world.squadron_officer, kind="persons", name="x.csv", content=_csv(rows))
    found = {(e.row, e.column) for e in result.errors}
    assert {(2, "中队/司法所"), (3, "矫正类别"), (5, "身份证号")} <= found
    assert not Person.objects.filter(name__startswith="导入").exists()


def test_another_squadrons_staff_cannot_import_into_squadron_a(world):
    result = run_import(actor=world.social_worker_b, kind="persons", name="x.csv", content=_csv(_rows(2)))
    assert not result.ok


def test_a_good_file_of_5000_rows_imports_with_audit_entries(world):
    rows = _rows(5000)
    result = run_import(
        actor=world.squadron_officer, kind="persons", name="big.csv", content=_csv(rows, "gb18030")
    )
    assert result.ok, result.errors[:3]
    assert result.created == 5000
    assert Person.objects.filter(name__startswith="导入").count() == 5000
    assert AuditEntry.objects.filter(model="people.Person", action="bulk_create").count() == 5000
    assert verify_chain().ok


def test_xlsx_template_round_trip(world):
    from openpyxl import load_workbook

    from jiaozheng.people.imports import PERSONS

    wb = load_workbook(io.BytesIO(PERSONS.template_xlsx()))
    ws = wb.worksheets[0]
    ws.delete_rows(2)
    for row in _rows(3, seed=9):
        ws.append([row.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    result = run_import(actor=world.squadron_officer, kind="persons", name="x.xlsx", content=out.getvalue())
    assert result.ok and result.created == 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.xlsx", b"PK\x03\x04 not really a zip", "not a valid .xlsx"),
        ("x.exe", b"MZ", "Only .xlsx and .csv"),
        ("x.csv", b"", "empty"),
        ("x.csv", b"\xff\xfe\x00\x00binary\x00", "not"),
    ],
)
def test_broken_files_get_a_clear_error(world, name, content, message):
    result = run_import(actor=world.squadron_officer, kind="persons", name=name, content=content)
    assert not result.ok and message in result.errors[0].message


def test_the_import_page_runs_a_job_and_shows_the_errors(world, login, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiaozheng.core.models import Job

    client = login(world.squadron_officer)
    rows = _rows(3)
    rows[1]["性别"] = "未知"
    upload = SimpleUploadedFile("名册.csv", _csv(rows), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:person_import"), {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "性别" in page and "3" in page

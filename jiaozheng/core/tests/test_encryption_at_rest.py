"""Sensitive personal information is encrypted at rest: the raw database and the media folder hold none.

A world is filled with records whose sensitive fields carry known markers (assessment answers and
results, visit narratives, interventions, hardship help, referral reasons, counselling case texts,
discipline and class-change reasons, uploaded files) plus the persons' ID numbers and phones. Then every
table and column is read with raw SQL (SQLite or PostgreSQL, whichever runs the tests) and every file
under MEDIA_ROOT is read as bytes: none of the plaintexts may appear. The ORM still reads them back, and
the aggregated columns (validity, risk level, dates) stay plain and queryable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from jiaozheng.core.storage import MAGIC

pytestmark = pytest.mark.django_db


def _markers(prefix: str, n: int) -> list[str]:
    return [f"SECRET-{prefix}-{i}-Q7X" for i in range(n)]


def _fill(world) -> tuple[list[str], dict]:
    from jiaozheng.assessments.models import AnswerEntry, ExternalScore
    from jiaozheng.assessments.testing import make_assessment, make_external, make_flag, make_report
    from jiaozheng.counselling.testing import make_case, make_referral
    from jiaozheng.people.models import ClassChange, Discipline
    from jiaozheng.visits.models import HardshipHelp, Intervention
    from jiaozheng.visits.testing import make_attachment, make_task, make_visit

    secrets: list[str] = []

    def mark(name: str) -> str:
        value = f"SECRET-{name}-Q7X"
        secrets.append(value)
        return value

    objects = {}
    a = make_assessment(world, "A")
    a.answers = {"1": mark("ANSWER"), "2": 3}
    a.result = {"factors": {"anxiety": 2.5}, "interpretation": mark("RESULT")}
    a.validity, a.risk_level = "valid", "high"
    a.save()
    objects["assessment"] = a
    AnswerEntry.objects.create(assessment=a, origin="paper", answers={"1": mark("ENTRY")})
    flag = make_flag(world, "A")
    flag.note = mark("FLAG-NOTE")
    flag.save()
    report = make_report(world, "A")
    report.comments = mark("REPORT-COMMENTS")
    report.save()
    external = make_external(world, "A")
    external.note = mark("EXTERNAL-NOTE")
    external.save()
    ExternalScore.objects.create(result=external, dimension="焦虑", interpretation=mark("EXTERNAL-INTERP"))
    visit = make_visit(world, "A")
    for field in ("thinking", "conduct", "family", "work", "risk_note", "summary"):
        setattr(visit, field, mark(f"VISIT-{field}"))
    visit.save()
    Intervention.objects.create(
        visit=visit, kind="talk", note=mark("INTERVENTION"), decided_on=dt.date(2026, 3, 1)
    )
    HardshipHelp.objects.create(
        person=world.person_a,
        kind="material",
        given_on=dt.date(2026, 3, 2),
        given_by="民政",
        note=mark("HARDSHIP"),
    )
    task = make_task(world, "A")
    task.result = mark("TASK-RESULT")
    task.save()
    referral = make_referral(world, "A")
    referral.reason = mark("REFERRAL")
    referral.decision_note = mark("REFERRAL-DECISION")
    referral.save()
    case = make_case(world, "A")
    case.presenting_problem, case.goals, case.closing_summary = (
        mark("PROBLEM"),
        mark("GOALS"),
        mark("CLOSING"),
    )
    case.save()
    Discipline.objects.create(
        person=world.person_a, kind="admonition", reason=mark("DISCIPLINE"), decided_on=dt.date(2026, 3, 3)
    )
    ClassChange.objects.create(
        person=world.person_a, to_class="strict", effective_on=dt.date(2026, 3, 4), reason=mark("CLASS")
    )
    attachment = make_attachment(world, "A")
    attachment.file.save("note.txt", ContentFile(mark("FILE-CONTENT").encode()), save=True)
    objects["attachment"] = attachment
    for person in world.persons.values():
        secrets.append(person.id_number)
        if person.phone:
            secrets.append(person.phone)
    return secrets, objects


def _raw_database_text() -> str:
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        chunks.append(bytes(value).decode("latin-1"))
                    elif isinstance(value, (dict, list)):
                        chunks.append(json.dumps(value, ensure_ascii=False))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_no_sensitive_plaintext_in_the_raw_database_or_the_media_folder(world):
    secrets, objects = _fill(world)
    assert len(secrets) > 25
    raw = _raw_database_text()
    found = [s for s in secrets if s in raw or json.dumps(s)[1:-1] in raw]
    assert not found, f"plaintext at rest in the {connection.vendor} database: {found}"
    files = _media_files()
    assert files, "the world stores files"
    for path in files:
        data = path.read_bytes()
        assert data.startswith(MAGIC), f"{path} is not encrypted"
        leaked = [s for s in secrets if s.encode() in data]
        assert not leaked, f"{path} holds {leaked}"


def test_the_orm_reads_everything_back_and_the_aggregated_columns_stay_plain(world):
    from jiaozheng.assessments.models import Assessment

    _secrets, objects = _fill(world)
    a = Assessment.objects.get(pk=objects["assessment"].pk)
    assert a.answers["1"] == "SECRET-ANSWER-Q7X" and a.answers["2"] == 3
    assert a.result["factors"]["anxiety"] == 2.5
    assert Assessment.objects.filter(validity="valid", risk_level="high", pk=a.pk).exists()
    attachment = objects["attachment"]
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"SECRET-FILE-CONTENT-Q7X"


def test_var_files_are_private(world):
    _secrets, objects = _fill(world)
    path = Path(objects["attachment"].file.path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(settings.VAR_DIR).st_mode) == 0o700


def test_existing_plaintext_rows_are_encrypted_by_the_migration_and_stay_readable(world):
    from django.db.migrations.state import ProjectState

    from jiaozheng.core.fields import PREFIX, encrypt_existing
    from jiaozheng.people.models import Discipline
    from jiaozheng.visits.models import Visit
    from jiaozheng.visits.testing import make_visit

    visit = make_visit(world, "A")
    d = Discipline.objects.create(
        person=world.person_a, kind="admonition", reason="x", decided_on=dt.date(2026, 1, 1)
    )
    with connection.cursor() as cursor:  # rows written before encryption: clear text in the columns
        cursor.execute("UPDATE visits_visit SET thinking = %s WHERE id = %s", ["思想稳定 legacy", visit.pk])
        cursor.execute("UPDATE people_discipline SET reason = %s WHERE id = %s", ["迟到 legacy", d.pk])
    assert Visit.objects.get(pk=visit.pk).thinking == "思想稳定 legacy"  # clear legacy values still read
    from django.apps import apps as global_apps

    state_apps = ProjectState.from_apps(global_apps).apps
    editor = SimpleNamespace(connection=connection)  # the operation uses only the editor's connection
    encrypt_existing("visits", "visit", "thinking").code(state_apps, editor)
    encrypt_existing("people", "discipline", "reason").code(state_apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT thinking FROM visits_visit WHERE id = %s", [visit.pk])
        assert cursor.fetchone()[0].startswith(PREFIX)
        cursor.execute("SELECT reason FROM people_discipline WHERE id = %s", [d.pk])
        assert cursor.fetchone()[0].startswith(PREFIX)
    assert Visit.objects.get(pk=visit.pk).thinking == "思想稳定 legacy"
    assert Discipline.objects.get(pk=d.pk).reason == "迟到 legacy"
    encrypt_existing("people", "discipline", "reason").reverse_code(state_apps, editor)  # and back
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM people_discipline WHERE id = %s", [d.pk])
        assert cursor.fetchone()[0] == "迟到 legacy"


def test_an_import_upload_is_deleted_when_its_job_ends(world):
    from jiaozheng.core.jobs import _HANDLERS, job_run, job_start, register_job

    if "test.echo" not in _HANDLERS:
        register_job("test.echo")(lambda job, progress: {"message": "ok"})
    job = job_start(
        actor=world.bureau_admin,
        kind="test.echo",
        title="t",
        input_bytes=b"430000199001011234",
        input_name="in.csv",
    )
    path = Path(job.input_file.path)
    assert path.exists() and path.read_bytes().startswith(MAGIC)  # encrypted while it waits
    job = job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert not job.input_file
    assert not path.exists()


def test_keys_rotate_reencrypts_stored_files_and_encrypts_clear_ones(world, settings, capsys):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from jiaozheng.core.fields import _fernet
    from jiaozheng.visits.testing import make_attachment

    attachment = make_attachment(world, "A")
    attachment.file.save("n.txt", ContentFile(b"SECRET-ROTATE-Q7X"), save=True)
    clear = make_attachment(world, "A")
    clear.file.save("c.txt", ContentFile(b"x"), save=True)
    Path(clear.file.path).write_bytes(b"SECRET-LEGACY-CLEAR-Q7X")  # a file stored before encryption
    with clear.file.open("rb") as handle:
        assert handle.read() == b"SECRET-LEGACY-CLEAR-Q7X"
    before = Path(attachment.file.path).read_bytes()
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    _fernet.cache_clear()
    try:
        call_command("keys", "rotate")
        assert "stored files re-encrypted" in capsys.readouterr().out
        assert Path(attachment.file.path).read_bytes() != before
        assert Path(clear.file.path).read_bytes().startswith(MAGIC)
        settings.FIELD_ENCRYPTION_KEYS = [new_key]
        _fernet.cache_clear()
        call_command("keys", "check")
        with attachment.file.open("rb") as handle:
            assert handle.read() == b"SECRET-ROTATE-Q7X"
        with clear.file.open("rb") as handle:
            assert handle.read() == b"SECRET-LEGACY-CLEAR-Q7X"
    finally:
        settings.FIELD_ENCRYPTION_KEYS = [old_key]
        _fernet.cache_clear()

"""Backup and restore round trip, on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import io
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiaozheng.core import backup
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_restores_the_exact_rows_and_files(live_world, tmp_path, settings):
    # given the standard world and an uploaded file
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "jobs").mkdir(parents=True)
    (tmp_path / "media" / "jobs" / "evidence.txt").write_text("证据")
    before = backup.digests()
    # when it is backed up, then changed, then restored
    result = backup.create(tmp_path / "b.tar.gz")
    assert result.rows == sum(t["rows"] for t in before.values())
    Person.objects.filter(pk=live_world.person_b.pk).update(name="被篡改")
    (tmp_path / "media" / "jobs" / "evidence.txt").unlink()
    assert backup.digests() != before
    call_command("backup", "restore", str(tmp_path / "b.tar.gz"), "--yes")
    # then every table has the same rows and hash as before, and the file is back
    assert backup.digests() == before
    assert Person.objects.get(pk=live_world.person_b.pk).name == "乙某"
    assert (tmp_path / "media" / "jobs" / "evidence.txt").read_text() == "证据"


def test_restore_refuses_without_confirmation_and_rejects_other_files(live_world, tmp_path):
    backup.create(tmp_path / "b.tar.gz")
    with pytest.raises(CommandError, match="--yes"):
        call_command("backup", "restore", str(tmp_path / "b.tar.gz"))
    (tmp_path / "x.tar.gz").write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("backup", "restore", str(tmp_path / "x.tar.gz"), "--yes")


def test_a_backup_with_a_damaged_database_is_refused_and_changes_nothing(live_world, tmp_path):
    # given a backup whose database file was damaged after it was made
    backup.create(tmp_path / "b.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(tmp_path / "b.tar.gz", "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("db."):
                data = data[: len(data) // 3] + b"\x00garbage" * 64
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    Person.objects.filter(pk=live_world.person_b.pk).update(name="改过的名字")
    before = backup.digests()
    # when it is restored, then it fails with a message and the database is as it was
    with pytest.raises(CommandError, match="restore failed"):
        call_command("backup", "restore", str(damaged), "--yes")
    assert backup.digests() == before
    assert Person.objects.get(pk=live_world.person_b.pk).name == "改过的名字"

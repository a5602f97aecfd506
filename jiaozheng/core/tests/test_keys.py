"""Field encryption key rotation: data written under the old key stays readable and moves to the new key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from jiaozheng.core.fields import _fernet
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db


def _raw_id(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_rotation_reencrypts_every_value_with_the_newest_key(world, settings, capsys):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    person = world.person_a
    raw_before = _raw_id(person.pk)
    # given a new key placed first, with the old one kept for reading
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    _fernet.cache_clear()
    assert Person.objects.get(pk=person.pk).id_number == person.id_number  # still readable
    # when the keys are rotated
    call_command("keys", "rotate")
    assert "re-encrypted" in capsys.readouterr().out
    raw_after = _raw_id(person.pk)
    assert raw_after != raw_before
    # then the new key alone reads everything, and the old key alone reads nothing
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    _fernet.cache_clear()
    call_command("keys", "check")
    assert Person.objects.get(pk=person.pk).id_number == person.id_number
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    _fernet.cache_clear()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("keys", "check")
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    _fernet.cache_clear()

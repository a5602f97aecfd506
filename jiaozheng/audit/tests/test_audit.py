"""The audit trail: every write, whoever makes it, in a hash chain that detects tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jiaozheng.audit.models import AuditEntry
from jiaozheng.audit.services import verify_chain
from jiaozheng.core.context import acting_as
from jiaozheng.orgs.models import ServiceProvider

pytestmark = pytest.mark.django_db


def test_the_chain_of_the_standard_world_verifies(world):
    result = verify_chain()
    assert result.ok
    assert result.checked == AuditEntry.objects.count() > 50


def test_altering_one_entry_in_the_database_breaks_the_chain_at_that_entry(world):
    victim = AuditEntry.objects.order_by("id")[10]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["forged", victim.pk])
    result = verify_chain()
    assert not result.ok
    assert result.broken_id == victim.pk
    with pytest.raises(CommandError, match=f"entry {victim.pk}"):
        call_command("audit", "verify")


def test_deleting_an_entry_breaks_the_link_of_the_next(world):
    entries = list(AuditEntry.objects.order_by("id")[5:7])
    AuditEntry.objects.filter(pk=entries[0].pk).delete()
    result = verify_chain()
    assert not result.ok
    assert result.broken_id == entries[1].pk


def test_the_command_reports_an_intact_chain(world, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_a_shell_write_with_no_request_is_attributed_to_the_shell():
    ServiceProvider.objects.create(name="某社工机构")
    entry = AuditEntry.objects.get(model="orgs.ServiceProvider")
    assert entry.origin == "shell"
    assert entry.actor_label.startswith("shell:")
    assert entry.after["name"] == "某社工机构"


def test_a_job_write_is_attributed_to_its_actor_with_a_run_id(world):
    with acting_as(world.system, "job", request_id="job-42"):
        provider = ServiceProvider.objects.create(name="任务机构")
    entry = AuditEntry.objects.get(model="orgs.ServiceProvider", object_id=str(provider.pk))
    assert (entry.origin, entry.request_id, entry.actor) == ("job", "job-42", world.system)


def test_a_ui_write_carries_the_request_id_returned_to_the_client(world, login):
    client = login(world.squadron_officer)
    response = client.post(f"/people/{world.person_a.pk}/do/hardship/", {"hardship": "on", "note": "低保户"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(model="people.Person", object_id=str(world.person_a.pk)).last()
    assert entry.request_id == response["X-Request-ID"]
    assert entry.origin == "ui"
    assert entry.actor == world.squadron_officer


def test_deletes_including_cascades_are_recorded(world):
    from jiaozheng.people.services import team_member_add

    member = team_member_add(actor=world.squadron_officer, person=world.person_a, name="王五", role="family")
    member_id = member.pk
    member.delete()
    entry = AuditEntry.objects.get(model="people.TeamMember", object_id=str(member_id), action="delete")
    assert entry.before["name"] == "王五"


def test_encrypted_values_never_appear_in_clear_in_the_trail(world):
    for entry in AuditEntry.objects.filter(model="people.Person"):
        text = str(entry.before) + str(entry.after)
        assert world.person_a.id_number not in text
        assert world.person_a.phone not in text


def test_an_update_that_changes_nothing_writes_no_entry(world):
    count = AuditEntry.objects.count()
    person = type(world.person_a).objects.get(pk=world.person_a.pk)
    person.save(update_fields=["name"])
    assert AuditEntry.objects.count() == count

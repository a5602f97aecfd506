"""A person's data export for an access request: complete, decrypted, scoped, bureau administrators only, logged."""

from __future__ import annotations

import datetime as dt
import json

from jiaozheng.audit.models import AccessLog


def test_the_export_holds_the_persons_records_in_clear_and_is_logged(world, client):
    from jiaozheng.people.models import Discipline
    from jiaozheng.visits.testing import make_visit

    person = world.person_a
    Discipline.objects.create(
        person=person, kind="admonition", reason="迟到两次", decided_on=dt.date(2026, 3, 3)
    )
    visit = make_visit(world, "A")
    visit.thinking = "思想稳定"
    visit.save()
    client.force_login(world.bureau_admin)
    before = AccessLog.objects.filter(kind="export", person_id=person.pk).count()
    response = client.get(f"/people/{person.pk}/data-export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["person"]["id_number"] == person.id_number
    assert [r["reason"] for r in data["records"]["people.Discipline"]] == ["迟到两次"]
    assert any(r.get("thinking") == "思想稳定" for r in data["records"]["visits.Visit"])
    assert "password" not in json.dumps(data["records"].get("orgs.User", []))
    assert AccessLog.objects.filter(kind="export", person_id=person.pk).count() == before + 1


def test_other_roles_and_other_counties_cannot_export(world, client):
    client.force_login(world.squadron_officer)
    assert client.get(f"/people/{world.person_a.pk}/data-export/").status_code == 403
    client.force_login(world.bureau_admin)
    assert client.get(f"/people/{world.person_y.pk}/data-export/").status_code == 404

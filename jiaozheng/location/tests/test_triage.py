"""Bulk triage (many alerts, one note, each its own audited event, never a sanction) and the digest."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jiaozheng.audit.models import AuditEntry
from jiaozheng.location import services
from jiaozheng.location.choices import AlertType
from jiaozheng.location.models import Alert, AlertEvent
from jiaozheng.people.models import Discipline

TYPES = [AlertType.LOST_CONTACT, AlertType.MOCK_LOCATION, AlertType.LOW_BATTERY, AlertType.GEOFENCE_BREACH]


def _alerts(person, n=4):
    return [
        services.alert_raise(person=person, alert_type=t, severity="high", title=str(t), evidence={})
        for t in TYPES[:n]
    ]


def test_bulk_acknowledge_records_each_alert_with_its_own_event_and_audit_entry(world):
    alerts = _alerts(world.person_a) + _alerts(world.subject_person)
    ids = [a.pk for a in alerts]
    result = services.alerts_bulk(
        actor=world.squadron_officer, ids=ids, action="acknowledge", note="夜间手机静默，已电话核实"
    )
    assert sorted(result["done"]) == sorted(ids) and result["skipped"] == []
    events = AlertEvent.objects.filter(alert_id__in=ids, kind="acknowledged")
    assert events.count() == len(ids)
    assert {e.note for e in events} == {"夜间手机静默，已电话核实"}
    for event in events:
        assert AuditEntry.objects.filter(model="location.AlertEvent", object_id=str(event.pk)).exists()
    # the same action again skips them (already acknowledged) and changes nothing
    again = services.alerts_bulk(actor=world.squadron_officer, ids=ids, action="acknowledge", note="x")
    assert again["done"] == [] and sorted(again["skipped"]) == sorted(ids)


def test_a_bulk_action_can_never_sanction(world):
    alerts = _alerts(world.person_a)
    with pytest.raises(ValidationError) as exc:
        services.alerts_bulk(
            actor=world.bureau_admin,
            ids=[a.pk for a in alerts],
            action="resolve",
            outcome="admonition",
            note="一律训诫",
        )
    assert "outcome" in exc.value.message_dict
    assert Alert.objects.filter(status="new").count() == len(alerts)
    assert not Discipline.objects.exists()


def test_bulk_resolve_needs_an_outcome_and_a_note(world):
    alerts = _alerts(world.person_a, 2)
    ids = [a.pk for a in alerts]
    for kwargs in ({"outcome": "", "note": "x"}, {"outcome": "false_alarm", "note": " "}):
        with pytest.raises(ValidationError):
            services.alerts_bulk(actor=world.squadron_officer, ids=ids, action="resolve", **kwargs)
    assert Alert.objects.filter(status="new").count() == 2
    done = services.alerts_bulk(
        actor=world.squadron_officer, ids=ids, action="resolve", outcome="false_alarm", note="信号问题"
    )
    assert len(done["done"]) == 2
    assert set(Alert.objects.values_list("outcome", flat=True)) == {"false_alarm"}


def test_an_alert_out_of_scope_in_the_selection_changes_nothing(world):
    mine = _alerts(world.person_a, 2)
    theirs = _alerts(world.person_b, 1)  # squadron B
    with pytest.raises(Http404):
        services.alerts_bulk(
            actor=world.social_worker,
            ids=[a.pk for a in mine + theirs],
            action="acknowledge",
            note="已核实",
        )
    assert Alert.objects.filter(status="new").count() == 3


def test_bulk_through_the_page_and_bad_input(world, login):
    alerts = _alerts(world.person_a, 3)
    client = login(world.squadron_officer)
    page = client.get("/location/alerts/").content.decode()
    assert page.count('name="ids"') == 3
    # bad input: a message, no change, never a 5xx
    for data in ({"action": "acknowledge", "note": "x", "ids": ["abc"]}, {"action": "zap", "ids": [1]}, {}):
        response = client.post("/location/alerts/bulk/", data)
        assert response.status_code == 302
    assert Alert.objects.filter(status="new").count() == 3
    response = client.post(
        "/location/alerts/bulk/",
        {"action": "acknowledge", "note": "统一签收", "ids": [a.pk for a in alerts]},
        follow=True,
    )
    assert response.status_code == 200
    assert Alert.objects.filter(status="acknowledged").count() == 3


def test_the_morning_digest(world, login):
    from jiaozheng.core.models import Notification
    from jiaozheng.location.tasks import run_digest

    alerts = _alerts(world.person_a, 3)
    services.alert_clear(alert=alerts[0], note="恢复上报")
    page = login(world.squadron_officer).get("/location/alerts/digest/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="digest"' in body
    Notification.objects.all().delete()
    assert run_digest() >= 1
    message = Notification.objects.get(recipient=world.squadron_officer, kind="location.digest")
    assert "3" in message.title and "2" in message.title
    # staff of another county with nothing in scope get no digest
    assert not Notification.objects.filter(recipient=world.bureau_officer_y, kind="location.digest").exists()

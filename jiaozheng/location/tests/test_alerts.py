"""The alert interface: one open alert per person and type, workflow, notifications, discipline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.core.models import Notification
from jiaozheng.location import services
from jiaozheng.location.choices import AlertOutcome, AlertSeverity, AlertStatus, AlertType
from jiaozheng.location.models import Alert, AlertEvent
from jiaozheng.orgs.services import system_user
from jiaozheng.people.choices import DisciplineKind
from jiaozheng.people.models import Discipline


def _raise(person, alert_type=AlertType.LOST_CONTACT, severity=AlertSeverity.HIGH, **kw):
    return services.alert_raise(
        person=person,
        alert_type=alert_type,
        severity=severity,
        title=kw.pop("title", "未按时上报位置"),
        evidence=kw.pop("evidence", {"last_seen": timezone.now() - dt.timedelta(hours=3)}),
        **kw,
    )


def test_raise_opens_one_alert_and_notifies_the_assigned_staff(world):
    # given a person in squadron A with a squadron officer and a social worker posted there
    person = world.person_a
    # when a background job raises a lost-contact alert without an actor
    with acting_as(system_user(), "job"):
        alert = _raise(person)
    # then one new alert exists, with a "raised" event, and the squadron's staff are told
    assert alert.status == AlertStatus.NEW
    assert alert.county_id == person.county_id
    assert list(alert.events.values_list("kind", flat=True)) == ["raised"]
    told = set(
        Notification.objects.filter(kind="location.lost_contact").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"squadron_officer", "social_worker"} <= told
    assert "social_worker_b" not in told and "bureau_officer_y" not in told
    # and the evidence is stored as plain JSON
    assert isinstance(alert.evidence["last_seen"], str)


def test_a_second_raise_of_the_same_type_adds_evidence_to_the_open_alert(world):
    # given an open lost-contact alert
    first = _raise(world.person_a, severity=AlertSeverity.MEDIUM)
    notes = Notification.objects.count()
    # when the same type is raised again with more evidence and a higher severity
    again = _raise(world.person_a, severity=AlertSeverity.URGENT, evidence={"hours": 6})
    # then it is the same alert, one more event, the severity rose, and nobody is told twice
    assert again.pk == first.pk
    assert Alert.objects.filter(person=world.person_a).count() == 1
    assert again.event_count == 2
    assert again.severity == AlertSeverity.URGENT
    assert AlertEvent.objects.filter(alert=first, kind="evidence").count() == 1
    assert Notification.objects.count() == notes
    # and a different type opens its own alert
    other = _raise(world.person_a, alert_type=AlertType.MOCK_LOCATION)
    assert other.pk != first.pk


def test_after_resolution_a_new_raise_opens_a_new_alert(world):
    # given a resolved alert
    alert = _raise(world.person_a)
    services.alert_resolve(
        actor=world.squadron_officer, alert=alert, outcome=AlertOutcome.EXPLAINED, note="手机没电，已联系本人"
    )
    # when the same type is raised again
    again = _raise(world.person_a)
    # then a new alert opens
    assert again.pk != alert.pk
    assert again.status == AlertStatus.NEW


def test_bad_input_is_refused_and_changes_nothing(world):
    # given nothing; when the type, severity, title or evidence is wrong
    for kwargs in (
        {"alert_type": "teleported"},
        {"severity": "apocalyptic"},
        {"title": "  "},
        {"evidence": ["not", "a", "dict"]},
        {"occurred_at": dt.datetime(2026, 1, 1, 8, 0)},
    ):
        with pytest.raises(ValidationError):
            _raise(world.person_a, **kwargs)
    # then no alert and no notification exists
    assert not Alert.objects.exists()
    assert not Notification.objects.exists()


def test_workflow_acknowledge_escalate_resolve(world):
    # given a new alert
    alert = _raise(world.person_a)
    officer = world.squadron_officer
    # when the squadron officer acknowledges it
    alert = services.alert_acknowledge(actor=officer, alert=alert, note="正在电话联系")
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == officer
    # then it cannot be acknowledged twice
    with pytest.raises(ValidationError):
        services.alert_acknowledge(actor=officer, alert=alert)
    # when it is escalated without a note, nothing changes
    with pytest.raises(ValidationError):
        services.alert_escalate(actor=officer, alert=alert, note=" ")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    # when it is escalated with a reason, the bureau officer is told
    alert = services.alert_escalate(actor=officer, alert=alert, note="电话关机，家属不知去向")
    assert alert.status == AlertStatus.ESCALATED
    assert Notification.objects.filter(recipient=world.bureau_officer, level="urgent").exists()
    # when the bureau resolves it
    alert = services.alert_resolve(
        actor=world.bureau_officer, alert=alert, outcome=AlertOutcome.EDUCATED, note="已找到本人并教育"
    )
    assert alert.status == AlertStatus.RESOLVED and alert.outcome == AlertOutcome.EDUCATED
    kinds = list(alert.events.values_list("kind", flat=True))
    assert kinds == ["raised", "acknowledged", "escalated", "resolved"]
    # then a resolved alert cannot be resolved again
    with pytest.raises(ValidationError):
        services.alert_resolve(actor=officer, alert=alert, outcome=AlertOutcome.EXPLAINED, note="x")


def test_admonition_outcome_writes_the_discipline_record(world):
    # given an open geofence alert
    alert = _raise(world.person_a, alert_type=AlertType.GEOFENCE_BREACH, title="离开县境")
    # when the squadron officer resolves it with an admonition
    alert = services.alert_resolve(
        actor=world.squadron_officer,
        alert=alert,
        outcome=AlertOutcome.ADMONITION,
        note="谈话教育",
        facts="未经批准离开县境前往鹤城区约两小时",
        confirmed=True,
    )
    # then a 训诫 record exists for the person, sourced from this alert
    record = Discipline.objects.get(person=world.person_a)
    assert record.kind == DisciplineKind.ADMONITION
    assert record.source == Discipline.Source.ALERT
    assert (record.source_model, record.source_id) == ("location.Alert", str(alert.pk))
    assert alert.discipline_id == record.pk


def test_social_worker_may_not_decide_an_admonition_and_nothing_changes(world):
    # given an open alert in the social worker's squadron
    alert = _raise(world.person_a)
    # when the social worker tries to resolve it with an admonition
    with pytest.raises(PermissionDenied):
        services.alert_resolve(
            actor=world.social_worker, alert=alert, outcome=AlertOutcome.ADMONITION, note="违规"
        )
    # then the alert is still open and there is no discipline record
    alert.refresh_from_db()
    assert alert.is_open
    assert not Discipline.objects.exists()
    # but a plain outcome is theirs to record
    services.alert_resolve(
        actor=world.social_worker, alert=alert, outcome=AlertOutcome.EXPLAINED, note="已核实"
    )


def test_out_of_scope_and_wrong_role_are_refused(world):
    # given an alert in squadron A
    alert = _raise(world.person_a)
    # when staff of another squadron or county act on it, it does not exist for them
    for actor in (world.social_worker_b, world.bureau_officer_y):
        with pytest.raises(Http404):
            services.alert_acknowledge(actor=actor, alert=alert)
    # when roles without location rights act, they are refused
    for actor in (world.counsellor, world.auditor, world.supervisor):
        with pytest.raises((PermissionDenied, Http404)):
            services.alert_acknowledge(actor=actor, alert=alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_clear_closes_an_untouched_alert_but_leaves_a_handled_one_open(world):
    # given one untouched alert and one acknowledged alert
    untouched = _raise(world.person_a, alert_type=AlertType.GEOFENCE_BREACH)
    handled = _raise(world.person_b, alert_type=AlertType.GEOFENCE_BREACH)
    services.alert_acknowledge(actor=world.bureau_officer, alert=handled)
    # when both conditions end
    untouched = services.alert_clear(alert=untouched, note="已返回")
    handled = services.alert_clear(alert=handled, note="已返回")
    # then the untouched one is resolved as cleared, the handled one stays open but marked as ended
    assert untouched.status == AlertStatus.RESOLVED and untouched.outcome == AlertOutcome.CLEARED
    assert handled.status == AlertStatus.ACKNOWLEDGED and handled.cleared_at is not None


@pytest.mark.parametrize(
    ("facts", "confirmed"),
    [("", True), ("短", True), ("未经批准离开县境前往鹤城区约两小时", False), ("", False)],
)
def test_an_admonition_needs_the_facts_and_a_confirmation_and_nothing_changes(world, facts, confirmed):
    # given an open geofence alert
    alert = _raise(world.person_a, alert_type=AlertType.GEOFENCE_BREACH, title="离开县境")
    # when the officer picks the admonition without the facts or without confirming
    with pytest.raises(ValidationError) as exc:
        services.alert_resolve(
            actor=world.squadron_officer,
            alert=alert,
            outcome=AlertOutcome.ADMONITION,
            note="手机没电了",
            facts=facts,
            confirmed=confirmed,
        )
    # then the missing part is named, the alert is still open and nobody is sanctioned
    assert set(exc.value.message_dict) <= {"facts", "confirm"} and exc.value.message_dict
    alert.refresh_from_db()
    assert alert.is_open and alert.discipline_id is None
    assert not Discipline.objects.exists()


def test_an_outcome_must_be_chosen(world):
    alert = _raise(world.person_a)
    with pytest.raises(ValidationError) as exc:
        services.alert_resolve(actor=world.squadron_officer, alert=alert, outcome="", note="手机没电了")
    assert "outcome" in exc.value.message_dict
    alert.refresh_from_db()
    assert alert.is_open

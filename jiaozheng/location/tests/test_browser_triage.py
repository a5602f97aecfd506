"""In Debian Chromium: an officer bulk-acknowledges 20 alerts with one note; each has its event in the
audit chain."""

from __future__ import annotations

import pytest

from conftest import screenshot

NOTE = "夜间统一核实：手机充电静置，已电话联系本人"


@pytest.mark.browser
def test_officer_bulk_acknowledges_twenty_alerts_with_one_note(live_world, browser_login, live_server):
    from jiaozheng.audit.models import AuditEntry
    from jiaozheng.audit.services import verify_chain
    from jiaozheng.core.testing.world import person_data
    from jiaozheng.location import services
    from jiaozheng.location.choices import AlertType
    from jiaozheng.location.models import Alert, AlertEvent
    from jiaozheng.people.services import person_create

    # given twenty new alerts of five persons of squadron A
    persons = [
        person_create(
            actor=live_world.bureau_admin,
            data=person_data(squadron=live_world.squadron_a, township=live_world.township_a),
        )
        for _ in range(5)
    ]
    types = [AlertType.LOST_CONTACT, AlertType.LOW_BATTERY, AlertType.DEVICE_OFFLINE, AlertType.MOCK_LOCATION]
    alerts = [
        services.alert_raise(person=p, alert_type=t, severity="high", title=f"{t} {p.name}", evidence={})
        for p in persons
        for t in types
    ]
    assert len(alerts) == 20
    # when the squadron officer selects them all on the queue, chooses acknowledge and writes one note
    page = browser_login("squadron_officer")
    page.goto(f"{live_server.url}/location/alerts/?status=new")
    page.check("[data-testid=bulk-all]")
    assert page.locator("input.bulk-id:checked").count() == 20
    page.check("[data-testid=bulk-acknowledge]")
    page.fill("[data-testid=bulk-note]", NOTE)
    page.click("[data-testid=bulk-submit]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "location-bulk-acknowledged")
    # then the page says so and every alert is acknowledged, each with its own event carrying the note
    assert "20" in page.inner_text(".messages, body")
    ids = [a.pk for a in alerts]
    assert Alert.objects.filter(pk__in=ids, status="acknowledged").count() == 20
    events = list(AlertEvent.objects.filter(alert_id__in=ids, kind="acknowledged"))
    assert len(events) == 20 and {e.alert_id for e in events} == set(ids)
    assert {e.note for e in events} == {NOTE}
    assert {e.actor_id for e in events} == {live_world.squadron_officer.pk}
    # and each event is its own entry in the audit chain, which verifies
    for event in events:
        entry = AuditEntry.objects.get(model="location.AlertEvent", object_id=str(event.pk))
        assert entry.actor_id == live_world.squadron_officer.pk
    assert verify_chain().ok

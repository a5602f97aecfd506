"""考核奖惩: legal conditions, who decides, the discipline record, proposals with their ruling window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry
from jiaozheng.people.choices import DisciplineKind, Status
from jiaozheng.people.models import Discipline
from jiaozheng.supervision import services
from jiaozheng.supervision.choices import SanctionStatus
from jiaozheng.supervision.models import SanctionCase

TODAY = timezone.localdate


@pytest.fixture
def person(world):
    p = world.person_a
    p.status = Status.IN_CORRECTION
    p.judgment_effective_on = TODAY() - dt.timedelta(days=220)
    p.intake_on = TODAY() - dt.timedelta(days=210)
    p.term_end = max(p.term_end, TODAY() + dt.timedelta(days=365))
    p.save()
    return p


def _propose(world, person, kind, ground, days_out=None, actor=None, occurred=None):
    return services.sanction_propose(
        actor=actor or world.squadron_officer,
        person=person,
        kind=kind,
        ground=ground,
        facts="经核查属实",
        occurred_on=occurred or TODAY() - dt.timedelta(days=2),
        days_out=days_out,
    )


def test_admonition_then_warning_on_two_admonitions(world, person):
    # given two admonitions decided by the county
    for _ in range(2):
        case = _propose(world, person, "admonition", "minor_breach")
        case = services.sanction_decide(actor=world.bureau_officer, case=case, take=True)
        assert case.status == SanctionStatus.DECIDED and case.decided_role == "bureau_officer"
        assert Discipline.objects.get(pk=case.discipline_id).kind == DisciplineKind.ADMONITION
    # then a warning on the ground of two admonitions is possible and recorded in people
    warning = _propose(world, person, "warning", "two_admonitions")
    warning = services.sanction_decide(actor=world.bureau_officer, case=warning, take=True)
    assert Discipline.objects.filter(person=person, kind=DisciplineKind.WARNING).count() == 1
    # and a second one on the same ground is refused: the warning answered the admonitions
    with pytest.raises(ValidationError, match="2 admonitions"):
        _propose(world, person, "warning", "two_admonitions")
    # and each step is in the audit chain
    assert AuditEntry.objects.filter(
        model="supervision.SanctionCase", object_id=str(warning.pk), action="update"
    ).exists()


def test_warning_on_two_admonitions_needs_them(world, person):
    with pytest.raises(ValidationError, match="has 0"):
        _propose(world, person, "warning", "two_admonitions")
    assert not SanctionCase.objects.filter(person=person).exists()


def test_days_out_decide_between_admonition_and_warning(world, person):
    with pytest.raises(ValidationError, match="warning, not an admonition"):
        _propose(world, person, "admonition", "late_report", days_out=11)
    with pytest.raises(ValidationError, match="admonition, not a warning"):
        _propose(world, person, "warning", "late_report", days_out=10)
    with pytest.raises(ValidationError, match="number of days"):
        _propose(world, person, "warning", "late_report")
    assert _propose(world, person, "warning", "late_report", days_out=11).pk
    with pytest.raises(ValidationError, match="more than 30 days"):
        _propose(world, person, "revocation", "late_report", days_out=30)


def test_ground_must_fit_the_decision(world, person):
    with pytest.raises(ValidationError, match="ground"):
        _propose(world, person, "commendation", "minor_breach")


def test_commendation_needs_months_in_correction(world, person):
    person.intake_on = TODAY() - dt.timedelta(days=30)
    person.save()
    with pytest.raises(ValidationError, match="6 months"):
        _propose(world, person, "commendation", "merits")


def test_only_the_county_decides(world, person):
    case = _propose(world, person, "admonition", "minor_breach")
    for actor in (world.squadron_officer, world.social_worker):
        with pytest.raises(PermissionDenied):
            services.sanction_decide(actor=actor, case=case, take=True)
    case.refresh_from_db()
    assert case.status == SanctionStatus.PROPOSED and not Discipline.objects.filter(person=person).exists()
    # a social worker sees the case but may not even propose
    with pytest.raises(PermissionDenied):
        _propose(world, person, "admonition", "minor_breach", actor=world.social_worker)


def test_out_of_scope_is_404(world, person):
    from django.http import Http404

    case = _propose(world, person, "admonition", "minor_breach")
    with pytest.raises(Http404):
        services.sanction_decide(actor=world.users["bureau_officer_y"], case=case, take=True)


def test_decision_on_a_closed_case_changes_nothing(world, person):
    case = _propose(world, person, "admonition", "minor_breach")
    services.sanction_decide(actor=world.bureau_officer, case=case, take=False, note="事实不清")
    with pytest.raises(ValidationError, match="closed"):
        services.sanction_decide(actor=world.bureau_officer, case=case, take=True)
    case.refresh_from_db()
    assert case.status == SanctionStatus.REFUSED and not Discipline.objects.filter(person=person).exists()


def test_refusal_needs_a_reason(world, person):
    case = _propose(world, person, "admonition", "minor_breach")
    with pytest.raises(ValidationError, match="required"):
        services.sanction_decide(actor=world.bureau_officer, case=case, take=False)


def test_dates_before_the_judgment_are_refused(world, person):
    with pytest.raises(ValidationError, match="before the judgment"):
        _propose(world, person, "admonition", "minor_breach", occurred=TODAY() - dt.timedelta(days=400))
    assert not SanctionCase.objects.exists()


def test_revocation_proposal_with_ruling_window_and_termination(world, person):
    for _ in range(2):
        c = _propose(world, person, "warning", "serious_breach")
        services.sanction_decide(actor=world.bureau_officer, case=c, take=True)
    case = _propose(world, person, "revocation", "two_warnings")
    with pytest.raises(ValidationError, match="Sent to"):
        services.sanction_decide(actor=world.bureau_officer, case=case, take=True)
    case = services.sanction_decide(actor=world.bureau_officer, case=case, take=True, authority="县人民法院")
    assert case.status == SanctionStatus.SUBMITTED
    assert case.ruling_due_on == TODAY() + dt.timedelta(days=30)
    assert case.procuratorate_copied_on == TODAY()
    assert not Discipline.objects.filter(person=person, kind="revocation").exists()
    # a ruling before the proposal is refused
    with pytest.raises(ValidationError, match="before"):
        services.sanction_ruling(
            actor=world.bureau_officer, case=case, ruling="granted", ruled_on=TODAY() - dt.timedelta(days=1)
        )
    services.sanction_ruling(actor=world.bureau_officer, case=case, ruling="granted", ruled_on=TODAY())
    person.refresh_from_db()
    assert person.status == Status.TERMINATED and person.termination_reason == "revocation"


def test_committal_only_for_execution_outside_prison(world, person):
    with pytest.raises(ValidationError, match="outside prison"):
        _propose(world, person, "committal", "condition_ended")
    person.correction_type = "temporary_outside_execution"
    person.save()
    with pytest.raises(ValidationError, match="probation or parole"):
        _propose(world, person, "revocation", "ban_breach")
    assert _propose(world, person, "committal", "condition_ended").pk


def test_reduction_refused_while_revocation_is_open(world, person):
    _propose(world, person, "revocation", "ban_breach")
    with pytest.raises(ValidationError, match="reduction"):
        _propose(world, person, "reduction", "remorse")


def test_late_decision_shows_on_the_list(world, person):
    case = _propose(world, person, "admonition", "minor_breach")
    SanctionCase.objects.filter(pk=case.pk).update(decision_due_on=TODAY() - dt.timedelta(days=1))
    client = Client()
    client.force_login(world.bureau_officer)
    page = client.get("/supervision/sanctions/?open=1")
    assert page.status_code == 200 and "tag-danger" in page.content.decode()


def test_pages_refuse_the_squadron_officer_a_decision(world, person):
    case = _propose(world, person, "admonition", "minor_breach")
    client = Client()
    client.force_login(world.squadron_officer)
    assert client.post(f"/supervision/sanctions/{case.pk}/do/take/").status_code == 403
    client.force_login(world.bureau_officer)
    r = client.post(f"/supervision/sanctions/{case.pk}/do/take/", {"decided_on": TODAY().isoformat()})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == SanctionStatus.DECIDED

"""犯罪记录封存: a released juvenile's records sealed, hidden from every role; lawful queries; lifting a seal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.core.roles import Role
from jiaozheng.people import sealing
from jiaozheng.people.models import Discipline, LifecycleEvent, Person, SealedRecordAccess

pytestmark = pytest.mark.django_db


def _released_juvenile(world):
    person = world.juvenile_a
    Person.objects.filter(pk=person.pk).update(
        status="released", released_on=timezone.localdate() - dt.timedelta(days=10)
    )
    Discipline.objects.create(
        person=person,
        kind="commendation",
        decided_on=timezone.localdate() - dt.timedelta(days=40),
        reason="表现良好",
    )
    person.refresh_from_db()
    return person


def _visible(model, user, **filters):
    from jiaozheng.core.scoping import scope_for

    user = type(user).objects.get(pk=user.pk)  # a fresh object: the scope is cached per user object
    scope_for(user)
    return model.objects.visible_to(user).filter(**filters).exists()


def test_a_sealed_persons_records_leave_every_role_but_the_figures_still_count_them(world, client):
    person = _released_juvenile(world)
    assert _visible(Person, world.bureau_officer, pk=person.pk)
    # when the bureau administrator seals the records
    sealing.person_seal(actor=world.bureau_admin, person=person, basis="县法院封存决定（2026）湘1224刑封1号")
    person.refresh_from_db()
    assert person.records_sealed and person.sealed_on == timezone.localdate()
    assert LifecycleEvent.objects.filter(person=person, kind="sealed").exists()
    # then nobody sees the person or their records: not the officer, not even the administrator
    for name in ("bureau_officer", "bureau_admin", "squadron_officer", "counsellor"):
        user = getattr(world, name)
        assert not _visible(Person, user, pk=person.pk), name
        assert not _visible(Discipline, user, person=person), name
    client.force_login(world.bureau_officer)
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert person.name not in client.get("/people/?status=released").content.decode()
    api = client.get("/api/v1/persons?status=released")
    assert api.status_code == 200 and all(row["id"] != person.pk for row in api.json()["items"])
    # while the year's figures (computed by the system actor) still count the work done
    assert Discipline.objects.visible_to(world.system).filter(person=person).exists()


def test_only_a_released_juvenile_is_sealed_only_by_the_bureau_administrator(world):
    with pytest.raises(ValidationError) as exc:
        sealing.person_seal(actor=world.bureau_admin, person=world.person_a, basis="x")
    assert "juvenile" in str(exc.value.messages) or exc.value.messages
    Person.objects.filter(pk=world.juvenile_a.pk).update(is_juvenile=True)
    with pytest.raises(ValidationError):  # still in correction
        sealing.person_seal(actor=world.bureau_admin, person=world.juvenile_a, basis="x")
    person = _released_juvenile(world)
    with pytest.raises(ValidationError):  # no basis
        sealing.person_seal(actor=world.bureau_admin, person=person, basis="  ")
    with pytest.raises(PermissionDenied):
        sealing.person_seal(actor=world.bureau_officer, person=person, basis="x")
    person.refresh_from_db()
    assert not person.records_sealed


def test_a_lawful_query_opens_the_records_to_one_account_until_it_expires(world):
    person = _released_juvenile(world)
    sealing.person_seal(actor=world.bureau_admin, person=person, basis="封存决定")
    grant = sealing.sealed_access_grant(
        actor=world.bureau_admin,
        person=person.pk,
        granted_to=world.bureau_officer.pk,
        authority="县人民检察院",
        basis="依法查询：办理另案需要",
        days=3,
    )
    assert AccessLog.objects.filter(kind="sealed", person_id=person.pk).exists()
    assert _visible(Person, world.bureau_officer, pk=person.pk)
    assert _visible(Discipline, world.bureau_officer, person=person)
    assert not _visible(Person, world.squadron_officer, pk=person.pk)  # only the named account
    # once the grant expires (or is revoked) the records are sealed again for that account
    SealedRecordAccess.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert not _visible(Person, world.bureau_officer, pk=person.pk)
    grant = sealing.sealed_access_grant(
        actor=world.bureau_admin,
        person=person.pk,
        granted_to=world.bureau_officer.pk,
        authority="法院",
        basis="x",
        days=1,
    )
    sealing.sealed_access_revoke(actor=world.bureau_admin, grant=grant.pk)
    assert not _visible(Person, world.bureau_officer, pk=person.pk)


def test_a_grant_is_refused_for_another_countys_account_or_too_long_and_changes_nothing(world):
    person = _released_juvenile(world)
    sealing.person_seal(actor=world.bureau_admin, person=person, basis="封存决定")
    for kwargs in (
        {"granted_to": world.bureau_officer_y.pk, "days": 3},
        {"granted_to": world.bureau_officer.pk, "days": 31},
        {"granted_to": world.subject.pk, "days": 3},
    ):
        with pytest.raises(ValidationError):
            sealing.sealed_access_grant(
                actor=world.bureau_admin, person=person.pk, authority="法院", basis="依法查询", **kwargs
            )
    assert not SealedRecordAccess.objects.exists()


def test_lifting_the_seal_restores_the_records_and_ends_open_grants(world):
    person = _released_juvenile(world)
    sealing.person_seal(actor=world.bureau_admin, person=person, basis="封存决定")
    sealing.sealed_access_grant(
        actor=world.bureau_admin,
        person=person.pk,
        granted_to=world.bureau_officer.pk,
        authority="法院",
        basis="x",
        days=2,
    )
    with pytest.raises(ValidationError):
        sealing.person_unseal(actor=world.bureau_admin, person=person.pk, reason="")
    sealing.person_unseal(actor=world.bureau_admin, person=person.pk, reason="再犯新罪，依法解除封存")
    assert _visible(Person, world.squadron_officer, pk=person.pk)
    assert not SealedRecordAccess.objects.filter(revoked_at__isnull=True).exists()
    assert LifecycleEvent.objects.filter(person=person, kind="unsealed").exists()


def test_another_countys_administrator_cannot_learn_of_or_act_on_a_seal(world):
    from jiaozheng.orgs.services import user_create

    admin_y = user_create(
        actor=world.system,
        username="admin_y",
        role=Role.BUREAU_ADMIN,
        full_name="admin_y",
        password="Pass-2026-xyz!",
        units=[world.county_y],
    )
    person = _released_juvenile(world)
    sealing.person_seal(actor=world.bureau_admin, person=person, basis="封存决定")
    assert sealing.sealed_list(actor=admin_y) == []
    with pytest.raises(Http404):
        sealing.person_unseal(actor=admin_y, person=person.pk, reason="x")
    with pytest.raises(Http404):
        sealing.sealed_access_grant(
            actor=admin_y, person=person.pk, granted_to=admin_y.pk, authority="法院", basis="x", days=1
        )


def test_the_pages_seal_list_grant_and_lift(world, client):
    person = _released_juvenile(world)
    client.force_login(world.bureau_admin)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "封存" in page
    response = client.post(f"/people/{person.pk}/seal/", {"basis": "县法院封存决定"})
    assert response.status_code == 302 and response["Location"] == "/people/sealed/"
    page = client.get("/people/sealed/").content.decode()
    assert person.case_number in page and "依法查询" in page
    response = client.post(
        "/people/sealed/do/grant/",
        {
            "person": person.pk,
            "granted_to": world.bureau_officer.pk,
            "authority": "县人民检察院",
            "basis": "依法查询",
            "days": 2,
        },
    )
    assert response.status_code == 302 and SealedRecordAccess.objects.count() == 1
    client.post("/people/sealed/do/unseal/", {"person": person.pk, "reason": "依法解除"})
    person.refresh_from_db()
    assert not person.records_sealed
    # an officer may not open the page
    client.force_login(world.bureau_officer)
    assert client.get("/people/sealed/").status_code == 403

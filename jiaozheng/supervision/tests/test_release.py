"""解矫: the due list (constant queries), release with the numbered certificate, documents, read-only after."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.models import Release


def _ending(person, days_from_today):
    today = timezone.localdate()
    person.term_start = today - dt.timedelta(days=400)
    person.judgment_effective_on = today - dt.timedelta(days=410)
    person.term_end = today + dt.timedelta(days=days_from_today)
    person.save()
    return person


def test_due_list_and_constant_queries(world):
    # given one person whose term ends in 10 days and one in a year
    soon = _ending(world.person_a, 10)
    _ending(world.person_b, 365)
    due = list(selectors.release_due_list(actor=world.bureau_officer))
    assert soon in due and world.person_b not in due

    # and the due list runs the same number of queries for 50 and for 5,000 persons due
    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = list(selectors.release_due_list(actor=world.bureau_officer))
            [r.squadron.name for r in rows]
        return len(ctx), len(rows)

    def grow_to(n):
        have = selectors.release_due_list(actor=world.bureau_officer).count()
        rows = []
        for i in range(have, n):
            p = Person.objects.get(pk=soon.pk)
            p.pk = p.id = None
            p.case_number = f"T{i:05d}"
            rows.append(p)
        Person.objects.bulk_create(rows, batch_size=500)

    grow_to(50)
    small, n_small = count()
    grow_to(5000)
    big, n_big = count()
    assert (n_small, n_big) == (50, 5000)
    assert big == small


def test_release_with_certificate_and_notices(world):
    person = _ending(world.person_a, -1)
    rel = services.release_issue(
        actor=world.bureau_officer, person=person, released_on=person.term_end, appraisal="表现良好"
    )
    person.refresh_from_db()
    assert person.status == Status.RELEASED and person.released_on == rel.released_on
    assert rel.number == 1 and rel.number_text.endswith("矫解字第001号")
    assert rel.notified_court_on and rel.notified_procuratorate_on and rel.notified_police_on
    # a second release in the same county and year takes the next number
    other = _ending(world.person_b, -2)
    assert (
        services.release_issue(actor=world.bureau_officer, person=other, released_on=other.term_end).number
        == 2
    )
    # releasing again is refused and nothing changes
    with pytest.raises(ValidationError):
        services.release_issue(actor=world.bureau_officer, person=person, released_on=timezone.localdate())
    assert Release.objects.count() == 2


def test_release_before_term_end_or_judgment_refused(world):
    person = _ending(world.person_a, 5)
    with pytest.raises(ValidationError, match="term ends"):
        services.release_issue(actor=world.bureau_officer, person=person, released_on=timezone.localdate())
    with pytest.raises(ValidationError, match="judgment"):
        services.release_issue(
            actor=world.bureau_officer,
            person=person,
            released_on=person.judgment_effective_on - dt.timedelta(days=1),
        )
    person.refresh_from_db()
    assert person.status == Status.IN_CORRECTION and not Release.objects.exists()


def test_certificate_documents(world, login):
    from docx import Document

    person = _ending(world.person_a, -1)
    rel = services.release_issue(actor=world.bureau_officer, person=person, released_on=person.term_end)
    client = login(world.bureau_officer)
    docx = client.get(f"/supervision/releases/{rel.pk}/certificate.docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "解除社区矫正证明书" in text and rel.number_text in text and person.name in text
    pdf = client.get(f"/supervision/releases/{rel.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/supervision/releases/{rel.pk}/certificate.txt").status_code == 404
    # the due list no longer offers the released person
    assert person not in selectors.release_due_list(actor=world.bureau_officer)


def test_file_is_read_only_after_release(world):
    from jiaozheng.people.services import person_update

    person = _ending(world.person_a, -1)
    services.release_issue(actor=world.bureau_officer, person=person, released_on=person.term_end)
    with pytest.raises(ValidationError, match="read-only"):
        person_update(actor=world.bureau_officer, person=person, data={"notes": "改动"})
    person.refresh_from_db()
    assert person.notes != "改动"

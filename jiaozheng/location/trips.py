"""Location's callback for approved 外出 trips (jiaozheng.core.trips): the trip becomes a TravelPermit,
i.e. the destination zone and the absence window the fence checks already honour."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.trips import ApprovedTrip, TripListener


def _approved(trip: ApprovedTrip, actor: Any) -> str | None:
    from django.utils import timezone

    from jiaozheng.location.services import travel_permit_create
    from jiaozheng.people.models import Person

    if not trip.destination_code:
        return None  # no division code: no zone can be drawn; the officer may add a permit by hand
    if trip.end_on < timezone.localdate():
        return None  # recorded after the fact: there are no fixes left to honour
    permit = travel_permit_create(
        actor=actor,
        person=Person.objects.get(pk=trip.person_id),
        destination=trip.destination,
        destination_code=trip.destination_code,
        start_on=trip.start_on,
        end_on=trip.end_on,
        reason=trip.reason[:200],
    )
    return str(permit.pk)


def _ended(ref: str, actor: Any, reason: str) -> None:
    from jiaozheng.location.choices import TravelPermitStatus
    from jiaozheng.location.models import TravelPermit
    from jiaozheng.location.services import travel_permit_cancel

    permit = TravelPermit.objects.filter(pk=int(ref), status=TravelPermitStatus.APPROVED).first()
    if permit is not None:
        travel_permit_cancel(actor=actor, permit=permit, reason=reason)


LISTENERS = [TripListener(name="location.permit", approved=_approved, ended=_ended)]

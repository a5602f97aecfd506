"""Indicator measures of location supervision (定位服务): installations and the electronic-supervision rate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.measures import MeasureContext, measure


def _installs(ctx: MeasureContext) -> Any:
    from jiaozheng.location.models import InstallRecord

    return InstallRecord.objects.filter(
        county_id__in=ctx.county_ids, installed_on__gte=ctx.start, installed_on__lte=ctx.end
    )


@measure(
    "location.installs",
    label=_("Location app installations (定位服务人次)"),
    unit=_("person-times"),
    kind="count",
    records=_installs,
    description=_(
        "Installations of the location app recorded in the period (enrolments of a phone and imported "
        "records), each counted once: a new phone for the same person counts again (人次)."
    ),
)
def installs(ctx: MeasureContext) -> int:
    return _installs(ctx).count()


def _persons_with_device(ctx: MeasureContext) -> Any:
    from jiaozheng.location.models import Device
    from jiaozheng.location.sweeps import device_active_q, in_correction_q
    from jiaozheng.people.models import Person

    return Person.objects.filter(in_correction_q(ctx.end), county_id__in=ctx.county_ids).filter(
        pk__in=Device.objects.filter(device_active_q(ctx.end)).values("person_id")
    )


@measure(
    "location.persons_with_device",
    label=_("Persons in correction with a location device"),
    unit=_("persons"),
    kind="distinct",
    records=_persons_with_device,
    description=_(
        "Distinct persons in correction at the end of the period with a phone in use at that moment "
        "(enrolled before the end of the day, not ended by then)."
    ),
)
def persons_with_device(ctx: MeasureContext) -> int:
    return _persons_with_device(ctx).count()


@measure(
    "location.esupervision_rate",
    label=_("Electronic supervision rate (电子监管率)"),
    unit=_("fraction"),
    kind="rate",
    description=_(
        "Persons in correction with a phone in use at the end of the period ÷ persons in correction at the "
        "end of the period (0 when nobody is in correction). A fraction: 0.95 is 95 %."
    ),
)
def esupervision_rate(ctx: MeasureContext) -> float:
    from jiaozheng.location.sweeps import in_correction_q
    from jiaozheng.people.models import Person

    total = Person.objects.filter(in_correction_q(ctx.end), county_id__in=ctx.county_ids).count()
    if not total:
        return 0.0
    return persons_with_device(ctx) / total


def _lost_contact(ctx: MeasureContext) -> Any:
    from django.db.models import Q

    from jiaozheng.location.choices import AlertOutcome, AlertType
    from jiaozheng.location.models import Alert

    return (
        Alert.objects.filter(
            county_id__in=ctx.county_ids,
            alert_type=AlertType.LOST_CONTACT,
            occurred_at__date__gte=ctx.start,
            occurred_at__date__lte=ctx.end,
        )
        .filter(Q(escalated_at__isnull=False) | Q(outcome=AlertOutcome.REFERRED))
        .exclude(outcome__in=[AlertOutcome.FALSE_ALARM, AlertOutcome.EXPLAINED, AlertOutcome.CLEARED])
    )


@measure(
    "location.lost_contact_persons",
    label=_("Persons who lost contact (脱管人数)"),
    unit=_("persons"),
    kind="distinct",
    records=_lost_contact,
    description=_(
        "Distinct persons with a lost-contact (失联) alert in the period that was escalated to the bureau or "
        "referred for further action, and not closed as a false alarm or explained: the figure of an "
        "indicator with target 0."
    ),
)
def lost_contact_persons(ctx: MeasureContext) -> int:
    return _lost_contact(ctx).values("person_id").distinct().count()

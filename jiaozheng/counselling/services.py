"""Writes for counselling: referrals, individual cases and notes, group formation, groups and sessions.

Every service takes the acting user, checks the role (``require``) and the row (``get_scoped_or_404``),
validates, and writes in one transaction; a ValidationError changes nothing.

Who may do what:
- ``referral_open``: anyone who may change SERVICES data (officers, social workers, counsellors) and the
  system actor. It never needs the COUNSELLING_NOTES right: the visits module calls it.
- Case work, group formation and group sessions: counsellors (the COUNSELLING_NOTES change right, which
  only the counsellor role holds).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import timeline_add
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for
from jiaozheng.counselling.choices import (
    CaseOutcome,
    CaseStatus,
    ReferralSource,
    ReferralStatus,
    SessionMode,
)
from jiaozheng.counselling.models import CaseNote, CaseSession, CounsellingCase, Referral
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _may(actor: Any, domain: str, action: str = CHANGE) -> bool:
    scope = scope_for(actor)
    return scope.unrestricted or role_allows(scope.role, domain, action)


def require_counsellor(actor: Any) -> None:
    """Case work is the counsellors' (and the system's): the COUNSELLING_NOTES change right."""
    if not _may(actor, Domain.COUNSELLING_NOTES):
        raise PermissionDenied(_("Only counsellors may do this."))


def _person_in_scope(actor: Any, person: Person | int) -> Person:
    pk = getattr(person, "pk", person)
    return get_scoped_or_404(Person, actor, pk=pk)


def _text(value: Any, field: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s is longer than %(n)s characters.") % {"label": label, "n": max_length}}
        )
    return text


def _counsellors_of(person: Person) -> list[Any]:
    from jiaozheng.core.notify import staff_for_person

    return staff_for_person(person, [Role.COUNSELLOR])


# --- referrals --------------------------------------------------------------------------------------


@transaction.atomic
def referral_open(
    *, actor: Any, person: Person, reason: str, source: str, source_obj: models.Model | None = None
) -> Referral:
    """Refer a person to the counsellors and notify the counsellors of the person's county.

    ``source`` is one of ReferralSource ("visit", "assessment", "flag", "manual", "education", "other").
    Authorised for actors who may change SERVICES data and for counsellors; the person must be in the
    actor's scope (404 otherwise). If the same ``source_obj`` already has an open referral for this
    person, that referral is returned unchanged (calling twice does not refer twice).
    """
    if not (_may(actor, Domain.SERVICES) or _may(actor, Domain.COUNSELLING_NOTES)):
        raise PermissionDenied(_("Your role may not refer persons to counselling."))
    if getattr(person, "pk", None) is None:
        raise ValidationError({"person": _("Choose a person.")})
    person = _person_in_scope(actor, person)
    reason = _text(reason, "reason", _("The reason"))
    if source not in ReferralSource.values:
        raise ValidationError(
            {
                "source": _("Unknown referral source %(s)s; use one of %(all)s.")
                % {"s": source, "all": ", ".join(ReferralSource.values)}
            }
        )
    if person.status not in (Status.IN_CORRECTION, Status.PENDING):
        raise ValidationError(_("%(name)s is no longer under correction.") % {"name": person.name})
    source_model = source_obj._meta.label if source_obj is not None else ""
    source_id = str(source_obj.pk) if source_obj is not None else ""
    if source_obj is not None:
        existing = Referral.objects.filter(
            person=person,
            source_model=source_model,
            source_id=source_id,
            status__in=[ReferralStatus.OPEN, ReferralStatus.ACCEPTED],
        ).first()
        if existing is not None:
            return existing
    referral = Referral.objects.create(
        person=person,
        reason=reason,
        source=source,
        source_model=source_model,
        source_id=source_id,
        opened_by=_user(actor),
    )
    timeline_add(person, "counselling.referred", obj=referral, source=source)
    from django.urls import reverse

    from jiaozheng.core.notify import notify

    notify(
        _counsellors_of(person),
        title=_("Referral to counselling: %(name)s") % {"name": person.name},
        body=reason[:500],
        link=reverse("counselling:referral_list"),
        level="warning",
        kind="counselling.referral",
    )
    return referral


@transaction.atomic
def referral_decline(*, actor: Any, referral: Referral, note: str) -> Referral:
    require_counsellor(actor)
    referral = get_scoped_or_404(Referral.objects.select_for_update(), actor, pk=referral.pk)
    if referral.status != ReferralStatus.OPEN:
        raise ValidationError(_("Only an open referral can be declined."))
    referral.decision_note = _text(note, "note", _("The reason for declining"))
    referral.status = ReferralStatus.DECLINED
    referral.decided_by = _user(actor)
    referral.decided_at = timezone.now()
    referral.save()
    return referral


# --- individual cases ---------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Any,
    person: Person,
    presenting_problem: str,
    goals: str,
    opened_on: dt.date | None = None,
    referral: Referral | None = None,
    counsellor: Any = None,
) -> CounsellingCase:
    """Open an individual case (from a referral or by hand). One open case per person at a time."""
    require_counsellor(actor)
    person = _person_in_scope(actor, person)
    today = timezone.localdate()
    opened_on = opened_on or today
    errors: dict[str, list[str]] = {}
    try:
        presenting_problem = _text(presenting_problem, "presenting_problem", _("The presenting problem"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        goals = _text(goals, "goals", _("The goals"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if opened_on > today:
        errors.setdefault("opened_on", []).append(_("This date is in the future."))
    elif outside := person.outside_correction(opened_on):
        errors.setdefault("opened_on", []).append(outside)
    if person.status != Status.IN_CORRECTION:
        errors.setdefault("person", []).append(
            _("%(name)s is not in correction; cases are opened for persons in correction.")
            % {"name": person.name}
        )
    if CounsellingCase.objects.filter(person=person, status=CaseStatus.OPEN).exists():
        errors.setdefault("person", []).append(
            _("%(name)s already has an open case.") % {"name": person.name}
        )
    if referral is not None:
        referral = get_scoped_or_404(Referral.objects.select_for_update(), actor, pk=referral.pk)
        if referral.person_id != person.pk:
            errors.setdefault("referral", []).append(_("The referral is about another person."))
        elif referral.status != ReferralStatus.OPEN:
            errors.setdefault("referral", []).append(_("The referral has already been handled."))
    if errors:
        raise ValidationError(errors)
    case = CounsellingCase.objects.create(
        person=person,
        referral=referral,
        counsellor=counsellor or _user(actor),
        opened_on=opened_on,
        opened_by=_user(actor),
        presenting_problem=presenting_problem,
        goals=goals,
    )
    if referral is not None:
        referral.status = ReferralStatus.ACCEPTED
        referral.decided_by = _user(actor)
        referral.decided_at = timezone.now()
        referral.save()
    timeline_add(person, "counselling.case_opened", obj=case)
    return case


def _open_case_for_change(actor: Any, case: CounsellingCase) -> CounsellingCase:
    require_counsellor(actor)
    return get_scoped_or_404(CounsellingCase.objects.select_for_update(), actor, pk=case.pk)


@transaction.atomic
def case_update_goals(*, actor: Any, case: CounsellingCase, goals: str) -> CounsellingCase:
    case = _open_case_for_change(actor, case)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case is closed."))
    case.goals = _text(goals, "goals", _("The goals"))
    case.save()
    return case


@transaction.atomic
def case_session_add(
    *,
    actor: Any,
    case: CounsellingCase,
    held_on: dt.date,
    minutes: int = 50,
    mode: str = SessionMode.IN_PERSON,
    topic: str = "",
    attended: bool = True,
    note: str = "",
) -> CaseSession:
    """Record a session; ``note`` (optional) is stored as a confidential, encrypted note."""
    case = _open_case_for_change(actor, case)
    errors: dict[str, list[str]] = {}
    if case.status != CaseStatus.OPEN:
        errors.setdefault("case", []).append(_("The case is closed."))
    if held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("This date is in the future."))
    if held_on < case.opened_on:
        errors.setdefault("held_on", []).append(_("The session cannot be before the case was opened."))
    elif outside := case.person.outside_correction(held_on):
        errors.setdefault("held_on", []).append(outside)
    if not (5 <= int(minutes) <= 480):
        errors.setdefault("minutes", []).append(_("A session lasts 5 to 480 minutes."))
    if mode not in SessionMode.values:
        errors.setdefault("mode", []).append(_("Unknown session mode."))
    if errors:
        raise ValidationError(errors)
    session = CaseSession.objects.create(
        case=case,
        held_on=held_on,
        minutes=int(minutes),
        mode=mode,
        topic=_text(topic, "topic", _("The topic"), required=False, max_length=200),
        attended=attended,
        counsellor=_user(actor),
    )
    if note and note.strip():
        CaseNote.objects.create(
            case=case,
            session=session,
            text=_text(note, "note", _("The note"), max_length=20000),
            author=_user(actor),
        )
    timeline_add(case.person_id, "counselling.session", obj=session, date=held_on.isoformat())
    return session


@transaction.atomic
def case_note_add(*, actor: Any, case: CounsellingCase, text: str) -> CaseNote:
    case = _open_case_for_change(actor, case)
    return CaseNote.objects.create(
        case=case, text=_text(text, "text", _("The note"), max_length=20000), author=_user(actor)
    )


@transaction.atomic
def case_close(
    *, actor: Any, case: CounsellingCase, closed_on: dt.date, outcome: str, summary: str
) -> CounsellingCase:
    case = _open_case_for_change(actor, case)
    errors: dict[str, list[str]] = {}
    if case.status != CaseStatus.OPEN:
        errors.setdefault("case", []).append(_("The case is already closed."))
    if outcome not in CaseOutcome.values:
        errors.setdefault("outcome", []).append(_("Choose the outcome."))
    if closed_on > timezone.localdate():
        errors.setdefault("closed_on", []).append(_("This date is in the future."))
    if closed_on < case.opened_on:
        errors.setdefault("closed_on", []).append(_("A case cannot be closed before it was opened."))
    try:
        summary = _text(summary, "summary", _("The closing summary"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.outcome = outcome
    case.closing_summary = summary
    case.closed_by = _user(actor)
    case.save()
    timeline_add(case.person_id, "counselling.case_closed", obj=case, outcome=outcome)
    return case


# --- group counselling -----------------------------------------------------------------------------------


def _size_bounds(county: Any) -> tuple[int, int]:
    from jiaozheng.core.rules import rule

    return rule("counselling.group_size_min", county), rule("counselling.group_size_max", county)


@transaction.atomic
def formation_propose(
    *,
    actor: Any,
    county: Any,
    scale_code: str = "scl90",
    months: int = 12,
    offence_stratum: bool = False,
    title: str = "",
) -> Any:
    """Compute a proposal of groups from the eligible persons of a county (saved as a draft)."""
    from jiaozheng.assessments.scales import ScaleError, get_scale
    from jiaozheng.counselling.grouping import Params, form_groups
    from jiaozheng.counselling.models import GroupFormation
    from jiaozheng.counselling.selectors import group_candidates
    from jiaozheng.orgs.models import OrgUnit

    require_counsellor(actor)
    county = get_scoped_or_404(OrgUnit, actor, pk=getattr(county, "pk", county))
    try:
        scale = get_scale(scale_code)
    except ScaleError:
        raise ValidationError({"scale": _("Unknown scale %(code)s.") % {"code": scale_code}})
    if not 1 <= int(months) <= 60:
        raise ValidationError({"months": _("Look back 1 to 60 months.")})
    size_min, size_max = _size_bounds(county)
    found = group_candidates(actor=actor, county=county, scale_code=scale.code, months=int(months))
    candidates = found["candidates"]
    if len(candidates) < size_min:
        raise ValidationError(
            _("Only %(n)s persons are eligible; a group needs at least %(min)s.")
            % {"n": len(candidates), "min": size_min}
        )
    params = Params(size_min=size_min, size_max=size_max, offence_stratum=bool(offence_stratum))
    proposal = form_groups(candidates, params).as_dict()
    proposal["candidates"] = {str(c.person_id): c.as_dict() for c in candidates}
    proposal["individual"] = found["individual"]
    proposal["adjustments"] = []
    today = timezone.localdate()
    return GroupFormation.objects.create(
        county=county,
        title=(title or f"{county.name}团体辅导分组 {today:%Y-%m-%d}").strip()[:120],
        params={"scale": scale.code, "months": int(months), **proposal["params"]},
        proposal=proposal,
        created_by=_user(actor),
    )


def _draft(actor: Any, formation: Any) -> Any:
    from jiaozheng.counselling.choices import FormationStatus
    from jiaozheng.counselling.models import GroupFormation

    require_counsellor(actor)
    formation = get_scoped_or_404(GroupFormation.objects.select_for_update(), actor, pk=formation.pk)
    if formation.status != FormationStatus.DRAFT:
        raise ValidationError(_("The proposal was already confirmed or discarded."))
    return formation


def _refresh_profiles(proposal: dict[str, Any]) -> None:
    from jiaozheng.counselling.grouping import Candidate, profile

    people = {int(k): Candidate.from_dict(v) for k, v in proposal["candidates"].items()}
    for group in proposal["groups"]:
        group["profile"] = (
            profile([people[pid] for pid in group["members"]]) if group["members"] else {"size": 0}
        )


@transaction.atomic
def formation_move(*, actor: Any, formation: Any, person_id: int, target: str) -> Any:
    """Move a person to another proposed group (``target`` = its number) or to the waiting list ("wait").

    Hard strata (gender, juveniles apart from adults, and the offence group when the proposal uses it)
    and the size bounds are kept; a move that would break them is refused with the reason.
    """
    formation = _draft(actor, formation)
    proposal = formation.proposal
    person_id = int(person_id)
    key = str(person_id)
    if key not in proposal["candidates"]:
        raise ValidationError({"person": _("This person is not part of the proposal.")})
    person = proposal["candidates"][key]
    size_min, size_max = proposal["params"]["size_min"], proposal["params"]["size_max"]
    groups = {str(g["number"]): g for g in proposal["groups"]}
    source = next((g for g in proposal["groups"] if person_id in g["members"]), None)
    waiting = next((w for w in proposal["waitlist"] if w["person_id"] == person_id), None)
    if target == "wait":
        if source is None:
            raise ValidationError(_("The person is already on the waiting list."))
        if len(source["members"]) - 1 < size_min:
            raise ValidationError(
                _("Group %(n)s would have fewer than %(min)s members.")
                % {"n": source["number"], "min": size_min}
            )
        source["members"].remove(person_id)
        proposal["waitlist"].append({"person_id": person_id, "reason": "moved", "stratum": source["stratum"]})
    else:
        group = groups.get(str(target))
        if group is None:
            raise ValidationError({"target": _("Unknown group.")})
        if source is group:
            raise ValidationError(_("The person is already in this group."))
        stratum = group["stratum"]
        problems = []
        if (stratum[0] == "juvenile") != bool(person["juvenile"]):
            problems.append(_("juveniles and adults are never grouped together"))
        if stratum[1] != person["gender"]:
            problems.append(_("the group is of the other gender"))
        if len(stratum) > 2 and person["offence_group"] not in stratum[2].split("+"):
            problems.append(_("the group is for another offence group"))
        if len(group["members"]) + 1 > size_max:
            problems.append(_("the group would have more than %(max)s members") % {"max": size_max})
        if source is not None and len(source["members"]) - 1 < size_min:
            problems.append(
                _("group %(n)s would have fewer than %(min)s members")
                % {"n": source["number"], "min": size_min}
            )
        if problems:
            raise ValidationError(
                _("Cannot move %(name)s: %(why)s.") % {"name": person["name"], "why": "；".join(problems)}
            )
        if source is not None:
            source["members"].remove(person_id)
        if waiting is not None:
            proposal["waitlist"].remove(waiting)
        group["members"].append(person_id)
    _refresh_profiles(proposal)
    proposal["adjustments"].append(
        {
            "at": timezone.now().isoformat(timespec="seconds"),
            "by": getattr(actor, "username", str(actor)),
            "person_id": person_id,
            "from": source["number"] if source else "wait",
            "to": target,
        }
    )
    formation.proposal = proposal
    formation.save()
    return formation


@transaction.atomic
def formation_confirm(*, actor: Any, formation: Any, facilitator: Any = None) -> list[Any]:
    """Create the groups of a proposal; persons who left correction or joined a group since are skipped."""
    from jiaozheng.counselling.choices import FormationStatus
    from jiaozheng.counselling.models import CounsellingGroup, GroupMember

    formation = _draft(actor, formation)
    proposal = formation.proposal
    size_min = proposal["params"]["size_min"]
    active = set(
        Person.objects.filter(
            pk__in=[int(k) for k in proposal["candidates"]], status=Status.IN_CORRECTION
        ).values_list("pk", flat=True)
    )
    busy = set(
        GroupMember.objects.filter(
            left_on__isnull=True, group__status="active", person_id__in=active
        ).values_list("person_id", flat=True)
    )
    created = []
    today = timezone.localdate()
    for group in proposal["groups"]:
        members = [pid for pid in group["members"] if pid in active and pid not in busy]
        if len(members) < size_min:
            raise ValidationError(
                _("Group %(n)s now has only %(k)s available members; adjust the proposal first.")
                % {"n": group["number"], "k": len(members)}
            )
        profile_data = group["profile"]
        new = CounsellingGroup.objects.create(
            county=formation.county,
            name=f"{formation.title}·第{group['number']}组"[:80],
            theme=profile_data.get("theme", "")[:200],
            profile=explain(group, proposal),
            profile_data={"stratum": group["stratum"], **profile_data},
            formation=formation,
            facilitator=facilitator or _user(actor),
        )
        for pid in members:
            GroupMember.objects.create(group=new, person_id=pid, added_on=today)
            timeline_add(pid, "counselling.group_joined", obj=new, group=new.name)
        created.append(new)
    formation.status = FormationStatus.CONFIRMED
    formation.confirmed_at = timezone.now()
    formation.save()
    return created


@transaction.atomic
def formation_discard(*, actor: Any, formation: Any) -> Any:
    from jiaozheng.counselling.choices import FormationStatus

    formation = _draft(actor, formation)
    formation.status = FormationStatus.DISCARDED
    formation.save()
    return formation


GENDER_TEXT = {"male": "男性", "female": "女性"}


def explain(group: dict[str, Any], proposal: dict[str, Any]) -> str:
    """A readable account of a group's profile (why these people are together)."""
    from jiaozheng.assessments.scales import ScaleError, get_scale

    p = group["profile"]
    stratum = group["stratum"]
    parts = [
        f"{p['size']}人",
        GENDER_TEXT.get(stratum[1], stratum[1]),
        "未成年人" if stratum[0] == "juvenile" else "成年人",
    ]
    if len(stratum) > 2:
        parts.append("犯罪类型：" + "、".join(p.get("offences", {}).keys()))

    def factor_label(name: str) -> str:
        return name

    metric = "主要得分"
    try:
        scale = get_scale(proposal.get("params", {}).get("scale", "scl90"))
        metric = scale.metric_label(scale.primary_metric)
        factor_label = scale.subscale_label
    except ScaleError:
        pass
    parts.append(f"{metric} {p['level_min']}–{p['level_max']}（均值 {p['level_mean']}）")
    parts.append(f"年龄 {p['age_min']}–{p['age_max']}岁（均值 {p['age_mean']}）")
    if p.get("education"):
        top = next(iter(p["education"]))
        parts.append(f"文化程度以{top}为主")
    if p.get("common_factors"):
        parts.append(
            "共同突出因子："
            + "、".join(f"{factor_label(f)}（{p['factors'].get(f, 0)}人）" for f in p["common_factors"])
        )
    parts.append(f"建议主题：{p.get('theme', '')}")
    return "；".join(parts) + "。"


def _group_for_change(actor: Any, group: Any) -> Any:
    from jiaozheng.counselling.models import CounsellingGroup

    require_counsellor(actor)
    return get_scoped_or_404(CounsellingGroup.objects.select_for_update(), actor, pk=group.pk)


@transaction.atomic
def group_member_add(*, actor: Any, group: Any, person: Person) -> Any:
    from jiaozheng.counselling.models import GroupMember

    group = _group_for_change(actor, group)
    person = _person_in_scope(actor, person)
    _size_min, size_max = _size_bounds(group.county)
    errors = []
    if group.status != "active":
        errors.append(_("The group is closed."))
    if person.county_id != group.county_id:
        errors.append(_("The person belongs to another county."))
    if person.status != Status.IN_CORRECTION:
        errors.append(_("%(name)s is not in correction.") % {"name": person.name})
    members = group.members.filter(left_on__isnull=True)
    if members.count() >= size_max:
        errors.append(_("The group already has %(max)s members.") % {"max": size_max})
    if members.filter(person=person).exists():
        errors.append(_("%(name)s is already a member.") % {"name": person.name})
    stratum = (group.profile_data or {}).get("stratum")
    if stratum and (stratum[1] != person.gender or (stratum[0] == "juvenile") != person.is_juvenile):
        errors.append(_("The group's gender or age group differs from the person's."))
    if errors:
        raise ValidationError(errors)
    member, _created = GroupMember.objects.update_or_create(
        group=group, person=person, defaults={"left_on": None, "added_on": timezone.localdate()}
    )
    timeline_add(person, "counselling.group_joined", obj=group, group=group.name)
    return member


@transaction.atomic
def group_member_remove(*, actor: Any, group: Any, person_id: int) -> Any:
    from jiaozheng.counselling.models import GroupMember

    group = _group_for_change(actor, group)
    member = GroupMember.objects.filter(group=group, person_id=person_id, left_on__isnull=True).first()
    if member is None:
        raise ValidationError(_("Not a member of the group."))
    member.left_on = timezone.localdate()
    member.save()
    return member


@transaction.atomic
def group_close(*, actor: Any, group: Any) -> Any:
    group = _group_for_change(actor, group)
    if group.status != "active":
        raise ValidationError(_("The group is already closed."))
    group.status = "closed"
    group.save()
    return group


@transaction.atomic
def group_session_record(
    *,
    actor: Any,
    group: Any,
    held_on: dt.date,
    topic: str,
    present_ids: list[int] | None = None,
    place: str = "",
    minutes: int = 90,
    summary: str = "",
    planned: bool = False,
) -> Any:
    """Record a group session: held (with who was present) or planned (attendance recorded later)."""
    from jiaozheng.counselling.models import GroupSession

    group = _group_for_change(actor, group)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    topic = (topic or "").strip()
    if not topic:
        errors.setdefault("topic", []).append(_("Give the session's topic."))
    if not planned and held_on > today:
        errors.setdefault("held_on", []).append(_("A held session cannot be in the future; plan it instead."))
    if not (15 <= int(minutes) <= 480):
        errors.setdefault("minutes", []).append(_("A session lasts 15 to 480 minutes."))
    members = set(group.members.filter(left_on__isnull=True).values_list("person_id", flat=True)) | set(
        group.members.filter(left_on__gte=held_on).values_list("person_id", flat=True)
    )
    present = {int(p) for p in (present_ids or [])}
    if present - members:
        errors.setdefault("present", []).append(_("Attendance names persons who are not members."))
    if not planned and not present:
        errors.setdefault("present", []).append(_("Tick who was present."))
    if not planned:
        errors.setdefault("present", []).extend(_outside_correction(present, held_on))
        errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)
    session = GroupSession.objects.create(
        group=group,
        held_on=held_on,
        topic=topic[:200],
        place=(place or "").strip()[:120],
        minutes=int(minutes),
        status="planned" if planned else "held",
        facilitator=_user(actor),
        summary=(summary or "").strip(),
    )
    if not planned:
        _attendance(session, members, present)
    return session


def _outside_correction(person_ids: set[int], day: dt.date) -> list[str]:
    """The one rule for service records: each person present was in correction on the day."""
    persons = Person.objects.filter(pk__in=person_ids).only("name", *Person.TERM_FIELDS).order_by("pk")
    return [m for m in (p.outside_correction(day) for p in persons) if m]


def _attendance(session: Any, members: set[int], present: set[int]) -> None:
    from jiaozheng.counselling.models import GroupAttendance

    for pid in sorted(members):
        GroupAttendance.objects.update_or_create(
            session=session, person_id=pid, defaults={"present": pid in present}
        )
        if pid in present:
            timeline_add(pid, "counselling.group_session", obj=session, date=session.held_on.isoformat())


@transaction.atomic
def group_session_attendance(*, actor: Any, session: Any, present_ids: list[int], summary: str = "") -> Any:
    """Record who came to a planned session; the session is then held."""
    from jiaozheng.counselling.models import GroupSession

    require_counsellor(actor)
    session = get_scoped_or_404(GroupSession.objects.select_for_update(), actor, pk=session.pk)
    if session.held_on > timezone.localdate():
        raise ValidationError(_("The session is in the future."))
    if session.status == "cancelled":
        raise ValidationError(_("The session was cancelled."))
    members = set(session.group.members.filter(left_on__isnull=True).values_list("person_id", flat=True))
    members |= set(session.attendance.values_list("person_id", flat=True))
    present = {int(p) for p in present_ids}
    if present - members:
        raise ValidationError(_("Attendance names persons who are not members."))
    if not present:
        raise ValidationError(_("Tick who was present."))
    if outside := _outside_correction(present, session.held_on):
        raise ValidationError(outside)
    _attendance(session, members, present)
    session.status = "held"
    if summary:
        session.summary = summary.strip()
    session.save()
    return session

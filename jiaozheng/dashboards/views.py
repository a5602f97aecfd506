"""Home pages: each role lands on the page it works from; the supervised person on their phone page."""

from __future__ import annotations

from django.shortcuts import redirect, render

from jiaozheng.core.access import ui_view
from jiaozheng.core.models import Notification
from jiaozheng.core.roles import Role
from jiaozheng.core.scoping import scope_for
from jiaozheng.dashboards import sections


@ui_view(any_user=True)
def home(request):
    scope = scope_for(request.user)
    if scope.role == Role.SUBJECT:
        return redirect("me")
    built = sections.build(request.user)
    charts = {}
    for name, data in built:
        if name == "caseload":
            charts["class"] = data["class_chart"]
            charts["type"] = data["type_chart"]
    return render(
        request,
        "dashboards/home.html",
        {
            "sections": built,
            "section_names": [name for name, _data in built],
            "data": dict(built),
            "charts": charts,
        },
    )


@ui_view(any_user=True, roles=[Role.SUBJECT])
def me(request):
    """The supervised person's phone home: what to do today, the schedule, results, messages."""
    from jiaozheng.assessments.selectors import my_assessments
    from jiaozheng.checkins.selectors import pending_for_person
    from jiaozheng.education.selectors import my_upcoming
    from jiaozheng.feedback.selectors import pending_for_subject

    person = request.user.person
    return render(
        request,
        "dashboards/me.html",
        {
            "person": person,
            "checkins": pending_for_person(actor=request.user),
            "sessions": my_upcoming(actor=request.user)[:5],
            "assessments": my_assessments(actor=request.user),
            "feedback": pending_for_subject(actor=request.user),
            "messages_list": list(Notification.objects.filter(recipient=request.user)[:5]),
            "unread": Notification.objects.filter(recipient=request.user, read_at__isnull=True).count(),
        },
    )

"""Home pages: each role lands on the page it works from."""

from __future__ import annotations

from django.shortcuts import redirect, render

from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import Role
from jiaozheng.core.scoping import scope_for
from jiaozheng.people.selectors import caseload_counts


@ui_view(any_user=True)
def home(request):
    scope = scope_for(request.user)
    if scope.role == Role.SUBJECT:
        return redirect("me")
    context = {}
    if scope.role != Role.AUDITOR:
        context["counts"] = caseload_counts(actor=request.user)
    return render(request, "dashboards/home.html", context)


@ui_view(any_user=True, roles=[Role.SUBJECT])
def me(request):
    person = request.user.person
    return render(request, "dashboards/me.html", {"person": person})

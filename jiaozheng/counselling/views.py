"""Counselling pages: referrals, individual cases, group formation, groups and sessions."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import STAFF_ROLES, Domain
from jiaozheng.counselling.choices import ReferralStatus
from jiaozheng.counselling.selectors import referral_list

PAGE_SIZE = 30


@ui_view(roles=STAFF_ROLES, domain=Domain.SERVICES)
def referral_list_view(request):
    status = request.GET.get("status", ReferralStatus.OPEN)
    qs = referral_list(actor=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "counselling/referral_list.html",
        {"page": page, "status": status, "statuses": ReferralStatus.choices},
    )

"""Account pages (password, two-step verification, language) and staff management for bureau admins."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import ASSIGNABLE_ROLES, CHANGE, Domain, Role
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.orgs import services
from jiaozheng.orgs.models import OrgUnit, ServiceProvider, User


class TotpForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the authenticator app"), max_length=8)


@ui_view(any_user=True)
def account(request):
    user = request.user
    password_form = PasswordChangeForm(user, request.POST if request.POST.get("form") == "password" else None)
    totp_form = TotpForm(request.POST if request.POST.get("form") == "totp" else None)
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "password" and password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, password_form.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("orgs:account")
        if which == "totp_begin":
            services.totp_begin(user=user)
            return redirect("orgs:account")
        if which == "totp" and totp_form.is_valid():
            try:
                services.totp_confirm(user=user, code=totp_form.cleaned_data["code"])
            except ValidationError as exc:
                totp_form.add_error("code", exc.messages[0])
            else:
                messages.success(request, _("Two-step verification is on."))
                return redirect("orgs:account")
        if which == "totp_off":
            services.totp_disable(user=user)
            messages.success(request, _("Two-step verification is off."))
            return redirect("orgs:account")
    context = {
        "password_form": password_form,
        "totp_form": totp_form,
        "totp_pending": bool(user.totp_secret) and not user.totp_enabled,
        "totp_secret": user.totp_secret if user.totp_secret and not user.totp_enabled else "",
        "totp_uri": services.totp_uri(user) if user.totp_secret and not user.totp_enabled else "",
        "template": "layouts/mobile.html" if user.role == Role.SUBJECT else "layouts/staff.html",
    }
    return render(request, "orgs/account.html", context)


class StaffForm(forms.Form):
    username = forms.RegexField(
        label=gettext_lazy("Account"),
        max_length=40,
        regex=r"^[a-z0-9_.-]{3,40}$",
        help_text=gettext_lazy("3-40 lower-case letters, digits, _ . -"),
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Posted to"), queryset=OrgUnit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    phone = forms.RegexField(label=gettext_lazy("Mobile phone"), regex=r"^1[3-9]\d{9}$", required=False)
    can_view_juveniles = forms.NullBooleanField(
        label=gettext_lazy("May see juveniles' records"), required=False, widget=forms.NullBooleanSelect
    )
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Service provider"),
        queryset=ServiceProvider.objects.none(),
        required=False,
        help_text=gettext_lazy("For social workers, counsellors and the provider's supervisor"),
    )

    def __init__(self, *args, actor, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["role"].choices = [(r, Role(r).label) for r in Role.values if r in ASSIGNABLE_ROLES]
            del self.fields["provider"]
        else:
            self.fields["role"].choices = [(r, Role(r).label) for r in services.grantable_roles(actor)]
            self.fields["units"].required = False
            self.fields["provider"].queryset = ServiceProvider.objects.order_by("name")
        self.fields["units"].queryset = (
            scoped(OrgUnit, actor)
            .filter(kind__in=[OrgUnit.Kind.COUNTY, OrgUnit.Kind.SQUADRON])
            .order_by("path")
        )
        if editing:
            self.fields["username"].disabled = True

    def clean_username(self):
        username = self.cleaned_data["username"]
        if not self.fields["username"].disabled and User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This account name is taken."))
        return username


def _staff_queryset(actor):
    return scoped(User, actor).filter(is_system=False).exclude(role=Role.SUBJECT)


@ui_view(domain=Domain.ADMIN)
def staff_list(request):
    qs = (
        _staff_queryset(actor=request.user).prefetch_related("assignments__unit").order_by("role", "username")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "orgs/staff_list.html", {"page": page})


@ui_view(domain=Domain.ADMIN, action=CHANGE)
def staff_create(request):
    form = StaffForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.account_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                units=list(data["units"]),
                provider=data.get("provider"),
                phone=data["phone"] or "",
                can_view_juveniles=data["can_view_juveniles"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in exc.messages:
                    form.add_error(None, message)
        else:
            return render(
                request,
                "orgs/password_once.html",
                {
                    "title": _("Account %(u)s created") % {"u": user.username},
                    "account": user,
                    "password": password,
                },
            )
    return render(request, "orgs/staff_form.html", {"form": form, "title": _("New staff account")})


@ui_view(domain=Domain.ADMIN, action=CHANGE, obj=("pk", "orgs.User"))
def staff_edit(request, pk: int):
    user = get_scoped_or_404(_staff_queryset(request.user), request.user, CHANGE, pk=pk)
    initial = {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "phone": user.phone,
        "units": [a.unit_id for a in user.assignments.all()],
        "can_view_juveniles": user.can_view_juveniles,
    }
    form = StaffForm(request.POST or None, actor=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_update(
                actor=request.user,
                user=user,
                full_name=data["full_name"],
                role=data["role"],
                units=list(data["units"]),
                phone=data["phone"] or "",
                can_view_juveniles=data["can_view_juveniles"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:staff_list")
    return render(
        request, "orgs/staff_form.html", {"form": form, "title": _("Edit staff account"), "staff": user}
    )


@ui_view(domain=Domain.ADMIN, action=CHANGE, obj=("pk", "orgs.User"))
def staff_password(request, pk: int):
    user = get_scoped_or_404(_staff_queryset(request.user), request.user, CHANGE, pk=pk)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        user.must_change_password = True  # set by someone else: the holder chooses their own at sign-in
        user.save(update_fields=["must_change_password"])
        messages.success(request, _("The password of %(u)s has been set.") % {"u": user.username})
        return redirect("orgs:staff_list")
    return render(request, "orgs/staff_form.html", {"form": form, "title": _("Set password"), "staff": user})


@require_POST
@ui_view(domain=Domain.ADMIN, action=CHANGE, obj=("pk", "orgs.User"))
def staff_toggle(request, pk: int):
    user = get_scoped_or_404(_staff_queryset(request.user), request.user, CHANGE, pk=pk)
    if user.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        services.staff_set_active(actor=request.user, user=user, active=not user.is_active)
        messages.success(request, _("Saved."))
    return redirect("orgs:staff_list")

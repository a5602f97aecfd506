"""Platform pages: sign-in (throttled, optional TOTP), language, notifications, jobs, health."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from jiaozheng.core.access import ui_view
from jiaozheng.core.models import Job, Notification
from jiaozheng.core.registry import provider


class LoginForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Account"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=gettext_lazy("Verification code"),
        required=False,
        max_length=8,
        help_text=gettext_lazy("Only if two-step verification is on for your account"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@csrf_protect
@ui_view(public=True)
def login_view(request):
    login_allowed = provider("auth.login_allowed")
    login_record = provider("auth.login_record")
    totp_verify = provider("auth.totp_verify")
    language = request.GET.get("language")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = redirect(request.path)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 86400)
        return response
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        ip = _client_ip(request)
        if not login_allowed(username, ip):
            form.add_error(
                None,
                _("Too many failed sign-ins. Try again in %(minutes)s minutes.")
                % {"minutes": settings.LOGIN_FAILURE_WINDOW // 60},
            )
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is not None and user.totp_enabled and not totp_verify(user, form.cleaned_data["otp"]):
                login_record(username, ip, False)
                form.add_error("otp", _("Enter the 6-digit code from your authenticator app."))
            elif user is not None and not user.is_system:
                login_record(username, ip, True)
                login(request, user)
                return HttpResponseRedirect(_safe_next(request, next_url))
            else:
                login_record(username, ip, False)
                form.add_error(None, _("The account or password is not correct."))
    return render(request, "registration/login.html", {"form": form, "next": next_url})


@require_POST
@ui_view(public=True)
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
@ui_view(public=True)
def set_language(request):
    language = request.POST.get("language", "")
    next_url = _safe_next(request, request.POST.get("next", ""))
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 86400)
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


@ui_view(any_user=True)
def notifications(request):
    qs = Notification.objects.filter(recipient=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@require_POST
@ui_view(any_user=True, obj=("pk", "core.Notification"))
def notification_open(request, pk: int):
    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}):
        return redirect(note.link)
    return redirect("notifications")


@require_POST
@ui_view(any_user=True)
def notifications_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("All messages marked as read."))
    return redirect("notifications")


def _job_for(request, pk: int) -> Job:
    job = Job.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404
    return job


@ui_view(any_staff=True, obj=("pk", "core.Job"))
def job_detail(request, pk: int):
    job = _job_for(request, pk)
    template = "core/job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


@ui_view(any_staff=True, obj=("pk", "core.Job"))
def job_download(request, pk: int):
    job = _job_for(request, pk)
    if not job.result_file:
        raise Http404
    return FileResponse(
        job.result_file.open("rb"), as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1]
    )


@ui_view(any_staff=True)
def job_list(request):
    page = Paginator(Job.objects.filter(created_by=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@ui_view(public=True)
def health(request):
    """Liveness and readiness for monitoring: the database answers and migrations are applied."""
    status = {"status": "ok", "database": "ok", "time": timezone.now().isoformat()}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # the monitoring answer must never be a crash page
        status.update(status="error", database=str(exc)[:200])
        code = 503
    return JsonResponse(status, status=code)


@ui_view(public=True)
def metrics(request):
    """Prometheus text format for the monitoring server; aggregate counts only, from allowed addresses."""
    from django.http import HttpResponse, HttpResponseForbidden

    if request.META.get("REMOTE_ADDR", "") not in settings.METRICS_ALLOWED_IPS:
        return HttpResponseForbidden("metrics are served to the monitoring hosts only")
    from jiaozheng.core.monitoring import collect

    lines = []
    for name, help_text, value in collect():
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} gauge")
        lines.append(f"{name} {value}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)

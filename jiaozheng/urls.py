"""URL configuration: each app's urls.py is mounted under /<app_label>/; the API under /api/v1/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from jiaozheng.api import api
from jiaozheng.core.registry import app_modules
from jiaozheng.dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("me/", dashboard_views.me, name="me"),
    path("", include("jiaozheng.core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

for _cfg, _module in app_modules("urls"):
    if _cfg.label == "core":
        continue
    urlpatterns.append(
        path(f"{_cfg.label}/", include((_module.urlpatterns, _cfg.label), namespace=_cfg.label))
    )

handler403 = "jiaozheng.core.views.forbidden"
handler404 = "jiaozheng.core.views.not_found"

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_noop

from jiaozheng.core.access import user_allowed
from jiaozheng.core.registry import nav_items


def platform(request):
    user = getattr(request, "user", None)
    nav = []
    unread = 0
    if user is not None and user.is_authenticated:
        path = request.path
        from django.urls import NoReverseMatch, reverse

        for item in nav_items():
            if not user_allowed(user, item.policy):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            nav.append(
                {
                    "label": item.label,
                    "url": url,
                    "icon": item.icon,
                    "group": item.group,
                    "active": path == url or (url != "/" and path.startswith(url)),
                }
            )
        from jiaozheng.core.models import Notification

        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"platform_name": settings.JZ_PLATFORM_NAME, "nav": nav, "unread_notifications": unread}


# The platform's name is set in settings (JZ_PLATFORM_NAME), outside any app: named here so that it is
# extracted into core's catalogue and translated.
PLATFORM_NAME = gettext_noop("Jiaozheng community-corrections platform")

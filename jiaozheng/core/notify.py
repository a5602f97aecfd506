"""In-app notifications with pluggable extra channels (SMS gateway, e-mail).

``notify(users, title=..., ...)`` stores one Notification per user in the caller's transaction and, after
commit, hands each to the senders listed in settings.NOTIFICATION_SENDERS (dotted paths of classes with
``send(notification)``). ``EmailSender`` and ``LogSmsSender`` are provided; a real SMS gateway is one
more class with the same method.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from jiaozheng.core.models import Notification

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _senders() -> tuple[Any, ...]:
    return tuple(import_string(path)() for path in settings.NOTIFICATION_SENDERS)


def notify(
    recipients: Iterable[Any],
    *,
    title: str,
    body: str = "",
    link: str = "",
    level: str = Notification.Level.INFO,
    kind: str = "",
) -> list[Notification]:
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                title=str(title)[:200],
                body=str(body),
                link=link[:300],
                level=level,
                kind=kind,
            )
        )
    created = Notification.objects.bulk_create(rows)
    senders = _senders()
    if senders and created:

        def deliver() -> None:
            for note in created:
                for sender in senders:
                    try:
                        sender.send(note)
                    except Exception:  # a failing gateway must not lose the in-app message
                        log.exception("notification sender %s failed", type(sender).__name__)

        transaction.on_commit(deliver)
    return created


def staff_for_person(person: Any, roles: Iterable[str]) -> list[Any]:
    """Active staff with one of ``roles`` posted to the person's squadron or county."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            role__in=list(roles),
            assignments__unit_id__in=[person.squadron_id, person.county_id],
        )
        .distinct()
    )


class EmailSender:
    def send(self, notification: Notification) -> None:
        address = notification.recipient.email
        if address:
            send_mail(
                notification.title,
                notification.body or notification.title,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=False,
            )


class LogSmsSender:
    """Stands in for an SMS gateway: logs the message that would be sent to the recipient's phone."""

    def send(self, notification: Notification) -> None:
        phone = notification.recipient.phone
        if phone and notification.level in (Notification.Level.URGENT, Notification.Level.WARNING):
            log.info("SMS to %s****: %s", phone[:3], notification.title)

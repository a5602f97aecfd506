"""Keep the fence caches honest: a prohibition order's zone or dates changed → reload the person's fences."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jiaozheng.people.models import ProhibitionOrder


@receiver(post_save, sender=ProhibitionOrder, dispatch_uid="location.prohibition_saved")
@receiver(post_delete, sender=ProhibitionOrder, dispatch_uid="location.prohibition_deleted")
def prohibition_changed(sender: Any, instance: ProhibitionOrder, **kwargs: Any) -> None:
    from jiaozheng.location.services import fences_changed

    person_id = instance.person_id
    fences_changed(person_id)
    transaction.on_commit(lambda: _forget(person_id))


def _forget(person_id: int) -> None:
    from jiaozheng.location import fences

    fences.forget(person_id)

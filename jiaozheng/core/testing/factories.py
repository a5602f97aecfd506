"""Matrix object factories of the platform's own models."""

from __future__ import annotations

from django.core.files.base import ContentFile

from jiaozheng.core.models import Job, Notification
from jiaozheng.core.testing.matrix import object_factory


def _someone_else(world, user):
    return world.bureau_officer_y if user != world.bureau_officer_y else world.bureau_admin


@object_factory("core.Notification", owned=True)
def make_notification(world, where, user):
    recipient = user if where == "own" else _someone_else(world, user)
    return Notification.objects.create(recipient=recipient, title="测试通知")


@object_factory("core.Job", owned=True)
def make_job(world, where, user):
    owner = user if where == "own" else _someone_else(world, user)
    job = Job(kind="test", title="测试任务", created_by=owner, status=Job.Status.SUCCEEDED)
    job.result_file.save("result.txt", ContentFile("任务结果".encode()), save=False)
    job.save()
    return job

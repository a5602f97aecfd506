"""Access-matrix factories of the monthly hand-over and the evidence pack."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from jiaozheng.core.testing.matrix import object_factory
from jiaozheng.evidence.models import EvidencePack, MonthlySubmission


def _contract(world, where):
    return world.contract_y if where == "Y" else world.contract_x


@object_factory("evidence.MonthlySubmission")
def make_submission(world, where):
    contract = _contract(world, where)
    month = timezone.localdate().replace(day=1)
    version = MonthlySubmission.objects.filter(contract=contract, month=month).count() + 1
    return MonthlySubmission.objects.create(
        contract=contract,
        month=month,
        version=version,
        plan="计划",
        summary="小结",
        submitted_by=world.system,
    )


@object_factory("evidence.EvidencePack")
def make_pack(world, where):
    pack = EvidencePack(
        contract=_contract(world, where), year=timezone.localdate().year, domains=["performance"]
    )
    pack.file.save("pack.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    pack.save()
    return pack

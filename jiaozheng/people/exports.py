"""Caseload export to XLSX; identity numbers and phones are masked unless the role may see them."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiaozheng.core.roles import Role
from jiaozheng.core.scoping import scope_for
from jiaozheng.core.validators import safe_cell
from jiaozheng.people.choices import ethnicity_label

# Roles that receive full ID numbers and phones in exports (for the provincial system and police).
FULL_IDENTITY_ROLES = {Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.SQUADRON_OFFICER}


def persons_xlsx(persons: Any, *, actor: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    scope = scope_for(actor)
    full = scope.unrestricted or scope.role in FULL_IDENTITY_ROLES
    language = get_language() or "zh-hans"
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = _("Caseload")[:31]
    headers = [
        _("Case number"),
        _("Name"),
        _("Gender"),
        _("Date of birth"),
        _("Ethnicity"),
        _("ID number"),
        _("Mobile phone"),
        _("Education"),
        _("Employment"),
        _("Squadron"),
        _("Township"),
        _("Home address"),
        _("Correction type"),
        _("Offence category"),
        _("Offence (charge)"),
        _("Correction term start"),
        _("Correction term end"),
        _("Reported / taken in on"),
        _("Supervision class"),
        _("Status"),
        _("Juvenile"),
        _("Family in hardship"),
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for p in persons.select_related("squadron", "township").iterator(chunk_size=1000):
        ws.append(
            [
                safe_cell(v)
                for v in (
                    p.case_number,
                    p.name,
                    p.get_gender_display(),
                    p.birth_date,
                    ethnicity_label(p.ethnicity, language),
                    p.id_number if full else p.id_number_masked,
                    p.phone if full else p.phone_masked,
                    p.get_education_display(),
                    p.get_employment_display(),
                    p.squadron.name,
                    p.township.name if p.township else "",
                    p.address,
                    p.get_correction_type_display(),
                    p.get_offence_category_display(),
                    p.offence,
                    p.term_start,
                    p.term_end,
                    p.intake_on,
                    p.get_supervision_class_display(),
                    p.get_status_display(),
                    _("Yes") if p.is_juvenile else "",
                    _("Yes") if p.is_hardship else "",
                )
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

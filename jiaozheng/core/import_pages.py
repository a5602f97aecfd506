"""One import page for every kind of record: the upload form, the template link and the columns. The file
runs as a background job (``core.import``) under the kind's own permission check; the job page shows what
was written, or every problem grouped by cause."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.core.imports import import_kinds


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))


def import_page(request: Any, kind_code: str, *, template_url: str) -> HttpResponse:
    kind = import_kinds()[kind_code]
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from jiaozheng.core.jobs import job_start

        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_BYTES // 2**20}
            )
        else:
            safe_name = "upload.xlsx" if upload.name.lower().endswith(".xlsx") else "upload.csv"
            job = job_start(
                actor=request.user,
                kind="core.import",
                title=_("Import (%(kind)s): %(f)s") % {"kind": kind.label, "f": upload.name[:80]},
                params={"filename": safe_name, "kind": kind_code},
                input_name=safe_name,
                input_bytes=upload.read(),
            )
            return redirect("job_detail", pk=job.pk)
    return render(
        request,
        "core/import_page.html",
        {"form": form, "columns": kind.columns, "kind": kind, "template_url": template_url},
    )


def import_template_response(kind_code: str) -> HttpResponse:
    response = HttpResponse(
        import_kinds()[kind_code].template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{kind_code}-template.xlsx"'
    return response

"""Django admin (superusers only): provinces' visit standards; county rows are edited on /visits/standards/."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from jiaozheng.visits.models import VisitStandard


@admin.register(VisitStandard)
class VisitStandardAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "unit",
        "visit_type",
        "supervision_class",
        "entrant",
        "required_count",
        "period_length",
        "period_unit",
        "active",
    )
    list_filter = ("active", "visit_type", "unit")
    search_fields = ("name", "source")

    def save_model(self, request, obj, form, change):
        from jiaozheng.visits.services import STANDARD_FIELDS, _clean_standard

        clean = _clean_standard({f: getattr(obj, f) for f in STANDARD_FIELDS})
        for key, value in clean.items():
            setattr(obj, key, value)
        obj.full_clean()
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class Checked(form):  # type: ignore[misc, valid-type]
            def clean(self):
                data = super().clean()
                from jiaozheng.visits.services import STANDARD_FIELDS, _clean_standard

                try:
                    _clean_standard({f: data.get(f) for f in STANDARD_FIELDS})
                except ValidationError as exc:
                    raise ValidationError(exc.messages)
                return data

        return Checked

"""Django admin: an operator tool for reference data, open to superusers only.

Writes made here are audited like any other (AuditedModel), attributed to the admin user.
"""

from django.contrib import admin

from jiaozheng.core.models import Job, RuleValue
from jiaozheng.core.rules import validate_value


def _superuser_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superuser_only
admin.site.site_header = "矫正平台 · 运维管理"
admin.site.site_title = "矫正平台运维"


@admin.register(RuleValue)
class RuleValueAdmin(admin.ModelAdmin):
    list_display = ("key", "unit", "value", "source", "updated_at")
    list_filter = ("key",)

    def save_model(self, request, obj, form, change):
        validate_value(obj.key, obj.value)
        super().save_model(request, obj, form, change)
        from jiaozheng.core.rules import clear_cache

        clear_cache()


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "created_by", "created_at")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

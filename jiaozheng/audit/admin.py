from django.contrib import admin

from jiaozheng.audit.models import AccessLog, AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor_label", "origin", "action", "verb", "model", "object_id")
    list_filter = ("origin", "action", "model")
    search_fields = ("object_id", "actor_label", "request_id")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "kind", "person", "detail")
    list_filter = ("kind",)

from django.contrib import admin

from jiaozheng.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Read-only in the admin: persons are registered and changed through the caseload pages."""

    list_display = ("case_number", "name", "squadron", "correction_type", "supervision_class", "status")
    list_filter = ("status", "supervision_class", "correction_type")
    search_fields = ("case_number", "name")
    exclude = ("id_number", "phone")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

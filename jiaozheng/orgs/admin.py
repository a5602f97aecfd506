from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jiaozheng.orgs.models import Assignment, OrgUnit, ServiceProvider, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "parent", "county", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "code")
    readonly_fields = ("path", "county", "squadron")


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "contact_name")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0


@admin.register(User)
class JZUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "provider", "is_active", "last_login")
    list_filter = ("role", "is_active", "provider")
    search_fields = ("username", "full_name")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "矫正平台",
            {
                "fields": (
                    "role",
                    "full_name",
                    "provider",
                    "person",
                    "can_view_juveniles",
                    "totp_enabled",
                    "language",
                )
            },
        ),
    )
    inlines = [AssignmentInline]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    raw_id_fields = ["place"]
    extra = 0
    readonly_fields = ["place_path"]


@admin.register(User)
class ShanzhiUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("善治", {"fields": ["full_name", "phone", "person", "must_change_password", "failed_logins", "locked_until"]}),
    ]
    raw_id_fields = ["person"]
    inlines = [RoleAssignmentInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.place_path = obj.place.path
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()

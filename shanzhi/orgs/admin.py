from django.contrib import admin

from shanzhi.core.admin import AuditedAdmin

from .models import Membership, Organisation, UnitAccount


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place", "is_active"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["place", "parent"]
    readonly_fields = ["place_path"]

    def save_model(self, request, obj, form, change):
        obj.place_path = obj.place.path
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["person", "organisation", "post", "term_start", "term_end"]
    raw_id_fields = ["person", "organisation"]
    readonly_fields = ["place_path"]

    def save_model(self, request, obj, form, change):
        obj.place_path = obj.organisation.place_path
        super().save_model(request, obj, form, change)


@admin.register(UnitAccount)
class UnitAccountAdmin(AuditedAdmin):
    list_display = ["user", "organisation", "is_active", "created_at"]
    list_filter = ["is_active"]
    raw_id_fields = ["user", "organisation"]
    readonly_fields = ["place_path"]

    def save_model(self, request, obj, form, change):
        obj.place_path = obj.organisation.place_path
        super().save_model(request, obj, form, change)

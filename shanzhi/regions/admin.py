from django.contrib import admin

from shanzhi.core.admin import AuditedAdmin

from .models import Place


@admin.register(Place)
class PlaceAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "is_synthetic", "is_active"]
    list_filter = ["level", "is_synthetic"]
    search_fields = ["code", "name", "initials", "pinyin"]
    raw_id_fields = ["parent"]
    readonly_fields = ["code", "path", "level", "parent", "pinyin", "initials"]

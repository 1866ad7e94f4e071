from django.contrib import admin

from shanzhi.core.admin import ReadOnlyAdmin

from .models import CalendarDay, CaseHistory
from .services import calendar_day_remove, calendar_day_set


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Edits go through the services, so they are checked (calendar.manage) and audited like the staff page."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = calendar_day_set(acting_user=request.user, date=obj.date, kind=obj.kind, name=obj.name)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_remove(acting_user=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            calendar_day_remove(acting_user=request.user, date=day.date)


@admin.register(CaseHistory)
class CaseHistoryAdmin(ReadOnlyAdmin):
    """Read-only: the history is written by the engine only."""

    list_display = ["at", "workflow", "object_id", "label", "from_state", "to_state", "actor_name"]
    list_filter = ["workflow", "kind"]
    search_fields = ["actor_name", "note"]

from django.contrib import admin

from shanzhi.core.admin import ReadOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only."""

    list_display = ["at", "actor_name", "action", "event", "object_repr", "success", "ip"]
    list_filter = ["action", "success"]
    search_fields = ["actor_name", "event", "object_repr", "request_id"]

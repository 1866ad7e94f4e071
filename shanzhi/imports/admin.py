from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: a job is the record of what an import did."""

    list_display = ["created_at", "created_by", "file_name", "status", "row_count", "persons_created", "persons_updated",
                    "error_count"]
    list_filter = ["status", "kind"]
    search_fields = ["file_name", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

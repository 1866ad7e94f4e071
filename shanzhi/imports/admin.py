from django.contrib import admin

from shanzhi.core.admin import ReadOnlyAdmin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Read-only: a job is the record of what an import did."""

    list_display = ["created_at", "created_by", "file_name", "status", "row_count", "persons_created", "persons_updated",
                    "error_count"]
    list_filter = ["status", "kind"]
    search_fields = ["file_name", "sha256"]

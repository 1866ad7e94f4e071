from django.contrib import admin

from shanzhi.core.admin import ReadOnlyAdmin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Read-only: attachments come in through attachment_create, which checks the file."""

    list_display = ["created_at", "original_name", "mime_type", "size", "uploaded_by", "place_path", "object_type", "object_id"]
    list_filter = ["kind", "mime_type"]
    search_fields = ["original_name", "sha256", "place_path"]

"""Open311 keys and submissions in the admin: read-only (keys are issued and revoked by the audited management
commands; submissions are written by POST Service Request). The key digest is never shown."""

from __future__ import annotations

from django.contrib import admin

from shanzhi.core.admin import ReadOnlyAdmin

from .models import ApiKey, Submission


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "user", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    exclude = ["key_hash"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["event", "api_key", "created_at", "last_name", "first_name", "phone", "email"]
    list_select_related = ["event", "api_key"]
    search_fields = ["event__number", "phone", "email"]

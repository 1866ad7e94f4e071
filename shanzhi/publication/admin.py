"""Read-only admin: publications are immutable and objections are answered through the services."""

from __future__ import annotations

from django.contrib import admin

from shanzhi.core.admin import ReadOnlyAdmin

from .models import Objection, Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["title", "public_id", "kind", "place", "starts_on", "ends_on", "status", "published_by"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "public_id", "fingerprint"]
    list_select_related = ["place", "published_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["receipt", "publication", "name", "status", "created_at", "handled_by"]
    list_filter = ["status"]
    search_fields = ["receipt"]
    list_select_related = ["publication", "handled_by"]

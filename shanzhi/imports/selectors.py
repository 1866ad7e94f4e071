"""Reads of import jobs: a job is its importer's own; anyone else gets "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shanzhi.core.errors import NotFound

from .models import ImportJob


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    """The user's own jobs, newest first; the error list (up to one entry per bad cell) is left out."""
    if not getattr(user, "is_authenticated", False):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user).defer("errors").order_by("-created_at", "-id")


def import_job_detail(*, user: Any, pk: int) -> ImportJob:
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    try:
        return ImportJob.objects.select_related("created_by").get(created_by=user, pk=pk)
    except ImportJob.DoesNotExist:
        raise NotFound()

from __future__ import annotations

from django_tasks import task

from .services import publications_close_ended


@task()
def close_ended_publications() -> int:
    """Hourly: publications past their period become "closed" (idempotent; rows locked)."""
    return publications_close_ended()

"""Tasks run by the task worker (``shanzhi worker``; django-tasks with the database backend)."""

from __future__ import annotations

from django_tasks import task

from .engine import sweep_overdue


@task()
def sweep_overdue_cases() -> dict[str, int]:
    """The overdue sweeper, enqueued every five minutes by the worker's scheduler (see ``apps.py``)."""
    return sweep_overdue()

"""Tasks run by the task worker (``shanzhi worker``; django-tasks with the database backend)."""

from __future__ import annotations

from django_tasks import task

from .services import zero_report_remind


@task()
def remind_zero_reports() -> dict[str, int]:
    """零报告催报 after the day's cut-off, enqueued every ten minutes (see ``apps.py``); once per place and day."""
    return zero_report_remind()

"""Tasks run by the task worker (``shanzhi worker``; django-tasks with the database backend)."""

from __future__ import annotations

from django_tasks import task

from .services import redemptions_expire


@task()
def expire_reservations() -> int:
    """预约逾期: reservations not collected within the shop's days expire, points and stock given back; enqueued
    every ten minutes (see ``apps.py``)."""
    return redemptions_expire()

"""Periodic work run by the task worker (``shanzhi worker``): apps register tasks with an interval;
the worker's scheduler thread enqueues each when due, and the database task backend runs it.
Tasks must be idempotent and lock what they change (the sweeper pattern), since several workers
may run side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeriodicTask:
    task: Any  # a django_tasks Task
    every_seconds: int
    name: str


_registry: dict[str, PeriodicTask] = {}


def register(task: Any, *, every_seconds: int) -> Any:
    name = f"{task.module_path}"
    _registry[name] = PeriodicTask(task=task, every_seconds=every_seconds, name=name)
    return task


def registered() -> list[PeriodicTask]:
    return list(_registry.values())

"""Tasks of the files kernel run by the task worker (``shanzhi worker``)."""

from __future__ import annotations

from django_tasks import task

from .services import orphan_files_sweep


@task()
def sweep_orphan_files() -> int:
    """Delete stored uploads no attachment references, older than a day; enqueued every six hours."""
    return orphan_files_sweep()

"""``shanzhi worker``: the task worker. It runs django-tasks-db's database worker and, beside it, a
scheduler thread that enqueues the registered periodic tasks (overdue sweeper and the like)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shanzhi.core.periodic import registered

logger = logging.getLogger("shanzhi.worker")


def scheduler_loop(stop: threading.Event, tick: float = 5.0) -> None:
    last_run: dict[str, float] = {}
    while not stop.is_set():
        now_ts = time.monotonic()
        for periodic in registered():
            if now_ts - last_run.get(periodic.name, -1e9) >= periodic.every_seconds:
                try:
                    periodic.task.enqueue()
                    last_run[periodic.name] = now_ts
                except Exception:  # keep scheduling the others; the error is logged
                    logger.exception("could not enqueue %s", periodic.name)
                finally:
                    close_old_connections()
        stop.wait(tick)


class Command(BaseCommand):
    help = "Run the task worker with the periodic scheduler."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Only run queued tasks.")
        parser.add_argument("--batch", action="store_true", help="Enqueue every periodic task once, run all, exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            for periodic in registered():
                periodic.task.enqueue()
            call_command("db_worker", queue_name="*", batch=True, startup_delay=False, verbosity=options["verbosity"])
            return
        stop = threading.Event()
        if not options["no_scheduler"]:
            threading.Thread(target=scheduler_loop, args=(stop,), daemon=True, name="scheduler").start()
        try:
            call_command("db_worker", queue_name="*", reload=False, verbosity=options["verbosity"])
        finally:
            stop.set()

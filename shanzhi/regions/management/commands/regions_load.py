from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shanzhi.regions.services import regions_load


class Command(BaseCommand):
    help = "Load the national administrative divisions (province to township); idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--under", default="", help="only this code prefix and its ancestors, e.g. 419001")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        created = regions_load(under=options["under"])
        self.stdout.write(f"区划：新增 {created} 条，用时 {time.monotonic() - started:.1f} 秒。")

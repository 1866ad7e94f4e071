from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ApplicationError
from shanzhi.grid.services import load_demo_matters
from shanzhi.regions.models import Place


class Command(BaseCommand):
    help = "Load the demo grid matter list (about 40 rural matters) into a county's or township's list; idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--place", required=True, help="code of the county or township issuing the list, e.g. 419001000000")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["place"].strip()
        place = Place.objects.filter(code=code).first()
        if place is None:
            raise CommandError(f"未找到区划 {code}；请先载入区划（shanzhi regions_load --under {code[:6]}）。")
        try:
            result = load_demo_matters(place)
        except ApplicationError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"{place.name}网格事项清单：新增 {result.created} 项，已有 {result.present} 项。")

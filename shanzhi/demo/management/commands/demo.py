from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shanzhi.core.errors import ValidationFailed
from shanzhi.demo.services import SCALES, demo_load


class Command(BaseCommand):
    help = ("Load the demo county (济源): --scale small (a few villages, seconds) or county (16 townships, "
            "~525 villages, ~730,000 persons, minutes); deterministic by --seed; idempotent.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same people (default 1)")
        parser.add_argument("--regions", default="", metavar="CODE",
                            help="load national regions only under this code prefix, e.g. 419001 (default: all)")
        parser.add_argument("--without-capabilities", action="store_true",
                            help="only the registry, grids and events: skip the loaders of points, mediation, "
                                 "self-governance … (tests of the core demo use it; each capability tests its own)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        scale, seed = options["scale"], options["seed"]
        if connection.vendor != "sqlite" and not (os.environ.get("SHANZHI_DEMO") == "1" or os.environ.get("TESTING")):
            # Demo accounts share a published password: never on a production database by accident.
            raise CommandError("演示数据只应载入演示库。确认这是演示用的 PostgreSQL 库后，设置 SHANZHI_DEMO=1 再运行。")
        self.stdout.write(f"演示数据：规模 {scale}，种子 {seed}")
        try:
            result = demo_load(acting_user=None, scale=scale, seed=seed, regions_under=options["regions"],
                               progress=lambda msg: self.stdout.write(f"  {msg}"))
        except ValidationFailed as exc:
            raise CommandError(exc.message)
        counts = result.counts
        summary = (f"{counts.get('villages', 0)} 个村/社区，{counts.get('grids', 0)} 个网格，"
                   f"{counts.get('households', 0)} 户，{counts.get('persons', 0)} 人，{counts.get('subjects', 0)} 个主体，"
                   f"{counts.get('organisations', 0)} 个组织")
        if result.status == "present":
            self.stdout.write(f"演示数据已存在（{summary}），未重复载入。")
            if result.accounts_created:
                self.stdout.write(f"补建演示账号：{'、'.join(result.accounts_created)}")
        else:
            self.stdout.write(self.style.SUCCESS(f"已载入：{summary}；总用时 {time.perf_counter() - started:.1f} 秒。"))
        # Domain capabilities' demo data (idempotent each): the county's grid matter list (G2).
        from shanzhi.grid.services import load_demo_matters
        from shanzhi.regions.models import Place

        county = Place.objects.filter(code="419001000000").first()
        if county is not None:
            matters = load_demo_matters(county)
            self.stdout.write(f"  网格事项清单：新增 {matters.created} 项，已有 {matters.present} 项")
        # G1/G5/G6 in the key village: a special grid with hazard points, the duties 5 + X, an assistant.
        from shanzhi.grid.demo_grid import load_demo_grid

        grid_demo = load_demo_grid()
        if grid_demo.created:
            self.stdout.write(f"  网格演示：新增 {'、'.join(grid_demo.created)}")
        # G3: half a year of past events through the services, and the triage classifier trained on them.
        from shanzhi.demo.past_events import load_past_events_and_train

        for line in load_past_events_and_train(seed=seed):
            self.stdout.write(f"  {line}")
        # G3/G4: a year of events for every grid, in bulk (~200,000 at county scale), and the classifier retrained
        # on them.
        from django.utils.timezone import now

        from shanzhi.demo.events import demo_events_load
        from shanzhi.events import classifier

        if demo_events_load(seed=seed, end=now(), say=lambda line: self.stdout.write(f"  {line}")):
            trained = classifier.classifier_train()
            self.stdout.write(f"  事件分流分类器：以 {trained.events} 件事件重新训练，留出检验准确率 {trained.accuracy:.0%}")
        # Points, mediation, self-governance …: each capability's own loader (shanzhi/demo/registry.py).
        from shanzhi.demo.registry import loaders

        for loader in [] if options["without_capabilities"] else loaders():
            loader.load(scale=scale, seed=seed, say=lambda line: self.stdout.write(f"  {line}"))
        if result.skipped_accounts:
            self.stdout.write(self.style.WARNING(f"未建账号（所在区划不存在）：{'、'.join(result.skipped_accounts)}"))

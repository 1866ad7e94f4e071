"""shanzhi events_assessment_check --place 419001100000 --month 2026-11

Recompute the event assessment (G4) of a place and period from the workflow history alone and compare it with
the figures the assessment page shows (``events.assessment.assessment_check``). Prints the differences and
exits with an error when there are any."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.errors import ValidationFailed
from shanzhi.events import assessment
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import CHINA


class Command(BaseCommand):
    help = "用流程记录重新计算事件考核指标，并与考核页面的结果核对。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", required=True, help="县、乡镇或村的区划代码")
        parser.add_argument("--month", default="", help="月份，如 2026-11（默认本月）")
        parser.add_argument("--start", default="", help="开始日期（与 --end 一起使用，代替 --month）")
        parser.add_argument("--end", default="", help="截止日期（含）")
        parser.add_argument("--now", default="", help="按此日期 00:00（北京时间）计算，默认现在")

    def handle(self, *args: Any, **options: Any) -> None:
        place = Place.objects.filter(
            code=options["place"].strip(), level__in=assessment.ASSESSMENT_PLACE_LEVELS
        ).first()
        if place is None:
            raise CommandError(f"找不到区划 {options['place']}（须为县、乡镇或村）。")
        try:
            now = (
                dt.datetime.combine(dt.date.fromisoformat(options["now"]), dt.time.min, tzinfo=CHINA)
                if options["now"]
                else None
            )
            period = assessment.period_from(options, today=assessment.today_local(now))
        except ValueError:
            raise CommandError("--now 应为 年-月-日。")
        except ValidationFailed as exc:
            raise CommandError(exc.message)
        problems = assessment.assessment_check(place=place, period=period, now=now)
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(
                f"{place.name} {period.label}：页面指标与流程记录不一致（{len(problems)} 处）。"
            )
        self.stdout.write(f"{place.name} {period.label}：页面指标与流程记录重新计算的结果一致。")

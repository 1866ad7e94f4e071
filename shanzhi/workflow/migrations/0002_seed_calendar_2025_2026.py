"""Seed the working-day calendar with the published official schedules:
- 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）
- 国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）
Holiday spans are listed day by day (weekend days inside a span included); "workday" rows are the 调休
weekend days worked. The 2027 notice had not been published when this was written: enter it on the
工作日历 page (/workflow/calendar/) when it is."""

import datetime as dt

from django.db import migrations


def span(first, last, name):
    day = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last)
    while day <= end:
        yield day, "holiday", name
        day += dt.timedelta(days=1)


def work(*days, name):
    return [(dt.date.fromisoformat(d), "workday", name) for d in days]


SCHEDULE = [
    # 2025
    *span("2025-01-01", "2025-01-01", "元旦"),
    *span("2025-01-28", "2025-02-04", "春节"), *work("2025-01-26", "2025-02-08", name="春节"),
    *span("2025-04-04", "2025-04-06", "清明节"),
    *span("2025-05-01", "2025-05-05", "劳动节"), *work("2025-04-27", name="劳动节"),
    *span("2025-05-31", "2025-06-02", "端午节"),
    *span("2025-10-01", "2025-10-08", "国庆节、中秋节"), *work("2025-09-28", "2025-10-11", name="国庆节、中秋节"),
    # 2026
    *span("2026-01-01", "2026-01-03", "元旦"), *work("2026-01-04", name="元旦"),
    *span("2026-02-15", "2026-02-23", "春节"), *work("2026-02-14", "2026-02-28", name="春节"),
    *span("2026-04-04", "2026-04-06", "清明节"),
    *span("2026-05-01", "2026-05-05", "劳动节"), *work("2026-05-09", name="劳动节"),
    *span("2026-06-19", "2026-06-21", "端午节"),
    *span("2026-09-25", "2026-09-27", "中秋节"),
    *span("2026-10-01", "2026-10-07", "国庆节"), *work("2026-09-20", "2026-10-10", name="国庆节"),
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("workflow", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=k, name=n) for d, k, n in SCHEDULE if d not in existing]
    )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workflow", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, _k, _n in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

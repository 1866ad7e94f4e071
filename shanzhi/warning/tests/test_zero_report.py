"""零报告 (domain.md G5) with a controllable clock: the days that need a report across a weekend, 中秋/国庆 and the
make-up workdays of the seeded 2026 calendar; filing rules; the daily sheet's filed / by events / late /
missing; the reminder task (once a day, after the cut-off); the home-page items; periods; pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.core.home import action_items
from shanzhi.notify.models import Message
from shanzhi.notify.sms import ConsoleSmsBackend
from shanzhi.warning import selectors, services
from shanzhi.warning.choices import DayStatus
from shanzhi.warning.models import ZeroReport, ZeroReportPeriod, ZeroReportReminder

from .conftest import at

pytestmark = pytest.mark.django_db

D = dt.date


def statuses(world, period, day, now):
    return {
        r.grid.name: r.status
        for r in selectors.day_sheet(user=world.dispatcher, period=period, day=day, now=now)
    }


def test_days_that_need_a_report_follow_the_official_calendar(period):
    days = selectors.period_days(period)
    assert days == [
        D(2026, 9, 18),
        D(2026, 9, 20),
        D(2026, 9, 21),
        D(2026, 9, 22),
        D(2026, 9, 23),
        D(2026, 9, 24),
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
        D(2026, 10, 10),
        D(2026, 10, 12),
    ]
    # Saturday 09-19 and Sunday 10-11 rest; 中秋 09-25..27 and 国庆 10-01..07 are holidays; Sunday 09-20 and
    # Saturday 10-10 are 调休 make-up workdays.
    for rest in (
        D(2026, 9, 19),
        D(2026, 9, 25),
        D(2026, 9, 26),
        D(2026, 10, 1),
        D(2026, 10, 3),
        D(2026, 10, 11),
    ):
        assert rest not in days


def test_filing_is_idempotent_and_late_after_the_cutoff(world, period):
    w = world
    first = services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-18", "09:30"))
    assert (first.date, first.is_late, first.filed_by) == (D(2026, 9, 18), False, w.worker)
    audits = AuditEntry.objects.filter(event="zero_report.file").count()
    again = services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-18", "15:00"))
    assert again.pk == first.pk and getattr(again, "replayed", False)
    assert (
        ZeroReport.objects.count() == 1
        and AuditEntry.objects.filter(event="zero_report.file").count() == audits
    )
    # The make-up Sunday needs a report like any working day.
    sunday = services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-20", "11:00"))
    assert sunday.date == D(2026, 9, 20) and not sunday.is_late
    late = services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-21", "17:01"))
    assert late.is_late
    # Filing for an earlier day of the period is allowed, and late.
    back = services.zero_report_file(
        acting_user=w.worker_v2, grid=w.tree.g2, day=D(2026, 9, 21), now=at("09-22", "08:00")
    )
    assert back.is_late and back.date == D(2026, 9, 21)
    # A worker of the village files for its grids; the exact cut-off minute is still on time.
    on_cutoff = services.zero_report_file(acting_user=w.worker_v2, grid=w.tree.g2, now=at("09-22", "17:00"))
    assert not on_cutoff.is_late


@pytest.mark.parametrize(
    "now, day, message",
    [
        (at("09-19", "10:00"), None, "2026-09-19 是休息日（周末或法定节假日），无需报送零报告。"),
        (at("10-01", "10:00"), None, "2026-10-01 是休息日（周末或法定节假日），无需报送零报告。"),
        (at("10-11", "10:00"), None, "2026-10-11 是休息日（周末或法定节假日），无需报送零报告。"),
        (at("09-17", "10:00"), None, "2026-09-17 不在零报告期内，无需报送。"),
        (at("10-13", "10:00"), None, "2026-10-13 不在零报告期内，无需报送。"),
        (at("09-21", "10:00"), D(2026, 9, 22), "不能为今后的日期报送零报告。"),
    ],
)
def test_filing_refused_writes_nothing(world, period, now, day, message):
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.zero_report_file(acting_user=world.worker, grid=world.tree.g1, day=day, now=now)
    assert exc.value.message == message
    assert ZeroReport.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_filing_scope_and_place(world, period):
    w = world
    with pytest.raises(NotFound):  # another village's grid
        services.zero_report_file(acting_user=w.worker_v2, grid=w.tree.g1, now=at("09-21"))
    with pytest.raises(NotFound):  # may see, may not file
        services.zero_report_file(acting_user=w.cadre, grid=w.tree.g1, now=at("09-21"))
    with pytest.raises(ValidationFailed, match="零报告按网格报送"):
        services.zero_report_file(acting_user=w.worker_v2, grid=w.tree.v2, now=at("09-21"))
    with pytest.raises(ValidationFailed, match="不在零报告期内"):  # 五龙口镇 has no period
        services.zero_report_file(acting_user=w.worker_v3, grid=w.tree.g3, now=at("09-21"))
    with pytest.raises(ValidationFailed, match="备注不能超过"):
        services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, note="长" * 201, now=at("09-21"))
    assert ZeroReport.objects.count() == 0


def test_daily_sheet_filed_by_event_late_missing(world, period, report_event):
    w = world
    services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-21", "10:00"))
    assert statuses(w, period, D(2026, 9, 21), at("09-21", "16:00")) == {
        "东坡村第一网格": "filed",
        "西岭村第一网格": "pending",
    }
    assert statuses(w, period, D(2026, 9, 21), at("09-21", "17:30")) == {
        "东坡村第一网格": "filed",
        "西岭村第一网格": "missing",
    }
    report_event(at("09-21", "18:10"), place=w.tree.g2, user=w.worker_v2)  # an event after the cut-off: late
    assert statuses(w, period, D(2026, 9, 21), at("09-21", "19:00"))["西岭村第一网格"] == "late"
    # Next day: an event in g2 in the morning counts as its report; g1 files after the cut-off.
    report_event(at("09-22", "09:00"), place=w.tree.g2, user=w.worker_v2)
    services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-22", "18:00"))
    rows = {
        r.grid.name: r
        for r in selectors.day_sheet(
            user=w.dispatcher, period=period, day=D(2026, 9, 22), now=at("09-22", "19:00")
        )
    }
    assert rows["西岭村第一网格"].status == DayStatus.BY_EVENT and rows["西岭村第一网格"].events.count == 1
    assert rows["东坡村第一网格"].status == DayStatus.LATE and rows["东坡村第一网格"].report.is_late
    # A village cadre sees only the village's grids; another township's dispatcher does not see the period.
    assert [r.grid.name for r in selectors.day_sheet(user=w.cadre, period=period, day=D(2026, 9, 22))] == [
        "东坡村第一网格"
    ]
    with pytest.raises(NotFound):
        selectors.period_detail(user=w.wulong_dispatcher, pk=period.pk)


def test_reminder_task_once_a_day_after_cutoff_on_working_days(
    world, period, django_capture_on_commit_callbacks
):
    w = world
    ConsoleSmsBackend.outbox.clear()
    services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-21", "09:00"))
    assert services.zero_report_remind(now=at("09-21", "16:59")) == {"missing": 0, "grids": 0, "townships": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.zero_report_remind(now=at("09-21", "17:05")) == {
            "missing": 1,
            "grids": 1,
            "townships": 1,
        }
    assert list(Message.objects.filter(recipient=w.worker_v2).values_list("title", flat=True)) == [
        "零报告提醒：西岭村第一网格 09月21日尚未报送零报告"
    ]
    to_dispatcher = Message.objects.get(recipient=w.dispatcher)
    assert (
        to_dispatcher.title == "零报告：克井镇 09月21日有 1 个网格未报"
        and "西岭村西岭村第一网格" in to_dispatcher.body
    )
    assert to_dispatcher.link == f"/warning/zero/periods/{period.pk}/?date=2026-09-21&status=missing"
    assert not Message.objects.filter(recipient__in=[w.worker, w.wulong_dispatcher, w.worker_v3]).exists()
    # Once a day: later runs (or a second worker) send nothing more.
    messages = Message.objects.count()
    assert services.zero_report_remind(now=at("09-21", "17:15"))["grids"] == 0
    assert services.zero_report_remind(now=at("09-21", "23:50"))["townships"] == 0
    assert Message.objects.count() == messages and ZeroReportReminder.objects.count() == 2
    # Rest days: Saturday, 中秋, 国庆, the Sunday after the make-up Saturday.
    for day in ("09-19", "09-25", "10-01", "10-07", "10-11"):
        assert services.zero_report_remind(now=at(day, "18:00"))["missing"] == 0, day
    # The make-up Saturday is a working day: both grids missing, both reminded.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.zero_report_remind(now=at("10-10", "18:00")) == {
            "missing": 2,
            "grids": 2,
            "townships": 1,
        }
    assert Message.objects.filter(recipient=w.worker, title__contains="10月10日").count() == 1
    assert [s.phone for s in ConsoleSmsBackend.outbox] == [
        "13900000004"
    ]  # grid staff get an SMS (worker_v2 has no phone)
    # Outside the period nothing happens.
    assert services.zero_report_remind(now=at("10-13", "18:00"))["missing"] == 0


def test_reminder_task_is_registered():
    from shanzhi.core.periodic import registered

    assert any(p.name.endswith("remind_zero_reports") and p.every_seconds == 600 for p in registered())


def test_home_items_for_workers_and_dispatchers(world, period, clock):
    w = world
    clock(at("09-21", "10:00"))
    mine = [i for i in action_items(w.worker) if i.title == "今日零报告未报"]
    assert [(i.count, i.url, i.level) for i in mine] == [(1, "/warning/zero/", "warning")]
    sheet = [i for i in action_items(w.dispatcher) if i.title == "今日零报告未报网格"]
    assert [(i.count, i.level) for i in sheet] == [(2, "warning")]
    services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, now=at("09-21", "10:05"))
    assert not [i for i in action_items(w.worker) if i.title == "今日零报告未报"]
    clock(at("09-21", "17:30"))
    sheet = [i for i in action_items(w.dispatcher) if i.title == "今日零报告未报网格"]
    assert [(i.count, i.level) for i in sheet] == [(1, "danger")]
    assert not [i for i in action_items(w.wulong_dispatcher) if "零报告" in i.title]
    clock(at("10-03", "10:00"))  # 国庆: nothing to file
    assert not [i for i in action_items(w.worker) + action_items(w.dispatcher) if "零报告" in i.title]


def test_home_items_cost_one_query_outside_periods(world, django_assert_max_num_queries, clock):
    clock(at("09-21", "10:00"))
    world.worker.grants()
    with django_assert_max_num_queries(1):
        assert selectors.home_items(world.worker) == []


def test_declare_period_rules(world, period):
    w, t = world, world.tree
    before = (ZeroReportPeriod.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Conflict) as exc:
        services.zero_period_declare(
            acting_user=w.leader,
            place=t.kejing,
            starts_on=D(2026, 10, 12),
            ends_on=D(2026, 10, 20),
            reason="又一期",
            now=at("09-16"),
        )
    assert exc.value.message == "克井镇已有与之重叠的零报告期（2026-09-18至2026-10-12）。"
    cases = [
        ({"place": t.v1}, ValidationFailed, "零报告期由县（市、区）或乡镇（街道）设立。"),
        ({"starts_on": D(2026, 9, 14)}, ValidationFailed, "开始日期不能早于今天。"),
        (
            {"ends_on": D(2026, 9, 30), "starts_on": D(2026, 10, 2)},
            ValidationFailed,
            "结束日期不能早于开始日期。",
        ),
        ({"ends_on": D(2027, 2, 10)}, ValidationFailed, "零报告期最长 92 天。"),
        ({"reason": "  "}, ValidationFailed, "请填写事由。"),
        ({"starts_on": None}, ValidationFailed, "请填写开始日期和结束日期。"),
        (
            {"acting_user": w.staff},
            PermissionDenied,
            "您无权设立零报告期：须由乡镇（街道）或县级领导、指挥中心调度员办理。",
        ),
        ({"acting_user": w.wulong_dispatcher}, NotFound, "未找到该记录，或您无权查看。"),
    ]
    for override, error, message in cases:
        kw = {
            "acting_user": w.dispatcher,
            "place": t.kejing,
            "starts_on": D(2026, 11, 2),
            "ends_on": D(2026, 11, 6),
            "reason": "进博会",
            "now": at("09-15"),
        }
        kw.update(override)
        with pytest.raises(error) as exc:
            services.zero_period_declare(**kw)
        assert exc.value.message == message, override
    assert (ZeroReportPeriod.objects.count(), AuditEntry.objects.count()) == before
    # Another township, and the county over the same days, are separate places.
    services.zero_period_declare(
        acting_user=w.wulong_dispatcher,
        place=t.wulong,
        starts_on=D(2026, 9, 20),
        ends_on=D(2026, 9, 30),
        reason="国庆",
        now=at("09-15"),
    )
    county = services.zero_period_declare(
        acting_user=w.admin,
        place=t.county,
        starts_on=D(2026, 9, 28),
        ends_on=D(2026, 10, 9),
        reason="全市维稳",
        now=at("09-15"),
    )
    assert AuditEntry.objects.filter(event="zero_period.declare", object_id=str(county.pk)).exists()
    # A village cadre sees the township's and the county's periods (they apply downward), not 五龙口镇's.
    assert {p.place.name for p in selectors.period_list(user=w.cadre)} == {"克井镇", t.county.name}


# --- pages -----------------------------------------------------------------------------------------------------


def test_phone_page_and_filing(client, world, period, clock):
    w = world
    clock(at("09-21", "10:00"))
    client.force_login(w.worker)
    body = client.get("/warning/zero/").content.decode()
    assert "东坡村第一网格" in body and "今日无情况，报送零报告" in body and "西岭村第一网格" not in body
    response = client.post("/warning/zero/file", {"grid": w.tree.g1.code, "note": "巡查正常"}, follow=True)
    body = response.content.decode()
    assert "已报送东坡村第一网格今日零报告（10:00）。" in body and "已报无情况" in body
    assert "今日无情况，报送零报告" not in body
    response = client.post("/warning/zero/file", {"grid": w.tree.g1.code}, follow=True)
    assert "无需重复报送" in response.content.decode() and ZeroReport.objects.count() == 1
    assert client.post("/warning/zero/file", {"grid": w.tree.g2.code}).status_code == 404
    clock(at("09-19", "10:00"))
    assert "今天是休息日" in client.get("/warning/zero/").content.decode()
    clock(at("10-20", "10:00"))
    assert "当前不在零报告期内" in client.get("/warning/zero/").content.decode()
    client.force_login(w.cadre)  # not a filer
    assert client.get("/warning/zero/").status_code == 404


def test_periods_page_declares(client, world, clock):
    clock(at("09-15"))
    client.force_login(world.dispatcher)
    response = client.post(
        "/warning/zero/periods/",
        {
            "place": world.tree.kejing.code,
            "starts_on": "2026-09-18",
            "ends_on": "2026-09-17",
            "reason": "国庆",
        },
    )
    assert response.status_code == 400 and "结束日期不能早于开始日期。" in response.content.decode()
    assert ZeroReportPeriod.objects.count() == 0
    response = client.post(
        "/warning/zero/periods/",
        {
            "place": world.tree.kejing.code,
            "starts_on": "2026-09-18",
            "ends_on": "2026-10-12",
            "reason": "国庆",
        },
    )
    period = ZeroReportPeriod.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/warning/zero/periods/{period.pk}/"
    client.force_login(world.cadre)  # sees the list, cannot declare (no form, a post is refused)
    body = client.get("/warning/zero/periods/").content.decode()
    assert "克井镇" in body and "设立零报告期</button>" not in body
    response = client.post(
        "/warning/zero/periods/",
        {"place": world.tree.kejing.code, "starts_on": "2026-11-02", "ends_on": "2026-11-03", "reason": "x"},
    )
    assert response.status_code == 400 and ZeroReportPeriod.objects.count() == 1
    client.force_login(world.no_role)
    assert client.get("/warning/zero/periods/").status_code == 404


def test_sheet_page_filters_export_and_queries(
    client, world, period, clock, make_place, make_user, report_event, django_assert_max_num_queries
):
    w = world
    clock(at("09-22", "18:00"))
    services.zero_report_file(acting_user=w.worker, grid=w.tree.g1, note="平安", now=at("09-22", "09:00"))
    client.force_login(w.dispatcher)
    url = f"/warning/zero/periods/{period.pk}/"
    body = client.get(url).content.decode()
    assert "2026-09-22" in body and "已报无情况 1" in body and "未报 1" in body
    body = client.get(url, {"status": "missing"}).content.decode()
    assert "西岭村第一网格" in body and "东坡村第一网格" not in body
    assert "该日是休息日" in client.get(url, {"date": "2026-10-01"}).content.decode()
    assert client.get(url, {"date": "2026-12-01"}).status_code == 400
    assert client.get(url, {"place": w.tree.g3.code}).status_code == 404  # not the dispatcher's
    assert "西岭村" not in client.get(url, {"place": w.tree.v1.code}).content.decode()
    ws = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx", "date": "2026-09-22"}).content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows == [
        ["东坡村第一网格", "东坡村", "已报无情况", "东坡网格员", "2026-09-22 09:00", 0, "平安"],
        ["西岭村第一网格", "西岭村", "未报", None, None, 0, None],
    ]
    assert AuditEntry.objects.filter(event="zero_sheet_export").count() == 1

    def queries():
        client.get(url, {"date": "2026-09-22"})

    with django_assert_max_num_queries(14) as ctx:
        queries()
    few = len(ctx.captured_queries)
    village_worker = make_user("grid_worker", w.tree.v1, username="v1_worker")
    for n in range(6):  # more grids, reports and events: the same number of queries
        grid = make_place(w.tree.v1, "grid", f"东坡村加密网格{n}")
        if n % 2:
            services.zero_report_file(acting_user=village_worker, grid=grid, now=at("09-22", "10:00"))
        else:
            report_event(at("09-22", "11:00"), place=grid, user=village_worker)
    with django_assert_max_num_queries(few):
        queries()
    assert "东坡村加密网格5" in client.get(url, {"date": "2026-09-22"}).content.decode()
    client.force_login(w.admin)  # a place the user sees but outside the period
    assert client.get(url, {"place": w.tree.wulong.code}).status_code == 400
    client.force_login(w.wulong_dispatcher)
    assert client.get(url).status_code == 404

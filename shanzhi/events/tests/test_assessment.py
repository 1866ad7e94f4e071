"""事件考核 (G4): the figures per unit and person from a scenario built through the services with a controllable
clock (accepted late, closed late, unsatisfied then satisfied, escalated, returned, across a weekend), the same
figures recomputed from the history alone, the deadline cut-off of a running period, the page (scope, query
counts, drill-down, export) and the monthly bulletin published through the publication kernel."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.events import assessment, services
from shanzhi.events.assessment_models import DutyKind, EventDuty
from shanzhi.workflow.calendar import CHINA
from shanzhi.workflow.models import CaseHistory

pytestmark = pytest.mark.django_db

NOV = assessment.month_of(dt.date(2026, 11, 1))
DEC1 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CHINA)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CHINA)


@pytest.fixture
def scenario(world, report):
    """Fri 20 Nov 2026 … Fri 27 Nov, the grid matter's limit is 1 working day, acceptance is 1 working day.

    A: grid, accepted late (Tue, due Mon), closed late (Thu, due Wed), unsatisfied, reworked on time, satisfied.
    B: grid accepts at once, escalates on Monday before its deadline → the village accepts and closes on time.
    C: the village returns it on Friday (before its deadline); re-triaged to the grid Monday, never accepted."""
    w = world
    a = report(now=at(20, 10))
    services.event_triage(acting_user=w.dispatcher, event=a, level="grid", now=at(20, 10))
    services.event_accept(acting_user=w.worker, event=a, now=at(24, 9))
    services.event_close(acting_user=w.worker, event=a, result="已调解", now=at(26, 10))
    services.event_rate(acting_user=w.villager, event=a, satisfied=False, reason="仍有争执", now=at(26, 12))
    services.event_close(acting_user=w.worker, event=a, result="再次调解，签订协议", now=at(27, 9))
    services.event_rate(acting_user=w.villager, event=a, satisfied=True, now=at(27, 10))

    b = report(now=at(20, 11))
    services.event_triage(acting_user=w.dispatcher, event=b, level="grid", now=at(20, 11))
    services.event_accept(acting_user=w.worker, event=b, now=at(20, 11, 30))
    services.event_escalate(acting_user=w.worker, event=b, reason="涉及两个网格，需村里协调", now=at(23, 9))
    services.event_accept(acting_user=w.cadre, event=b, now=at(23, 10))
    services.event_close(acting_user=w.cadre, event=b, result="村里协调解决", now=at(24, 16))
    services.event_rate(acting_user=w.villager, event=b, satisfied=True, now=at(25, 9))

    c = report(now=at(20, 12))
    services.event_triage(acting_user=w.dispatcher, event=c, level="village", now=at(20, 12))
    services.event_return(acting_user=w.cadre, event=c, reason="属网格事项", now=at(20, 15))
    services.event_triage(acting_user=w.dispatcher, event=c, level="grid", now=at(23, 9))
    w.a, w.b, w.c = a, b, c
    return w


def figures(result, level, path):
    return result.units[(level, "", path)]


def test_figures_per_unit_and_person(scenario):
    w = scenario
    result = assessment.assessment_compute(user=w.admin, place=w.tree.kejing, period=NOV, now=DEC1)
    grid = figures(result, "grid", w.tree.g1.path)
    # Acceptance: A late (due Mon 17:30, accepted Tue), B on time, C's second assignment never accepted.
    assert (grid.accept_due, grid.accepted_on_time) == (3, 1) and grid.rate("response") == 33.3
    # Handling: A's first round late, its rework on time; B's was escalated before its deadline → not counted.
    assert (grid.handle_due, grid.closed_by_end, grid.closed_on_time) == (2, 2, 1)
    assert (grid.rate("completion"), grid.rate("ontime"), grid.rate("overdue")) == (100.0, 50.0, 50.0)
    assert (grid.closures, grid.closures_reworked, grid.rate("rework")) == (2, 1, 50.0)
    assert (grid.ratings, grid.satisfied, grid.rate("satisfaction")) == (2, 1, 50.0)
    # Tue 09:00 → Thu 10:00 is 49 h, the rework Thu 12:00 → Fri 09:00 is 21 h.
    assert grid.rate("avg_hours") == 35.0

    village = figures(result, "village", w.tree.v1.path)
    # C returned before its deadline: not the village's; B accepted and closed on time after the escalation.
    assert (village.accept_due, village.accepted_on_time, village.handle_due, village.closed_on_time) == (
        1,
        1,
        1,
        1,
    )
    assert (village.rate("response"), village.rate("satisfaction"), village.rate("rework")) == (
        100.0,
        100.0,
        0.0,
    )

    worker, cadre = result.persons[w.worker.pk], result.persons[w.cadre.pk]
    assert (worker.closures, worker.closures_on_time, worker.closures_reworked, worker.ratings) == (
        2,
        1,
        1,
        2,
    )
    assert (cadre.closures, cadre.satisfied) == (1, 1)
    total = result.total
    assert (total.accept_due, total.accepted_on_time, total.handle_due) == (4, 2, 3)

    rows = assessment.table(result, "grid", sort="response")
    assert [(r.label, r.rank) for r in rows] == [("东坡村第一网格", 1)]
    people = assessment.table(result, "person", sort="satisfaction")
    assert [r.label for r in people] == [w.cadre.display_name, w.worker.display_name]


def test_running_period_counts_only_deadlines_passed(scenario):
    """Seen on Tue 24 at noon, C's acceptance deadline (Tue 17:30) has not passed yet: it is not counted."""
    w = scenario
    noon = at(24, 12)
    result = assessment.assessment_compute(user=w.admin, place=w.tree.v1, period=NOV, now=noon)
    grid = figures(result, "grid", w.tree.g1.path)
    assert (grid.accept_due, grid.accepted_on_time) == (2, 1)
    later = assessment.assessment_compute(user=w.admin, place=w.tree.v1, period=NOV, now=at(24, 18))
    assert figures(later, "grid", w.tree.g1.path).accept_due == 3


def test_history_recomputes_the_same_figures(scenario):
    w = scenario
    for place in (w.tree.county, w.tree.kejing, w.tree.v1):
        assert assessment.assessment_check(place=place, period=NOV, now=DEC1) == []
    history = assessment.recompute_from_history(place=w.tree.v1, period=NOV, now=DEC1)
    assert figures(history, "grid", w.tree.g1.path).accept_due == 3
    # A fact that disagrees with the history is reported (here: someone edited a duty by hand).
    EventDuty.objects.filter(event=w.a, kind=DutyKind.ACCEPT).update(done_at=at(20, 10))
    problems = assessment.assessment_check(place=w.tree.v1, period=NOV, now=DEC1)
    assert len(problems) == 1 and "accepted_on_time: 页面 2 / 历史 1" in problems[0]


def test_check_command(scenario):
    out = io.StringIO()
    call_command(
        "events_assessment_check",
        place=scenario.tree.kejing.code,
        month="2026-11",
        now="2026-12-01",
        stdout=out,
    )
    assert "一致" in out.getvalue()
    EventDuty.objects.filter(event=scenario.b).delete()
    with pytest.raises(CommandError, match="不一致"):
        call_command(
            "events_assessment_check",
            place=scenario.tree.kejing.code,
            month="2026-11",
            now="2026-12-01",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="找不到"):
        call_command("events_assessment_check", place="999999999999", month="2026-11", stdout=io.StringIO())


def test_assignment_rows_record_the_unit(scenario):
    rows = CaseHistory.objects.filter(object_id=scenario.b.pk, to_state="assigned").order_by("at", "id")
    assert [r.extra["holder"]["level"] for r in rows] == ["grid", "village"]
    assert rows[1].extra["holder"]["path"] == scenario.tree.v1.path


def test_period_parsing():
    today = dt.date(2026, 11, 22)
    assert assessment.period_from({}, today=today) == NOV
    assert assessment.period_from({"month": "2026-02"}, today=today).end == dt.date(2026, 2, 28)
    p = assessment.period_from({"start": "2026-11-02", "end": "2026-11-08"}, today=today)
    assert (p.start, p.end, p.is_month, p.label) == (
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 8),
        False,
        "2026-11-02 至 2026-11-08",
    )
    for bad, message in (
        ({"month": "2026-13"}, "月份"),
        ({"start": "2026-11-09", "end": "2026-11-01"}, "截止日期"),
        ({"start": "2026-01-01", "end": "2027-12-31"}, "最长"),
        ({"start": "x", "end": ""}, "起止"),
    ):
        with pytest.raises(ValidationFailed, match=message):
            assessment.period_from(bad, today=today)


# --- the page ------------------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The assessment and the publication kernel both see Tuesday 1 December 2026, 09:00 Beijing."""
    monkeypatch.setattr("shanzhi.workflow.clock.now", lambda: DEC1)
    monkeypatch.setattr("shanzhi.publication.clock.today", lambda: DEC1.date())


def cell(body: str, unit: str, rate: str) -> str:
    """The data-value of the ``rate`` cell in the row of ``unit`` (stable ids for the browser test too)."""
    row = re.search(rf'<tr data-unit="{re.escape(unit)}">(.*?)</tr>', body, re.S)
    assert row, f"no row {unit}"
    found = re.search(rf'data-rate="{rate}" data-value="([^"]*)"', row.group(1))
    assert found, f"no {rate} in {unit}"
    return found.group(1)


def summary(body: str, rate: str) -> str:
    block = body[body.index('id="assessment-summary"') : body.index('id="assessment-tabs"')]
    return re.search(rf'data-rate="{rate}" data-value="([^"]*)"', block).group(1)


def test_page_rates_definitions_and_links(client, scenario, clock):
    w = scenario
    client.force_login(w.dispatcher)
    body = client.get(
        "/events/assessment/", {"place": w.tree.kejing.code, "month": "2026-11", "tab": "grid"}
    ).content.decode()
    # Whole township: 4 acceptance deadlines, 2 met; 3 ratings, 2 satisfied.
    assert summary(body, "response") == "50.0" and summary(body, "satisfaction") == "66.7"
    g1 = f"grid:{w.tree.g1.path}"
    assert (cell(body, g1, "response"), cell(body, g1, "overdue"), cell(body, g1, "avg_hours")) == (
        "33.3",
        "50.0",
        "35.0",
    )
    assert "指标口径" in body and "受理期限" in body and "返工率" in body
    drill = re.search(
        rf'<tr data-unit="{g1}">.*?data-count="accept_due"><a href="([^"]+)"', body, re.S
    ).group(1)
    listing = client.get(drill.replace("&amp;", "&").replace("accept_due", "accept_late")).content.decode()
    assert w.a.number in listing and w.c.number in listing and w.b.number not in listing

    village = client.get(
        "/events/assessment/",
        {"place": w.tree.kejing.code, "month": "2026-11", "tab": "village", "sort": "satisfaction"},
    ).content.decode()
    assert cell(village, f"village:{w.tree.v1.path}", "response") == "100.0"
    people = client.get(
        "/events/assessment/",
        {"place": w.tree.kejing.code, "month": "2026-11", "tab": "person", "sort": "satisfaction"},
    ).content.decode()
    assert cell(people, str(w.worker.pk), "satisfaction") == "50.0"
    assert people.index(f'data-unit="{w.cadre.pk}"') < people.index(f'data-unit="{w.worker.pk}"')


def test_bad_period_shows_the_error(client, scenario, clock):
    client.force_login(scenario.dispatcher)
    response = client.get(
        "/events/assessment/",
        {"place": scenario.tree.kejing.code, "start": "2026-11-30", "end": "2026-11-01"},
    )
    assert response.status_code == 200 and "截止日期不能早于开始日期" in response.content.decode()


def test_page_queries_do_not_grow_with_events(client, scenario, clock, report, django_assert_max_num_queries):
    w = scenario
    client.force_login(w.admin)
    url = f"/events/assessment/?place={w.tree.county.code}&month=2026-11&tab=village"
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for n in range(4):  # more events in another village, handled by its cadre
        e = report(user=w.admin, place=w.tree.g2, now=at(23, 9 + n))
        services.event_triage(acting_user=w.dispatcher, event=e, level="village", now=at(23, 9 + n))
        services.event_accept(acting_user=w.cadre_v2, event=e, now=at(25, 9))
        services.event_close(acting_user=w.cadre_v2, event=e, result="已处理", now=at(25, 10))
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(url).content.decode()
    assert f'data-unit="village:{w.tree.v2.path}"' in body
    drill = f"/events/assessment/events?place={w.tree.county.code}&month=2026-11&measure=closures"
    with django_assert_max_num_queries(14):
        assert client.get(drill).status_code == 200


def test_export_is_audited_and_scoped(client, scenario, clock):
    from openpyxl import load_workbook

    w = scenario
    client.force_login(w.cadre)  # the village cadre of 东坡村: the village only
    response = client.get(
        "/events/assessment/", {"place": w.tree.v1.code, "month": "2026-11", "tab": "grid", "export": "xlsx"}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("排名", "单位", "应受理", "按时受理", "响应率")
    assert rows[1][1:5] == ("东坡村第一网格", 3, 1, 33.3)
    entry = AuditEntry.objects.get(event="event_assessment_export")
    assert entry.actor_id == w.cadre.pk and "东坡村" in entry.detail
    assert (
        client.get("/events/assessment/", {"place": w.tree.kejing.code, "export": "xlsx"}).status_code == 404
    )
    assert AuditEntry.objects.filter(event="event_assessment_export").count() == 1


def test_page_is_for_staff_only(client, scenario):
    client.force_login(scenario.villager)
    assert client.get("/events/assessment/").status_code == 404
    home = client.get("/")
    assert (
        home.status_code == 200
        and "事件办理" in home.content.decode()
        and "事件考核" not in home.content.decode()
    )
    client.force_login(scenario.other_dispatcher)  # 五龙口镇: 克井镇 is not theirs
    assert client.get("/events/assessment/", {"place": scenario.tree.kejing.code}).status_code == 404
    assert (
        client.get(
            "/events/assessment/events", {"place": scenario.tree.kejing.code, "measure": "closures"}
        ).status_code
        == 404
    )


def water_bureau(w):
    """县水利局, the county department the county matter names (made by the events fixture where it has it)."""
    from shanzhi.orgs.models import Organisation
    from shanzhi.orgs.services import organisation_create

    found = Organisation.objects.filter(place=w.tree.county, name="县水利局").first()
    return found or organisation_create(
        acting_user=None, place=w.tree.county, kind="gov_department", name="县水利局"
    )


def test_department_attribution(world, report):
    from shanzhi.orgs.services import unit_account_add

    w = world
    water = water_bureau(w)
    unit_account_add(acting_user=None, organisation=water, user=w.department)
    e = report(matter_id=w.county_matter.pk, now=at(20, 10))
    services.event_triage(
        acting_user=w.dispatcher, event=e, level="department", department=water, now=at(20, 10)
    )
    services.event_accept(acting_user=w.department, event=e, now=at(20, 14))
    services.event_close(acting_user=w.department, event=e, result="已疏通河道", now=at(26, 10))
    result = assessment.assessment_compute(user=w.admin, place=w.tree.county, period=NOV, now=DEC1)
    (row,) = assessment.table(result, "department")
    # Accepted the same day; the 3-working-day limit from Fri 20 ends Wed 25 17:30: closed a day late.
    assert row.label == "县水利局" and (row.figures.accept_due, row.figures.accepted_on_time) == (1, 1)
    assert (row.figures.handle_due, row.figures.closed_on_time, row.figures.rate("overdue")) == (1, 0, 100.0)
    assert assessment.assessment_check(place=w.tree.county, period=NOV, now=DEC1) == []


# --- the monthly bulletin ------------------------------------------------------------------------------------


def test_bulletin_published_through_the_publication_kernel(client, scenario, clock):
    from shanzhi.publication.models import Publication
    from shanzhi.publication.pdf import notice_html

    w = scenario
    p = assessment.bulletin_publish(acting_user=w.leader, place=w.tree.kejing, period=NOV)
    assert (p.kind, p.place_id, p.village_id, p.title) == (
        "event_bulletin",
        w.tree.kejing.pk,
        w.tree.kejing.pk,
        "克井镇2026年11月事件办理情况通报",
    )
    grid_row = next(r for r in p.rows if r[2] == "东坡村第一网格")
    assert grid_row[0] == "网格" and grid_row[5] == "33.3%" and grid_row[-1] == "通报批评"
    village_row = next(r for r in p.rows if r[2] == "东坡村")
    assert village_row[5] == "100.0%" and village_row[-1] == ""
    assert p.rows[-1][:3] == ["合计", "", "克井镇"] and p.integrity_ok()
    assert not any(w.worker.display_name in cell for row in p.rows for cell in row)  # units only, no persons

    public = client.get(f"/p/{p.public_id}/").content.decode()
    assert (
        "克井镇2026年11月事件办理情况通报" in public and "克井镇人民政府" in public and "政务公开栏" in public
    )
    html = notice_html(p)
    assert "<h1>通报</h1>" in html and "克井镇人民政府" in html
    assert client.get(f"/p/village/{w.tree.kejing.code}/").status_code == 200

    # The same month again: refused, nothing written; with a reason it is corrected the kernel's way.
    count = Publication.objects.count()
    with pytest.raises(Conflict, match="已发布"):
        assessment.bulletin_publish(acting_user=w.leader, place=w.tree.kejing, period=NOV)
    assert Publication.objects.count() == count
    fixed = assessment.bulletin_publish(
        acting_user=w.leader, place=w.tree.kejing, period=NOV, reason="补录评价后更正"
    )
    p.refresh_from_db()
    assert fixed.supersedes_id == p.pk and p.status == "superseded"


def test_bulletin_refusals_change_nothing(scenario, clock):
    from shanzhi.publication.models import Publication

    w = scenario
    cases = [
        (w.dispatcher, w.tree.kejing, NOV, PermissionDenied, "县乡领导"),
        (w.leader, w.tree.v1, NOV, ValidationFailed, "乡镇或县"),
        (w.leader, w.tree.kejing, assessment.month_of(dt.date(2026, 12, 1)), ValidationFailed, "尚未结束"),
        (w.leader, w.tree.kejing, assessment.month_of(dt.date(2026, 10, 1)), ValidationFailed, "无需通报"),
        (
            w.leader,
            w.tree.kejing,
            assessment.Period(dt.date(2026, 11, 1), dt.date(2026, 11, 7)),
            ValidationFailed,
            "自然月",
        ),
        (w.leader, w.tree.wulong, NOV, NotFound, None),
    ]
    for user, place, period, error, message in cases:
        with pytest.raises(error, match=message):
            assessment.bulletin_publish(acting_user=user, place=place, period=period)
    assert Publication.objects.count() == 0


def test_bulletin_button(client, scenario, clock):
    w = scenario
    client.force_login(w.leader)
    page = client.get("/events/assessment/", {"place": w.tree.kejing.code}).content.decode()
    assert 'id="assessment-bulletin"' in page and 'value="2026-11"' in page
    response = client.post("/events/assessment/bulletin", {"place": w.tree.kejing.code, "month": "2026-11"})
    assert response.status_code == 302 and "/publications/" in response["Location"]
    again = client.post(
        "/events/assessment/bulletin", {"place": w.tree.kejing.code, "month": "2026-11"}, follow=True
    )
    assert "已发布" in again.content.decode()
    client.force_login(w.dispatcher)
    assert (
        'id="assessment-bulletin"'
        not in client.get("/events/assessment/", {"place": w.tree.kejing.code}).content.decode()
    )


def test_transfer_and_automatic_escalation_follow_the_unit(world, report):
    """转办 before the acceptance deadline leaves the grid out of it; the sweeper's automatic escalation of an
    overdue event (system step) ends the township's handling duty late and starts the department's acceptance —
    and the history agrees with the duties."""
    from shanzhi.workflow import engine

    w = world
    water_bureau(w)
    e = report(matter_id=w.county_matter.pk, now=at(20, 10))
    services.event_triage(acting_user=w.dispatcher, event=e, level="grid", now=at(20, 10))
    services.event_transfer(
        acting_user=w.worker, event=e, level="township", reason="河道不归网格管", now=at(20, 11)
    )
    services.event_accept(acting_user=w.township, event=e, now=at(20, 14))  # 3 working days: due Wed 25 17:30
    engine.sweep_overdue(now=at(25, 18))
    engine.sweep_overdue(now=at(26, 18))  # one working day overdue: moved up to the county department
    e.refresh_from_db()
    assert (e.state, e.assignee_level, e.assignee_department) == ("assigned", "department", "县水利局")
    result = assessment.assessment_compute(user=w.admin, place=w.tree.county, period=NOV, now=DEC1)
    assert (("grid", "", w.tree.g1.path)) not in result.units  # handed on before its deadline
    township = result.units[("township", "", w.tree.kejing.path)]
    assert (township.accept_due, township.accepted_on_time, township.handle_due, township.closed_on_time) == (
        1,
        1,
        1,
        0,
    )
    department = result.units[("department", "县水利局", w.tree.county.path)]
    assert (department.accept_due, department.accepted_on_time) == (1, 0)  # due Fri 27 17:30, not accepted
    assert assessment.assessment_check(place=w.tree.county, period=NOV, now=DEC1) == []


def test_drill_down_names_only_people_in_the_viewers_duties(client, scenario, clock, make_user):
    """The person key of the drill-down shows a name only for someone who acted on the viewer's own duties: a
    made-up key cannot look up any account's name."""
    w = scenario
    stranger = make_user("village_cadre", w.tree.v3, username="far_cadre", full_name="远方村干部")
    client.force_login(w.dispatcher)
    query = {"place": w.tree.kejing.code, "month": "2026-11", "measure": "closures"}
    body = client.get("/events/assessment/events", {**query, "key": str(stranger.pk)}).content.decode()
    assert "远方村干部" not in body

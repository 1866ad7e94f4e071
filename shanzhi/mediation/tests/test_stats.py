"""Monthly statistics (M7 figures): the grouped figures against the cases made through the services, scope,
the Excel layout reported upward, the trend, and flat query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.mediation import services as s
from shanzhi.mediation import stats
from shanzhi.mediation.models import Case

from .conftest import MON, outsider

pytestmark = pytest.mark.django_db
AGREEMENT = {"disputed_matters": "排水沟改道致墙基受损，双方就赔偿与改道发生争议。", "responsibilities": "被申请人负主要责任。",
             "content": "被申请人赔偿申请人修缮费2000元，并于房后另挖排水沟。", "performance_manner": "现金一次性支付",
             "performance_deadline": "2026-12-31"}


def to_mediating(user, case, mediator, at):
    s.case_assign(acting_user=user, case=case, mediator=mediator.pk, now=at)
    s.case_investigate(acting_user=user, case=case, findings="走访四邻，查看现场。", now=at)
    s.case_inform(acting_user=user, case=case, now=at)
    s.case_start_mediation(acting_user=user, case=case, now=at)
    s.session_record(acting_user=user, case=case, held_at=at, mode="on_site", location="调解室", attendance="双方",
                     minutes="双方陈述，调解员释法说理。", now=at)


@pytest.fixture
def figures(med, register):
    """克井镇, November 2026: 东坡村 a settled court referral (3,000 元, 2 days), a marriage application the
    respondent refuses, 西岭村 a failed neighbour dispute handled by the township centre (500 元); October: an open
    land dispute at 东坡村. 五龙口镇 (another township): one settled case in November."""
    a = register(received_at=MON - dt.timedelta(days=2), amount="3000")
    to_mediating(med.med_user, a, med.li, MON - dt.timedelta(days=1))
    s.case_agree(acting_user=med.med_user, case=a, **AGREEMENT, now=MON)
    b = register(source="application", referring_body="", referral_reference="", dispute_type="marriage",
                 title="赡养费纠纷", amount=None, parties=[outsider("周三", 601, "applicant"),
                                                        outsider("吴四", 602, "respondent")])
    s.party_refuse(acting_user=med.med_user, case=b, party_id=b.parties.get(role="respondent").pk,
                   refused_on="2026-11-16", statement="不同意调解。", now=MON)
    wang = s.mediator_create(acting_user=med.admin, place=med.tree.kejing, name="王调解", sex="M",
                             user=med.town_med_user)
    s.membership_add(acting_user=med.admin, organisation=med.centre, mediator=wang, post="mediator",
                     started_on="2026-01-01")
    c = register(user=med.town_med_user, organisation=med.centre, place=med.tree.v2, source="screening",
                 referring_body="", referral_reference="", amount="500", received_at=MON - dt.timedelta(days=4),
                 parties=[outsider("郑五", 603, "applicant"), outsider("冯六", 604, "respondent")])
    to_mediating(med.town_med_user, c, wang, MON - dt.timedelta(days=3))
    s.case_fail(acting_user=med.town_med_user, case=c, advice="告知双方可向人民法院提起诉讼。", now=MON)
    d = register(dispute_type="land", title="承包地地界纠纷", received_at=dt.datetime(2026, 10, 12, 9, tzinfo=MON.tzinfo),
                 source="police", referring_body="克井派出所", referral_reference="克公调〔2026〕8号", amount="10000",
                 parties=[outsider("褚七", 605, "applicant"), outsider("卫八", 606, "respondent")])
    wl_org = s.organisation_create(acting_user=med.admin, place=med.tree.v3, name="南河村人民调解委员会",
                                   kind="village", abbreviation="济南河")
    wl_med = s.mediator_create(acting_user=med.admin, place=med.tree.v3, name="蒋调解", sex="F", user=med.other_med)
    s.membership_add(acting_user=med.admin, organisation=wl_org, mediator=wl_med, post="director",
                     started_on="2026-01-01")
    e = register(user=med.other_med, organisation=wl_org, place=med.tree.v3, amount="800",
                 parties=[outsider("沈九", 607, "applicant"), outsider("韩十", 608, "respondent")])
    to_mediating(med.other_med, e, wl_med, MON)
    s.case_agree(acting_user=med.other_med, case=e, **AGREEMENT, now=MON)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "wang": wang}


def row(rows, key):
    return next(r for r in rows if r.key == key)


def test_monthly_figures(med, figures):
    report = stats.monthly_report(user=med.dispatcher, place=med.tree.kejing, period=stats.Period(2026, 11))
    t = report.total
    assert (t.received, t.accepted, t.settled, t.failed, t.refused, t.agreements) == (3, 3, 1, 1, 1, 1)
    assert t.success_rate == 0.5 and t.success_pct == "50.0%"
    assert t.amount == Decimal("3500") and t.amount_settled == Decimal("3000")
    assert t.avg_days == pytest.approx((2 + 4 + 0) / 3, abs=0.01)  # settled 2 days, failed 4, refused same day
    neighbour = row(report.types, "neighbour")
    assert (neighbour.received, neighbour.settled, neighbour.failed, neighbour.agreements) == (2, 1, 1, 1)
    assert row(report.types, "marriage").refused == 1
    assert row(report.types, "land").received == 0  # October's case is not November's
    assert [r.label for r in report.types][:2] == ["婚姻家庭", "邻里纠纷"]  # every type, in the report's order
    assert {r.key: r.received for r in report.sources} == {"court": 1, "application": 1, "screening": 1}
    # The figures are the cases', recomputed without GROUP BY.
    cases = list(Case.objects.filter(place_path__startswith=med.tree.kejing.path, received_at__gte=dt.datetime(
        2026, 11, 1, tzinfo=MON.tzinfo), received_at__lt=dt.datetime(2026, 12, 1, tzinfo=MON.tzinfo)))
    assert t.received == len(cases) and t.settled == sum(c.result == "settled" for c in cases)

    year = stats.monthly_report(user=med.dispatcher, place=med.tree.kejing, period=stats.Period(2026))
    assert (year.total.received, row(year.types, "land").received, row(year.sources, "police").received) == (4, 1, 1)
    assert year.total.open == 1
    trend = {m["month"]: m for m in year.trend}
    assert len(year.trend) == 12 and trend["2026-10"]["received"] == 1 and trend["2026-11"]["received"] == 3
    assert trend["2026-11"]["rate"] == 50.0 and trend["2026-01"]["rate"] is None

    county = stats.monthly_report(user=med.admin, place=med.tree.county, period=stats.Period(2026, 11))
    assert (county.total.received, county.total.settled) == (4, 2)
    village = stats.monthly_report(user=med.dispatcher, place=med.tree.v2, period=stats.Period(2026, 11))
    assert (village.total.received, village.total.failed) == (1, 1)

    qs = stats.cases_counted(place=med.tree.kejing, start=stats.Period(2026, 11).start, end=stats.Period(2026, 11).end)
    mediators = {r.label: r for r in stats.mediator_rows(list(stats.by_mediator(qs)))}
    assert mediators["李调解"].settled == 1 and mediators["王调解"].failed == 1 and mediators["未指定"].refused == 1
    orgs = {r.label: r for r in stats.organisation_rows(list(stats.by_organisation(qs)))}
    assert orgs["东坡村人民调解委员会"].received == 2 and orgs["克井镇矛盾纠纷调解中心"].received == 1


def test_scope_and_periods(med, figures, make_user):
    wulong = make_user("dispatcher", med.tree.wulong, username="wulong_dispatcher")
    with pytest.raises(NotFound):
        stats.monthly_report(user=wulong, place=med.tree.kejing, period=stats.Period(2026, 11))
    with pytest.raises(NotFound):
        stats.stats_place(user=wulong, code=med.tree.kejing.code)
    assert stats.stats_place(user=wulong, code="").pk == med.tree.wulong.pk
    with pytest.raises(NotFound):
        stats.stats_place(user=med.villager, code="")
    today = dt.date(2026, 11, 22)
    assert stats.Period.parse("", today=today) == stats.Period(2026, 11)
    assert stats.Period.parse("2025", today=today).end == stats.Period(2026, 1).start
    assert stats.Period.parse("2026-12", today=today).end.year == 2027
    for bad in ("2026-13", "abc", "1900"):
        with pytest.raises(ValidationFailed):
            stats.Period.parse(bad, today=today)


def test_pages_and_excel(med, figures, client):
    client.force_login(med.dispatcher)
    url = reverse("mediation_stats")
    page = client.get(url, {"place": med.tree.kejing.code, "period": "2026-11"}).content.decode()
    # the trend chart's data is a list of twelve months (the chart maps over it), not a JSON string of one
    import json
    import re

    trend = json.loads(re.search(r'<script id="stats-trend-data" type="application/json">(.*?)</script>', page,
                                 re.S).group(1))
    assert isinstance(trend, list) and len(trend) == 12 and trend[-1]["month"] == "2026-11"
    assert 'data-figure="received">3<' in page and "50.0%" in page and "stats-trend-data" in page
    assert client.get(url, {"place": med.tree.v3.code}).status_code == 404
    r = client.get(url, {"place": med.tree.kejing.code, "period": "2026-11", "export": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["按纠纷类型"]
    assert ws["A1"].value == "人民调解工作统计表" and "克井镇" in ws["A2"].value
    assert [c.value for c in ws[3]][:5] == ["纠纷类型", "受理（收案）", "调解", "调解成功", "调解成功率"]
    assert [c.value for c in ws[4]][:5] == ["合计", 3, 3, 1, "50.0%"]
    lines = {ws.cell(row=i, column=1).value: [c.value for c in ws[i]] for i in range(5, ws.max_row + 1)}
    assert lines["邻里纠纷"][1:4] == [2, 2, 1] and lines["邻里纠纷"][10] == 3500.0
    assert AuditEntry.objects.filter(event="mediation_stats_export", actor=med.dispatcher).exists()
    by_org = client.get(reverse("mediation_stats_breakdown", args=["organisations"]),
                        {"place": med.tree.kejing.code, "period": "2026-11"}).content.decode()
    assert "克井镇矛盾纠纷调解中心" in by_org and "南河村" not in by_org
    assert client.get(reverse("mediation_stats_breakdown", args=["bogus"])).status_code == 404
    client.force_login(med.villager)
    assert client.get(url).status_code == 404


def test_query_counts_flat(med, figures, register, client, django_assert_max_num_queries):
    client.force_login(med.dispatcher)
    params = {"place": med.tree.kejing.code, "period": "2026"}
    urls = [reverse("mediation_stats"), reverse("mediation_stats_breakdown", args=["mediators"]),
            reverse("mediation_stats_breakdown", args=["organisations"])]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        counts[url] = len(ctx)
    for i in range(6):
        register(dispute_type=["contract", "labour", "damages"][i % 3], received_at=MON - dt.timedelta(days=40 * i),
                 parties=[outsider(f"甲{i}", 700 + 2 * i, "applicant"), outsider(f"乙{i}", 701 + 2 * i, "respondent")])
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url, params).status_code == 200

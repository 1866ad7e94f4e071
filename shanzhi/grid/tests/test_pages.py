"""Pages of the grid matter list: the journeys of a county administrator and a township dispatcher, a village
cadre reading the county's list, scope (404 outside, 403 read-only), query counts, export and the demo command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shanzhi.audit.models import AuditEntry
from shanzhi.grid import services
from shanzhi.grid.demo_matters import DEMO_MATTERS
from shanzhi.grid.models import Matter, MatterChange

pytestmark = pytest.mark.django_db

FORM = {"code": "GM-01", "name": "邻里纠纷", "category": "dispute", "level": "grid", "department": "村人民调解委员会",
        "duty": "lead", "time_limit_days": "5", "grid_can_settle": "on", "description": "小事一格解决",
        "reason": "县委政法委〔2024〕3号文件"}


def test_admit_edit_exit_readmit_through_the_pages(client, tree, people):
    client.force_login(people.admin)
    page = client.get("/grid/matters/new").content.decode()
    assert "事项准入" in page and tree.county.name in page and tree.kejing.name in page
    response = client.post("/grid/matters/new", {**FORM, "place": tree.county.code})
    matter = Matter.objects.get(code="GM-01")
    assert response.status_code == 302 and response["Location"] == f"/grid/matters/{matter.pk}/"
    assert matter.place == tree.county and matter.grid_can_settle

    page = client.get(f"/grid/matters/{matter.pk}/").content.decode()
    assert "县委政法委〔2024〕3号文件" in page and "准入" in page and "今天受理则应于" in page

    response = client.post(f"/grid/matters/{matter.pk}/edit", {**FORM, "time_limit_days": "0", "reason": "缩短"})
    assert response.status_code == 200 and "办理时限应为" in response.content.decode()
    response = client.post(f"/grid/matters/{matter.pk}/edit", {**FORM, "time_limit_days": "3", "reason": "缩短时限"})
    assert response.status_code == 302
    page = client.get(f"/grid/matters/{matter.pk}/").content.decode()
    assert "办理时限（工作日）：5 → 3" in page and "缩短时限" in page

    response = client.post(f"/grid/matters/{matter.pk}/exit", {"reason": ""})
    assert response.status_code == 200 and "请填写退出原因" in response.content.decode()
    assert client.post(f"/grid/matters/{matter.pk}/exit", {"reason": "并入综合事项"}).status_code == 302
    matter.refresh_from_db()
    assert not matter.is_active
    assert "已退出" in client.get("/grid/matters/", {"status": "inactive"}).content.decode()
    assert "邻里纠纷" not in client.get("/grid/matters/").content.decode()  # the default shows matters in force
    assert client.post(f"/grid/matters/{matter.pk}/readmit", {"reason": "恢复单列"}).status_code == 302
    matter.refresh_from_db()
    assert matter.is_active
    assert list(matter.changes.order_by("id").values_list("kind", flat=True)) == [
        "admitted", "changed", "exited", "readmitted"]


def test_admit_form_keeps_input_and_writes_nothing_on_error(client, tree, people):
    client.force_login(people.admin)
    before = (Matter.objects.count(), MatterChange.objects.count(), AuditEntry.objects.count())
    response = client.post("/grid/matters/new", {**FORM, "place": tree.county.code, "name": "", "category": "x"})
    body = response.content.decode()
    assert response.status_code == 200 and "请填写事项名称" in body and "未知事项类别" in body
    assert 'value="GM-01"' in body and "县委政法委〔2024〕3号文件" in body
    assert (Matter.objects.count(), MatterChange.objects.count(), AuditEntry.objects.count()) == before


def test_scope_of_the_pages(client, tree, people, admit):
    county_matter = admit()
    township_matter = admit(place=tree.kejing, actor=people.dispatcher, code="KJ-01", name="集镇占道经营",
                            category="environment", level="township", department="乡镇综合行政执法队",
                            grid_can_settle=False)
    urls = [f"/grid/matters/{township_matter.pk}/{suffix}" for suffix in ("", "edit", "exit", "readmit")]
    assert client.get("/grid/matters/").status_code == 302  # anonymous: log in first
    for url in urls:
        assert "/accounts/login/" in client.get(url)["Location"]

    for outsider in (people.other_dispatcher, people.no_role):  # out of scope: 404, never 403 or data
        client.force_login(outsider)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (outsider.username, url)
            assert "集镇占道经营" not in response.content.decode()
        assert client.post(urls[2], {"reason": "越权"}).status_code == 404
        assert client.post("/grid/matters/new", {**FORM, "code": "KJ-9", "place": tree.kejing.code}).status_code in (
            403, 404)
    township_matter.refresh_from_db()
    assert township_matter.is_active and not Matter.objects.filter(code="KJ-9").exists()

    # A village cadre reads the county's list and the township's, without buttons to change them.
    client.force_login(people.cadre)
    body = client.get("/grid/matters/").content.decode()
    assert "邻里纠纷" in body and "集镇占道经营" in body and "事项准入" not in body
    body = client.get(f"/grid/matters/{county_matter.pk}/").content.decode()
    assert "邻里纠纷" in body and "退出清单" not in body and "您可以查看" in body
    assert client.get(f"/grid/matters/{county_matter.pk}/edit").status_code == 403
    assert client.post(f"/grid/matters/{county_matter.pk}/exit", {"reason": "越权"}).status_code == 403
    assert client.get("/grid/matters/new").status_code == 403
    county_matter.refresh_from_db()
    assert county_matter.is_active

    # The township dispatcher manages the township's list only.
    client.force_login(people.dispatcher)
    assert client.get(urls[1]).status_code == 200
    assert client.get(f"/grid/matters/{county_matter.pk}/edit").status_code == 403
    page = client.get("/grid/matters/new").content.decode()
    assert tree.kejing.name in page and f'value="{tree.county.code}"' not in page
    assert client.post("/grid/matters/new", {**FORM, "code": "KJ-2", "name": "越级", "place": tree.county.code}
                       ).status_code == 404


def test_menu_shows_the_list_to_those_who_may_see_it(client, people):
    client.force_login(people.cadre)
    assert "事项清单" in client.get("/").content.decode()
    client.force_login(people.no_role)
    assert "事项清单" not in client.get("/").content.decode()


def test_list_page_query_count_does_not_grow_with_rows(client, tree, people, admit, spec):
    client.force_login(people.cadre)
    admit(code="A-0", name="事项0")
    client.get("/grid/matters/")  # warm up (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/grid/matters/").status_code == 200
    for i in range(1, 30):
        admit(code=f"A-{i}", name=f"事项{i}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/grid/matters/").content.decode()
    assert "事项29" in body
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as paged:
        assert client.get("/grid/matters/", {"page": 2, "status": "all"}).status_code == 200
    assert len(paged) <= len(few) + 1  # the capped count on later pages


def test_export(client, tree, people, admit):
    admit()
    admit(place=tree.kejing, actor=people.dispatcher, code="KJ-01", name="=集镇占道经营", category="environment",
          level="township", department="乡镇综合行政执法队", grid_can_settle=False)
    client.force_login(people.cadre)
    response = client.get("/grid/matters/", {"export": "xlsx", "status": "all"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("事项代码", "事项名称", "事项类别")
    assert [r[0] for r in rows[1:]] == ["GM-01", "KJ-01"]  # the county's list that binds the village is included
    assert rows[1][7] == "是" and rows[1][8] == tree.county.name
    assert rows[2][1] == "'=集镇占道经营"  # formula injection neutralised
    entry = AuditEntry.objects.get(event="matter_export")
    assert entry.actor_id == people.cadre.pk and "status=all" in entry.detail
    client.force_login(people.no_role)
    assert client.get("/grid/matters/", {"export": "xlsx"}).status_code == 403  # no role: nothing to export


def test_demo_command_is_idempotent_and_respects_exits(tree, people):
    out = io.StringIO()
    call_command("grid_matters_demo", "--place", tree.county.code, stdout=out)
    assert f"新增 {len(DEMO_MATTERS)} 项" in out.getvalue()
    assert 40 <= Matter.objects.filter(place=tree.county, is_active=True).count() == len(DEMO_MATTERS) <= 50
    names = set(Matter.objects.values_list("name", flat=True))
    assert {"邻里纠纷", "宅基地纠纷", "地质灾害隐患", "秸秆焚烧", "低保政策咨询", "电动车违规充电", "动物疫情"} <= names
    assert len({m.category for m in Matter.objects.all()}) >= 9
    assert MatterChange.objects.filter(kind="admitted").count() == len(DEMO_MATTERS)
    assert AuditEntry.objects.filter(event="matter_admit").count() == len(DEMO_MATTERS)

    services.matter_exit(acting_user=people.admin, matter=Matter.objects.get(code="GM-30"), reason="移交供电公司")
    before = (Matter.objects.count(), MatterChange.objects.count(), AuditEntry.objects.count())
    out = io.StringIO()
    call_command("grid_matters_demo", "--place", tree.county.code, stdout=out)
    assert "新增 0 项" in out.getvalue()
    assert (Matter.objects.count(), MatterChange.objects.count(), AuditEntry.objects.count()) == before
    assert not Matter.objects.get(code="GM-30").is_active  # a second run does not undo an exit
    assert services.load_demo_matters(tree.county).created == 0


def test_demo_command_refuses_unknown_or_unfit_places(tree):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="未找到区划"):
        call_command("grid_matters_demo", "--place", "999999000000")
    with pytest.raises(CommandError, match="县（市、区）或乡镇"):
        call_command("grid_matters_demo", "--place", tree.v1.code)
    assert not Matter.objects.exists()

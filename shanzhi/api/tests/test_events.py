"""/api/v1/events/ and /api/v1/matters/ (G3, G2): report with photos and an idempotent client key, the steps of
the closed loop through the same services as the pages, scope (404 outside), refusals that write nothing, and a
flat query count on the list."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shanzhi.audit.models import AuditEntry
from shanzhi.events.models import Event
from shanzhi.files.models import Attachment
from shanzhi.workflow.models import CaseHistory

from .conftest import token_client

URL = "/api/v1/events/"
NOT_FOUND = {"code": "not_found", "message": "未找到该记录，或您无权查看。"}


def jpeg(name="scene.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def written():
    return (
        Event.objects.count(),
        CaseHistory.objects.count(),
        AuditEntry.objects.count(),
        Attachment.objects.count(),
    )


@pytest.fixture
def ew(tree, make_user):
    from shanzhi.grid.services import MatterSpec, matter_admit

    admin = make_user("admin", tree.county, username="county_admin")
    w = SimpleNamespace(tree=tree, admin=admin)
    w.dispatcher = make_user("dispatcher", tree.kejing, username="kejing_dispatcher")
    w.worker = make_user("grid_worker", tree.g1, username="g1_worker")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.leader = make_user("leader", tree.kejing, username="kejing_leader")
    w.villager = make_user("villager", tree.g1, username="villager_a")
    w.villager_b = make_user("villager", tree.v1, username="villager_b")
    w.wulong = make_user("village_cadre", tree.v3, username="v3_cadre")
    w.grid_matter = matter_admit(
        acting_user=admin,
        place=tree.county,
        reason="县委政法委文件",
        spec=MatterSpec(
            code="GM-01",
            name="邻里纠纷",
            category="dispute",
            level="grid",
            department="村人民调解委员会",
            time_limit_days=1,
            grid_can_settle=True,
        ),
    )
    w.wulong_matter = matter_admit(
        acting_user=admin,
        place=tree.wulong,
        reason="镇文件",
        spec=MatterSpec(
            code="WL-01",
            name="五龙口镇专项",
            category="other",
            level="township",
            department="镇综治办",
            time_limit_days=2,
        ),
    )
    return w


def report(client, place, matter, **extra):
    data = {
        "place": place.code,
        "matter": str(matter.pk),
        "text": "两户因排水沟发生争执",
        "address": "东坡村三组桥头",
        **extra,
    }
    return client.post(URL, data, format="multipart")


def test_report_with_photos_and_a_replayed_client_key(ew):
    client = token_client(ew.villager)
    key = uuid.uuid4().hex
    first = report(
        client,
        ew.tree.g1,
        ew.grid_matter,
        client_key=key,
        photos=[jpeg(), jpeg("b.jpg")],
        latitude="35.11",
        longitude="112.51",
    )
    assert first.status_code == 201, first.content
    body = first.json()
    event = Event.objects.get(pk=body["id"])
    assert body["number"] == event.number and body["state"] == "reported" and body["state_label"] == "待分派"
    assert (
        body["place"] == ew.tree.g1.code
        and body["matter_code"] == "GM-01"
        and body["latitude"] == "35.110000"
    )
    assert len(body["photos"]) == 2 and body["photos"][0]["url"].startswith("/files/")
    assert [h["label"] for h in body["history"]] == ["上报"]
    before = written()
    again = report(client, ew.tree.g1, ew.grid_matter, client_key=key, photos=[jpeg()])
    assert again.status_code == 200 and again.json()["id"] == event.pk
    assert written() == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("out of scope place", "不是您可以上报事件的村（社区）或网格"),
        ("unknown place", "不是您可以上报事件的村（社区）或网格"),
        ("matter of another township", "请从事发地适用的网格事项清单中选择事项"),
        ("no text", "请描述事件情况"),
        ("no location", "请提供位置"),
        ("not an image", "只能上传 JPEG、PNG 或 WebP 图片"),
    ],
)
def test_bad_reports_are_400_and_write_nothing(ew, case, message):
    client = token_client(ew.villager)
    args = {
        "out of scope place": {"place": ew.tree.v3},
        "unknown place": {"place": SimpleNamespace(code="419001100299")},
        "matter of another township": {"matter": ew.wulong_matter},
        "no text": {"text": "  "},
        "no location": {"address": ""},
        "not an image": {
            "photos": [SimpleUploadedFile("x.jpg", b"MZ not a picture", content_type="image/jpeg")]
        },
    }[case]
    place, matter = args.pop("place", ew.tree.g1), args.pop("matter", ew.grid_matter)
    before = written()
    response = report(client, place, matter, **args)
    assert response.status_code == 400, response.content
    assert message in response.json()["message"]
    assert written() == before


def test_the_closed_loop_through_the_api(ew):
    villager, dispatcher, worker = (token_client(u) for u in (ew.villager, ew.dispatcher, ew.worker))
    pk = report(villager, ew.tree.g1, ew.grid_matter).json()["id"]
    detail = dispatcher.get(f"{URL}{pk}/").json()
    assert "triage" in [a["name"] for a in detail["actions"]]
    assert "triage" not in [a["name"] for a in worker.get(f"{URL}{pk}/").json()["actions"]]

    # the wrong role is 403, the wrong order 409, a missing reason 400 — each with nothing written
    before = written()
    wrong_role = worker.post(f"{URL}{pk}/triage/", {"level": "grid"}, format="json")
    assert wrong_role.status_code == 403 and "您无权“分派”" in wrong_role.json()["message"]
    wrong_order = worker.post(f"{URL}{pk}/accept/", {}, format="json")
    assert wrong_order.status_code in (403, 409)
    bad_level = dispatcher.post(f"{URL}{pk}/triage/", {"level": "moon"}, format="json")
    assert bad_level.status_code == 400 and "请选择承办层级" in bad_level.json()["message"]
    assert written() == before

    triaged = dispatcher.post(f"{URL}{pk}/triage/", {"level": "grid", "note": "请网格员处理"}, format="json")
    assert triaged.status_code == 200 and triaged.json()["state"] == "assigned"
    assert {a["name"] for a in worker.get(f"{URL}{pk}/").json()["actions"]} >= {"accept", "return"}
    no_reason = worker.post(f"{URL}{pk}/return/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and Event.objects.get(pk=pk).state == "assigned"
    accepted = worker.post(f"{URL}{pk}/accept/", {}, format="json").json()
    assert accepted["state"] == "handling" and accepted["due_at"]
    again = worker.post(f"{URL}{pk}/accept/", {}, format="json")
    assert again.status_code == 409 and "不能“受理”" in again.json()["message"]
    urged = token_client(ew.leader).post(f"{URL}{pk}/urge/", {"note": "请尽快"}, format="json")
    assert urged.status_code == 200 and urged.json()["urge_count"] == 1
    closed = worker.post(f"{URL}{pk}/close/", {"result": "已调解，双方签订协议"}, format="json").json()
    assert closed["state"] == "closed" and closed["result"] == "已调解，双方签订协议"
    rated = villager.post(f"{URL}{pk}/rate/", {"satisfied": True}, format="json").json()
    assert rated["state"] == "done" and rated["satisfaction"] == "satisfied"
    assert [h["label"] for h in rated["history"]][:2] == ["上报", "分派"]
    assert AuditEntry.objects.filter(event="event.rate_satisfied", object_id=str(pk)).exists()


def test_scope_lists_and_404(ew):
    mine = report(token_client(ew.villager), ew.tree.g1, ew.grid_matter).json()["id"]
    other = report(token_client(ew.wulong), ew.tree.v3, ew.wulong_matter, address="南河村").json()["id"]

    def ids(user, **params):
        response = token_client(user).get(URL, params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(ew.dispatcher) == {mine}
    assert ids(ew.admin) == {mine, other}
    assert ids(ew.villager) == {mine} and ids(ew.villager_b) == set()  # a villager sees only their own
    assert ids(ew.cadre_v2) == set()
    assert ids(ew.dispatcher, state="reported", mine="true") == {mine}
    assert ids(ew.dispatcher, state="done") == set() and ids(ew.dispatcher, overdue="1") == set()
    assert ids(ew.admin, matter=str(ew.wulong_matter.pk)) == {other}
    for user, pk in ((ew.cadre_v2, mine), (ew.villager_b, mine), (ew.dispatcher, other)):
        response = token_client(user).get(f"{URL}{pk}/")
        assert response.status_code == 404 and response.json() == NOT_FOUND
        acted = token_client(user).post(f"{URL}{pk}/urge/", {}, format="json")
        assert acted.status_code == 404 and acted.json() == NOT_FOUND
    assert token_client(ew.admin).get(f"{URL}999999/").json() == NOT_FOUND
    bad = token_client(ew.admin).get(URL, {"state": "lost"})
    assert bad.status_code == 400 and "未知状态" in bad.json()["message"]
    assert token_client(ew.admin).get(URL, {"matter": "x"}).status_code == 400
    assert token_client().get(URL).status_code == 401


def test_list_query_count_does_not_grow(ew):
    villager = token_client(ew.villager)
    viewer = token_client(ew.dispatcher)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = viewer.get(URL, {"limit": 500})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    for _ in range(2):
        report(villager, ew.tree.g1, ew.grid_matter)
    few_queries, few = measure()
    for _ in range(6):
        report(villager, ew.tree.g1, ew.grid_matter)
    many_queries, many = measure()
    assert (few, many) == (2, 8)
    assert few_queries == many_queries <= 5


def test_matters_applicable_at_a_place(ew):
    at_v3 = token_client(ew.wulong).get("/api/v1/matters/", {"place": ew.tree.v3.code})
    assert at_v3.status_code == 200
    assert [m["code"] for m in at_v3.json()["results"]] == ["GM-01", "WL-01"]
    at_g1 = token_client(ew.villager).get("/api/v1/matters/", {"place": ew.tree.g1.code}).json()["results"]
    assert [(m["code"], m["owner"], m["time_limit_days"]) for m in at_g1] == [
        ("GM-01", ew.tree.county.code, 1)
    ]
    outside = token_client(ew.villager).get("/api/v1/matters/", {"place": ew.tree.v3.code})
    assert outside.status_code == 400 and "不在您的管辖范围内" in outside.json()["message"]
    scoped = token_client(ew.dispatcher).get("/api/v1/matters/").json()["results"]
    assert [m["code"] for m in scoped] == ["GM-01"]  # 克井镇 sees the county's list, not 五龙口镇's
    assert token_client(ew.dispatcher).get("/api/v1/matters/", {"category": "nope"}).status_code == 400


def test_notes_transfer_supervise_and_merge_through_the_api(ew):
    villager, dispatcher, worker, leader = (
        token_client(u) for u in (ew.villager, ew.dispatcher, ew.worker, ew.leader)
    )
    pk = report(villager, ew.tree.g1, ew.grid_matter).json()["id"]
    dup = report(token_client(ew.villager_b), ew.tree.v1, ew.grid_matter, text="同一条排水沟又堵了").json()[
        "id"
    ]

    merged = dispatcher.post(f"{URL}{dup}/merge/", {"into": Event.objects.get(pk=pk).number}, format="json")
    assert merged.status_code == 200, merged.content
    assert merged.json()["state"] == "merged" and merged.json()["merged_into"] == pk
    wrong = dispatcher.post(f"{URL}{pk}/merge/", {"into": str(pk)}, format="json")
    assert wrong.status_code == 400 and "不能把事件合并到它自己" in wrong.json()["message"]

    dispatcher.post(f"{URL}{pk}/triage/", {"level": "grid"}, format="json")
    worker.post(f"{URL}{pk}/accept/", {}, format="json")
    endpoints = {a["endpoint"] for a in worker.get(f"{URL}{pk}/").json()["actions"]}
    assert {"close", "escalate", "notes"} <= endpoints
    before = written()
    empty = worker.post(f"{URL}{pk}/notes/", {"note": ""}, format="multipart")
    assert empty.status_code == 400 and "请填写办理情况" in empty.json()["message"] and written() == before
    noted = worker.post(
        f"{URL}{pk}/notes/", {"note": "已到现场查看，约定明日清淤", "photos": [jpeg()]}, format="multipart"
    )
    assert noted.status_code == 200, noted.content
    assert (
        noted.json()["history"][-1]["note"] == "已到现场查看，约定明日清淤"
        and len(noted.json()["photos"]) == 1
    )

    supervised = leader.post(f"{URL}{pk}/supervise/", {"note": "请本周内办结"}, format="json")
    assert supervised.status_code == 200 and supervised.json()["history"][-1]["note"] == "请本周内办结"
    assert {"urge", "supervise"} <= {a["endpoint"] for a in leader.get(f"{URL}{pk}/").json()["actions"]}

    moved = worker.post(
        f"{URL}{pk}/transfer/", {"level": "village", "reason": "涉及两个网格，由村委会协调"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "assigned" and moved.json()["assignee_level"] == "village"
    again = dispatcher.post(f"{URL}{pk}/transfer/", {"level": "village", "reason": "再转"}, format="json")
    assert again.status_code == 400 and "已由该单位承办" in again.json()["message"]

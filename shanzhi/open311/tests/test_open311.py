"""Open311 GeoReport v2 over the matter list and events: discovery, services, service definitions, POST and GET
requests in XML and JSON; the key's account decides scope; bad input answers the spec's error document with its
HTTP status and writes nothing; personal data never leaves in a GET."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.events import services as event_services
from shanzhi.events.models import Event
from shanzhi.open311.models import ApiKey, Submission
from shanzhi.open311.services import api_key_revoke, key_digest
from shanzhi.workflow.calendar import CHINA

from .conftest import INSIDE_G1, NOWHERE

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"


def written():
    return Event.objects.count(), Submission.objects.count(), AuditEntry.objects.count()


def errors_of(response) -> list[dict]:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return body


def post(client, raw, fmt="json", **data):
    form = {"api_key": raw, "service_code": "GM-01", "description": "两户因排水沟发生争执", **data}
    return client.post(f"{V2}/requests.{fmt}", {k: v for k, v in form.items() if v is not None})


def test_discovery_names_the_endpoint_and_both_formats(client, o311):
    for url in ("/open311/discovery.json", f"{V2}/discovery.json"):
        body = client.get(url).json()
        endpoint = body["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2/") and endpoint["type"] == "production"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert body["changeset"].startswith(str(dt.date.today().year)) or "T" in body["changeset"]
    xml = client.get("/open311/discovery.xml")
    assert xml["Content-Type"] == "text/xml; charset=utf-8"
    assert xml.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(xml.content)
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_service_list_is_the_county_matter_list(client, o311):
    response = client.get(f"{V2}/services.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {"GM-01", "GM-02"}  # the township's own list is not the county's
    dispute = services["GM-01"]
    assert dispute == {
        "service_code": "GM-01",
        "service_name": "邻里纠纷",
        "metadata": True,
        "type": "realtime",
        "group": "矛盾纠纷",
        "keywords": "邻里纠纷, 矛盾纠纷, 网格, 村人民调解委员会",
        "description": "由网格（村人民调解委员会）办理，受理后 1 个工作日内办结。",
    }
    root = ET.fromstring(client.get(f"{V2}/services.xml", {"jurisdiction_id": "419001"}).content)
    assert root.tag == "services" and [s.findtext("service_code") for s in root] == ["GM-01", "GM-02"]
    assert root.find("service/metadata").text == "true"
    assert client.get(f"{V2}/services.json", {"jurisdiction_id": "419001000000"}).status_code == 200


def test_unknown_jurisdiction_is_404_in_both_formats(client, o311):
    response = client.get(f"{V2}/services.json", {"jurisdiction_id": "110101"})
    assert response.status_code == 404
    assert "未找到辖区" in errors_of(response)[0]["description"]
    xml = client.get(f"{V2}/services.xml", {"jurisdiction_id": "nowhere.gov"})
    assert xml.status_code == 404 and xml["Content-Type"] == "text/xml; charset=utf-8"
    error = ET.fromstring(xml.content).find("error")
    assert error.findtext("code") == "404" and "未找到辖区" in error.findtext("description")


def test_service_definition_offers_the_villages(client, o311):
    t = o311.tree
    body = client.get(f"{V2}/services/GM-02.json").json()
    assert body["service_code"] == "GM-02"
    place, notice = body["attributes"]
    assert place["code"] == "place" and place["datatype"] == "singlevaluelist" and place["variable"] is True
    assert place["required"] is False and place["order"] == 1
    assert {"key": t.v1.code, "name": "克井镇 东坡村"} in place["values"]
    assert {v["key"] for v in place["values"]} == {t.v1.code, t.v2.code, t.v3.code}
    assert notice["variable"] is False and "县水利局" in notice["description"]
    root = ET.fromstring(client.get(f"{V2}/services/GM-02.xml").content)
    assert root.tag == "service_definition"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")][:1] == [t.v1.code]
    missing = client.get(f"{V2}/services/NOPE.json")
    assert missing.status_code == 404 and "NOPE" in errors_of(missing)[0]["description"]


def test_post_at_a_point_inside_a_grid_reports_there_as_the_keys_account(client, o311):
    lat, lng = INSIDE_G1
    response = post(
        client,
        o311.raw,
        lat=lat,
        long=lng,
        address_string="东坡村三组桥头",
        first_name="三",
        last_name="张",
        phone="13812345678",
        email="zhang@example.cn",
        media_url="https://img.example.cn/1.jpg",
        account_id="u-42",
        device_id="dev-1",
    )
    assert response.status_code == 200, response.content
    (body,) = response.json()
    event = Event.objects.get()
    assert body == {
        "service_request_id": event.number,
        "account_id": "u-42",
        "service_notice": "由网格（村人民调解委员会）办理，受理后 1 个工作日内办结。",
    }
    assert (event.place, event.reporter, event.text, event.address) == (
        o311.tree.g1,
        o311.leader,
        "两户因排水沟发生争执",
        "东坡村三组桥头",
    )
    assert str(event.latitude) == "35.110000" and event.state == "reported" and event.matter == o311.dispute
    sub = Submission.objects.get()
    assert (sub.api_key, sub.phone, sub.last_name, sub.media_url) == (
        o311.key,
        "13812345678",
        "张",
        "https://img.example.cn/1.jpg",
    )
    assert "138" not in event.text and sub.place_path == o311.tree.g1.path
    entry = AuditEntry.objects.get(event="open311_request_create")
    assert (
        entry.actor == o311.leader
        and "12345热线" in entry.detail
        and "13812345678" not in json.dumps(entry.after)
    )


def test_post_with_place_attribute_and_address_only(client, o311):
    t = o311.tree
    response = post(
        client, o311.raw, "xml", address_string="西岭村村委会门口", **{"attribute[place]": t.v2.code}
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/xml; charset=utf-8"
    request = ET.fromstring(response.content).find("request")
    event = Event.objects.get(number=request.findtext("service_request_id"))
    assert event.place == t.v2 and event.latitude is None and event.address == "西岭村村委会门口"
    # address_id carries a place code as well (the jurisdiction's own addressing: the place code)
    again = post(client, o311.raw, address_id=t.g1.code)
    assert again.status_code == 200
    assert Event.objects.get(number=again.json()[0]["service_request_id"]).place == t.g1


def test_point_outside_every_grid_uses_the_place_attribute(client, o311):
    lat, lng = NOWHERE
    response = post(client, o311.raw, lat=lat, long=lng, **{"attribute[place]": o311.tree.v1.code})
    assert response.status_code == 200
    event = Event.objects.get()
    assert event.place == o311.tree.v1 and str(event.longitude) == "112.900000"


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("no key", 403, "缺少 api_key"),
        ("bad key", 403, "api_key 无效或已吊销"),
        ("revoked key", 403, "api_key 无效或已吊销"),
        ("unknown service", 404, "没有服务代码为“XX-99”的服务"),
        ("township service", 404, "没有服务代码为“WL-01”的服务"),
        ("no service", 400, "缺少 service_code"),
        ("no location", 400, "请提供事发位置"),
        ("half a point", 400, "lat 和 long 须同时提供"),
        ("bad latitude", 400, "纬度（lat）格式不正确"),
        ("point in no grid", 400, "无法确定事发地点"),
        ("place of another county", 400, "不是本辖区内的村（社区）或网格"),
        ("place out of the account's scope", 403, "不能在此地点上报事件"),
        ("no description", 400, "请描述事件情况"),
        ("long description", 400, "事件描述不能超过 1000 字"),
        ("bad email", 400, "邮箱（email）格式不正确"),
        ("bad media url", 400, "媒体链接（media_url）须为 http 或 https 网址"),
        ("unknown jurisdiction", 404, "未找到辖区"),
    ],
)
def test_bad_posts_answer_spec_errors_and_write_nothing(client, o311, case, status, message):
    t = o311.tree
    if case == "revoked key":
        api_key_revoke(acting_user=o311.admin, key=o311.key)
    lat, lng = INSIDE_G1
    args = {
        "no key": {"raw": None, "lat": lat, "long": lng},
        "bad key": {"raw": "o311_not-a-key", "lat": lat, "long": lng},
        "revoked key": {"lat": lat, "long": lng},
        "unknown service": {"service_code": "XX-99", "lat": lat, "long": lng},
        "township service": {"service_code": "WL-01", "lat": lat, "long": lng},
        "no service": {"service_code": "", "lat": lat, "long": lng},
        "no location": {},
        "half a point": {"lat": lat},
        "bad latitude": {"lat": "北纬35度", "long": lng},
        "point in no grid": {"lat": NOWHERE[0], "long": NOWHERE[1]},
        "place of another county": dict(address_string="某地", **{"attribute[place]": "410102001001"}),
        "place out of the account's scope": dict(address_string="南河村", **{"attribute[place]": t.v3.code}),
        "no description": {"description": "  ", "lat": lat, "long": lng},
        "long description": {"description": "长" * 1001, "lat": lat, "long": lng},
        "bad email": {"email": "not-an-email", "lat": lat, "long": lng},
        "bad media url": {"media_url": "javascript:alert(1)", "lat": lat, "long": lng},
        "unknown jurisdiction": {"jurisdiction_id": "110101", "lat": lat, "long": lng},
    }[case]
    raw = args.pop("raw", o311.raw)
    before = written()
    response = post(client, raw, **args)
    assert response.status_code == status, response.content
    assert message in errors_of(response)[0]["description"]
    assert written() == before


def test_a_retried_post_makes_a_second_event(client, o311):
    """Open311 has no idempotency key: the same POST twice is two events (staff merge duplicates)."""
    lat, lng = INSIDE_G1
    first = post(client, o311.raw, lat=lat, long=lng).json()[0]["service_request_id"]
    second = post(client, o311.raw, lat=lat, long=lng).json()[0]["service_request_id"]
    assert first != second and Event.objects.count() == 2


# --- GET requests --------------------------------------------------------------------------------------------


@pytest.fixture
def events(client, o311):
    """Two events through Open311 in 克井镇 (one closed), one reported directly in 五龙口镇."""
    from shanzhi.access.services import role_assign  # noqa: F401  (roles come through make_user)

    lat, lng = INSIDE_G1
    open_number = post(
        client,
        o311.raw,
        lat=lat,
        long=lng,
        phone="13812345678",
        last_name="张",
        media_url="https://img.example.cn/1.jpg",
    ).json()[0]["service_request_id"]
    closed_number = post(
        client,
        o311.raw,
        service_code="GM-02",
        address_string="西岭村河道",
        **{"attribute[place]": o311.tree.v2.code},
    ).json()[0]["service_request_id"]
    other = event_services.event_report(
        acting_user=o311.wulong_leader,
        place=o311.tree.v3,
        matter_id=o311.wulong_only.pk,
        text="五龙口镇专项问题",
        address="南河村",
    )
    return type(
        "Events",
        (),
        {
            "open": Event.objects.get(number=open_number),
            "closed": Event.objects.get(number=closed_number),
            "other": other,
        },
    )


def _close(o311, event, make_user):
    dispatcher = make_user("dispatcher", o311.tree.kejing)
    worker = make_user("village_cadre", o311.tree.v2)
    event_services.event_triage(acting_user=dispatcher, event=event, level="village")
    event_services.event_accept(acting_user=worker, event=event)
    event_services.event_close(acting_user=worker, event=event, result="已清理河道淤积")


def test_get_requests_with_a_key_shows_the_accounts_scope_in_full(client, o311, events, make_user):
    _close(o311, events.closed, make_user)
    rows = client.get(f"{V2}/requests.json", {"api_key": o311.raw}).json()
    assert {r["service_request_id"] for r in rows} == {
        events.open.number,
        events.closed.number,
    }  # not 五龙口镇's
    by_id = {r["service_request_id"]: r for r in rows}
    opened, closed = by_id[events.open.number], by_id[events.closed.number]
    assert opened["status"] == "open" and opened["status_notes"] == "待分派"
    assert opened["description"] == "两户因排水沟发生争执" and opened["address_id"] == o311.tree.g1.code
    assert (opened["lat"], opened["long"]) == (35.11, 112.51) and opened[
        "media_url"
    ] == "https://img.example.cn/1.jpg"
    assert opened["requested_datetime"].endswith("+08:00") and "expected_datetime" in opened
    assert closed["status"] == "closed" and closed["status_notes"] == "待评价：已清理河道淤积"
    assert closed["agency_responsible"] == "西岭村（村（社区））" and "expected_datetime" not in closed
    assert closed["updated_datetime"] == events.closed.__class__.objects.get(
        pk=events.closed.pk
    ).closed_at.astimezone(CHINA).isoformat(timespec="seconds")
    content = client.get(f"{V2}/requests.xml", {"api_key": o311.raw}).content.decode()
    for personal in ("13812345678", "张", "克井镇12345热线", "kejing_hotline"):
        assert personal not in content
    one = client.get(f"{V2}/requests/{events.closed.number}.json", {"api_key": o311.raw}).json()
    assert one == [closed]


def test_get_requests_without_a_key_shows_no_text_place_or_person(client, o311, events):
    rows = client.get(f"{V2}/requests.json").json()
    assert {r["service_request_id"] for r in rows} == {
        events.open.number,
        events.closed.number,
        events.other.number,
    }
    for row in rows:
        assert not {"description", "address", "address_id", "lat", "long", "media_url"} & row.keys()
        assert {"service_request_id", "status", "service_code", "requested_datetime"} <= row.keys()
    single = client.get(f"{V2}/requests/{events.open.number}.xml")
    request = ET.fromstring(single.content).find("request")
    assert request.findtext("status") == "open" and request.find("description") is None


def test_a_villager_accounts_key_sees_only_its_own_reports(client, o311, events):
    mine = post(client, o311.app_raw, address_string="东坡村", **{"attribute[place]": o311.tree.v1.code})
    number = mine.json()[0]["service_request_id"]
    rows = client.get(f"{V2}/requests.json", {"api_key": o311.app_raw}).json()
    assert [r["service_request_id"] for r in rows] == [number]
    hidden = client.get(f"{V2}/requests/{events.open.number}.json", {"api_key": o311.app_raw})
    assert hidden.status_code == 404
    assert client.get(f"{V2}/requests/{events.other.number}.json", {"api_key": o311.raw}).status_code == 404


def test_get_filters(client, o311, events, make_user):
    _close(o311, events.closed, make_user)
    key = {"api_key": o311.raw}

    def ids(**params):
        response = client.get(f"{V2}/requests.json", {**key, **params})
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids(status="open") == {events.open.number}
    assert ids(status="closed") == {events.closed.number}
    assert ids(status="open,closed") == {events.open.number, events.closed.number}
    assert ids(service_code="GM-02") == {events.closed.number}
    assert ids(service_request_id=f"{events.open.number},{events.other.number}") == {events.open.number}
    today = dt.datetime.now(CHINA)
    assert ids(start_date=(today - dt.timedelta(days=1)).isoformat()) == {
        events.open.number,
        events.closed.number,
    }
    assert ids(end_date=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert ids(
        start_date=(today - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(today + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ) == {events.open.number, events.closed.number}


def test_default_range_is_the_last_90_days(client, o311):
    old = event_services.event_report(
        acting_user=o311.leader,
        place=o311.tree.v1,
        matter_id=o311.dispute.pk,
        text="旧事件",
        address="东坡村",
        now=dt.datetime.now(CHINA) - dt.timedelta(days=91),
    )
    assert client.get(f"{V2}/requests.json", {"api_key": o311.raw}).json() == []
    start = (dt.datetime.now(CHINA) - dt.timedelta(days=95)).isoformat()
    rows = client.get(f"{V2}/requests.json", {"api_key": o311.raw, "start_date": start}).json()
    assert [r["service_request_id"] for r in rows] == [old.number]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "yesterday"}, "start_date 须为带时区的 W3C 日期时间"),
        ({"end_date": "2026-01-01T00:00:00"}, "end_date 须为带时区的 W3C 日期时间"),
        (
            {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date 不能早于 start_date",
        ),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "不能超过 90 天"),
        ({"status": "pending"}, "status 只能是 open 或 closed"),
        ({"api_key": "o311_wrong"}, "api_key 无效或已吊销"),
    ],
)
def test_bad_get_arguments(client, o311, params, message):
    response = client.get(f"{V2}/requests.json", params)
    assert response.status_code == (403 if "api_key" in params else 400)
    assert message in errors_of(response)[0]["description"]


def test_list_query_count_does_not_grow(client, o311):
    lat, lng = INSIDE_G1

    def measure(params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{V2}/requests.json", params)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json())

    for _ in range(2):
        post(client, o311.raw, lat=lat, long=lng, media_url="https://img.example.cn/a.jpg")
    few = [measure(p) for p in ({}, {"api_key": o311.raw})]
    for _ in range(6):
        post(client, o311.raw, lat=lat, long=lng, media_url="https://img.example.cn/a.jpg")
    many = [measure(p) for p in ({}, {"api_key": o311.raw})]
    assert [n for _, n in many] == [8, 8] and [n for _, n in few] == [2, 2]
    assert [q for q, _ in many] == [q for q, _ in few]
    assert max(q for q, _ in many) <= 8


def test_tokens_and_unknown_resources_are_404(client, o311):
    token = client.get(f"{V2}/tokens/123.json")
    assert token.status_code == 404 and "realtime" in errors_of(token)[0]["description"]
    assert client.get(f"{V2}/nothing.xml").status_code == 404
    csv = client.get(f"{V2}/requests.csv")  # an unknown format is an unknown resource (answered in XML)
    assert csv.status_code == 404 and ET.fromstring(csv.content).findtext("error/code") == "404"
    wrong_method = client.delete(f"{V2}/services.json")
    assert wrong_method.status_code == 405 and wrong_method["Allow"] == "GET"


# --- keys ----------------------------------------------------------------------------------------------------


def test_key_commands_create_list_and_revoke(o311, capsys):
    call_command("open311_key_create", "--user", "kejing_hotline", "--name", "县融媒体中心App")
    out = capsys.readouterr().out
    raw = next(line for line in out.splitlines() if line.startswith("o311_"))
    key = ApiKey.objects.get(name="县融媒体中心App")
    assert key.key_hash == key_digest(raw) and raw not in key.key_hash and key.user == o311.leader
    assert AuditEntry.objects.filter(event="open311_key_create", object_id=str(key.pk)).exists()
    call_command("open311_key_list")
    listing = capsys.readouterr().out
    assert "县融媒体中心App" in listing and key.prefix in listing and raw not in listing
    call_command("open311_key_revoke", str(key.pk))
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.filter(event="open311_key_revoke", object_id=str(key.pk)).exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已于"):
        call_command("open311_key_revoke", key.prefix)
    with pytest.raises(CommandError, match="没有用户名"):
        call_command("open311_key_create", "--user", "nobody-here", "--name", "x")


def test_key_for_an_account_without_event_roles_is_refused(o311, make_user):
    from shanzhi.core.errors import ValidationFailed
    from shanzhi.open311.services import api_key_create

    reviewer = make_user("reviewer", o311.tree.v1)
    before = ApiKey.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationFailed, match="没有上报或查看事件的角色"):
        api_key_create(acting_user=o311.admin, user=reviewer, name="评议小组")
    with pytest.raises(ValidationFailed, match="请填写客户端系统名称"):
        api_key_create(acting_user=o311.admin, user=o311.leader, name="  ")
    assert (ApiKey.objects.count(), AuditEntry.objects.count()) == before


def test_a_deactivated_account_disables_its_key(client, o311):
    o311.leader.is_active = False
    o311.leader.save(update_fields=["is_active"])
    response = post(client, o311.raw, lat=INSIDE_G1[0], long=INSIDE_G1[1])
    assert response.status_code == 403 and Event.objects.count() == 0


def test_xml_drops_characters_xml_cannot_carry():
    from shanzhi.open311.formats import to_xml

    root = ET.fromstring(to_xml("service_requests", [{"description": "水沟\x01堵塞 <&>"}]))
    assert root.findtext("request/description") == "水沟堵塞 <&>"

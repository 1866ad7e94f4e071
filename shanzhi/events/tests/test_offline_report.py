"""The report page with no signal or one bar (G3 step 1; issue: offline queue, idempotent retries): the JSON answers
of the report view, the session endpoint that gives a fresh CSRF token before a replay, the service worker, the
map-pick data; and in a phone-sized browser: report offline → queued → page reopens offline from the service
worker → sent once when the signal returns; a lost answer resent → still one event; a refusal kept as a draft."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.test import Client
from PIL import Image

from shanzhi.audit.models import AuditEntry
from shanzhi.events.models import Event
from shanzhi.files.models import Attachment

from .conftest import jpeg

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[112.50, 35.10], [112.52, 35.10], [112.52, 35.12], [112.50, 35.12], [112.50, 35.10]]],
}


def _data(world, **kw):
    data = {
        "place": world.tree.g1.code,
        "matter": world.grid_matter.pk,
        "text": "桥头护栏断了",
        "address": "东坡村三组桥头",
        "client_key": "k-offline-1",
    }
    data.update(kw)
    return data


def _json_post(client, data, **headers):
    return client.post("/events/report", data, HTTP_ACCEPT="application/json", **headers)


def _outline(world, grid, polygon=SQUARE):
    from shanzhi.grid.grids import GridSpec, grid_profile_save

    return grid_profile_save(acting_user=world.admin, place=grid, spec=GridSpec(), polygon=polygon)


# --- the report view's JSON answers ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_report_created_then_replay_returns_same_event(client, world):
    client.force_login(world.villager)
    first = _json_post(client, {**_data(world), "photos": jpeg()})
    assert first.status_code == 201 and first["Content-Type"] == "application/json"
    event = Event.objects.get()
    assert first.json() == {"number": event.number, "url": f"/events/{event.pk}/", "replayed": False}
    # The answer was lost on the way back; the phone sends the same report again, photo and all.
    again = _json_post(client, {**_data(world), "photos": jpeg()})
    assert again.status_code == 200 and again.json() == {**first.json(), "replayed": True}
    assert Event.objects.count() == 1
    assert Attachment.objects.filter(object_id=event.pk).count() == 1


@pytest.mark.django_db
def test_json_foreground_report_leaves_message_for_event_page(client, world):
    client.force_login(world.villager)
    answer = _json_post(client, _data(world), HTTP_X_REPORT_FOREGROUND="1")
    page = client.get(answer.json()["url"]).content.decode()
    assert f"已上报，事件编号 {Event.objects.get().number}。" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "code", "message"),
    [
        ({"address": ""}, 400, "event_location", "请提供位置：定位或填写地址"),
        ({"matter": "999999"}, 400, "event_matter", "请从事发地适用的网格事项清单中选择事项。"),
        ({"text": " "}, 400, "event_text", "请描述事件情况。"),
        ({"latitude": "91", "longitude": "112.5"}, 400, "event_location", "纬度超出范围。"),
    ],
)
def test_json_refusal_is_code_and_message_and_writes_nothing(client, world, change, status, code, message):
    client.force_login(world.villager)
    audit_before = AuditEntry.objects.count()
    response = _json_post(client, {**_data(world, **change), "photos": jpeg()})
    assert response.status_code == status and response.json() == {"code": code, "message": message}
    assert Event.objects.count() == 0 and Attachment.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_json_key_of_another_reporter_is_a_conflict(client, world):
    client.force_login(world.villager)
    _json_post(client, _data(world))
    client.force_login(world.villager2)
    response = _json_post(client, {**_data(world, place=world.tree.v1.code), "photos": jpeg()})
    assert response.status_code == 409
    assert response.json() == {"code": "event_client_key", "message": "提交编号冲突，请刷新页面后重新填写。"}
    assert Event.objects.count() == 1 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_json_anonymous_and_no_scope(client, world):
    response = _json_post(client, _data(world))
    assert response.status_code == 401 and response.json()["code"] == "login_required"
    assert client.post("/events/report", _data(world)).status_code == 302  # the plain form: to the login page
    assert client.get("/events/report")["Location"].startswith("/accounts/login/")
    client.force_login(world.no_role)
    response = _json_post(client, _data(world))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/events/report").status_code == 404
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_plain_form_still_works_without_javascript(client, world):
    client.force_login(world.villager)
    response = client.post("/events/report", {**_data(world), "photos": jpeg()})
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    response = client.post("/events/report", _data(world, client_key="k-2", address=""))
    assert response.status_code == 200 and "请提供位置：定位或填写地址" in response.content.decode()
    assert Event.objects.count() == 1


# --- CSRF and the session endpoint --------------------------------------------------------------------------------


def _sign_in(client, username):
    """Through the login form, as the phone does (a login rotates the CSRF token)."""
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/", {"username": username, "password": "Passw0rd!x", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_replay_needs_a_current_csrf_token_from_the_session_endpoint(world):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/events/report/session").status_code == 401
    _sign_in(client, "villager_a")
    saved = client.get("/events/report/session").json()  # what a page opened then would hold
    assert saved["user"] == world.villager.pk
    # The report waited in the outbox; meanwhile the session ended and the villager signed in again.
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": saved["csrf"]})
    _sign_in(client, "villager_a")
    refused = _json_post(client, _data(world), HTTP_X_CSRFTOKEN=saved["csrf"])
    assert refused.status_code == 403 and Event.objects.count() == 0
    # The fresh token asked for right before the replay is accepted.
    session = client.get("/events/report/session")
    assert "no-cache" in session["Cache-Control"] and session.json()["user"] == world.villager.pk
    sent = _json_post(client, _data(world), HTTP_X_CSRFTOKEN=session.json()["csrf"])
    assert sent.status_code == 201 and Event.objects.count() == 1


@pytest.mark.django_db
def test_session_endpoint_names_the_signed_in_account(client, world):
    client.force_login(world.villager2)
    assert client.get("/events/report/session").json()["user"] == world.villager2.pk
    assert client.post("/events/report/session").status_code == 405


# --- the service worker ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_worker_script(client):
    response = client.get("/events/sw.js")  # public: code only, no data
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/events/" and response["Cache-Control"] == "no-cache"
    for url in (
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/static/events/report.js",
        "/static/vendor/htmx/htmx.min.js",
    ):
        assert f'"{url}"' in body
    assert 'var PAGE = "/events/report";' in body and "&quot;" not in body
    assert f"var OFFLINE_TITLE = {json.dumps('无网络')};" in body
    version = body.split('var VERSION = "')[1].split('"')[0]
    assert len(version) == 12 and version in client.get("/events/sw.js").content.decode()


@pytest.mark.django_db
def test_service_worker_version_follows_the_files_it_keeps(monkeypatch, tmp_path):
    from shanzhi.events import offline

    offline._sw_version.cache_clear()
    first = offline._sw_version()
    changed = tmp_path / "report.js"
    changed.write_text("// another build")
    real_find = offline.finders.find
    monkeypatch.setattr(
        offline.finders, "find", lambda name: str(changed) if name == "events/report.js" else real_find(name)
    )
    offline._sw_version.cache_clear()
    try:
        assert offline._sw_version() != first
    finally:
        offline._sw_version.cache_clear()


# --- the map-pick data ---------------------------------------------------------------------------------------------


def _map_data(html: str) -> dict:
    return json.loads(
        html.split('<script id="ev-map-data" type="application/json">')[1].split("</script>")[0]
    )


@pytest.mark.django_db
def test_map_shows_outlines_of_grids_user_may_report_in(client, world, make_place):
    _outline(world, world.tree.g1)
    _outline(world, world.tree.g2)  # another village's grid: never on this map
    client.force_login(world.cadre)  # village cadre of 东坡村: reports in the village and its grids
    data = _map_data(client.get("/events/report").content.decode())
    assert [g["code"] for g in data["grids"]] == [world.tree.g1.code]
    assert data["grids"][0]["geometry"]["type"] == "Polygon" and data["tile_url"] == ""
    assert data["leaflet_js"] == "/static/vendor/leaflet/leaflet.js"
    client.force_login(world.villager)  # a villager of grid 1
    assert [g["name"] for g in _map_data(client.get("/events/report").content.decode())["grids"]] == [
        "东坡村第一网格"
    ]
    client.force_login(world.cadre_v2)
    assert _map_data(client.get("/events/report").content.decode())["grids"] == [
        {"code": world.tree.g2.code, "name": "西岭村第一网格", "geometry": SQUARE}
    ]


@pytest.mark.django_db
def test_report_page_queries_do_not_grow_with_grids(client, world, make_place, django_assert_max_num_queries):
    client.force_login(world.cadre)
    client.get("/events/report")
    with django_assert_max_num_queries(14) as few:
        client.get("/events/report")
    for _ in range(4):
        _outline(world, make_place(world.tree.v1, "grid"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/events/report").content.decode()
    assert len(_map_data(html)["grids"]) == 4


# --- in a phone-sized browser ------------------------------------------------------------------------------------------


def _big_photo(tmp_path):
    """A 3000×2000 photo of noise (about 2 MB): large enough to be shrunk before upload."""
    rnd = random.Random(7)
    img = Image.frombytes("RGB", (3000, 2000), bytes(rnd.getrandbits(8) for _ in range(3000 * 2000 * 3)))
    path = tmp_path / "big.jpg"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    path.write_bytes(buf.getvalue())
    return path


def _small_photo(tmp_path):
    path = tmp_path / "scene.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def _wait_for_service_worker(pg, timeout_ms=15_000):
    """Until the worker controls the page and keeps the report page (installing fetches it once more)."""
    for _ in range(timeout_ms // 100):
        if pg.evaluate("""async () => {
            if (!navigator.serviceWorker.controller) return false;
            for (const n of await caches.keys()) { if (await (await caches.open(n)).match('/events/report')) return true; }
            return false;
        }"""):
            return
        pg.wait_for_timeout(100)
    raise AssertionError("the service worker did not take over the report page")


def _fill(pg, text, photo):
    pg.get_by_label("事项").select_option(label="邻里纠纷（矛盾纠纷）")
    pg.get_by_label("情况描述").fill(text)
    pg.get_by_label("地址").fill("东坡村三组桥头")
    pg.get_by_label("现场照片（可多张）").set_input_files(str(photo))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_offline_report_queued_reopened_offline_and_sent_once_online(phone_page, login, world, tmp_path):
    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/events/report")
    _wait_for_service_worker(pg)

    pg.context.set_offline(True)
    pg.reload()  # no network: the page comes from the service worker
    assert pg.get_by_role("heading", name="上报事件").is_visible()
    _fill(pg, "夜里路灯全灭，桥头很暗", _big_photo(tmp_path))
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_text("已保存，待网络恢复后自动上报（1 条待发送）").wait_for()
    assert pg.get_by_label("情况描述").input_value() == ""  # a fresh form for the next report
    assert Event.objects.count() == 0

    pg.reload()  # still offline: page from the service worker, the queue from IndexedDB
    pg.get_by_text("已保存，待网络恢复后自动上报（1 条待发送）").wait_for()
    assert pg.get_by_role("button", name="立即重试").is_visible()
    assert Event.objects.count() == 0

    pg.context.set_offline(False)  # the signal returns: sent without a tap
    pg.get_by_text("已自动上报，事件编号").wait_for()
    event = Event.objects.get()
    assert event.text == "夜里路灯全灭，桥头很暗" and event.reporter.username == "villager_a"
    photo = Attachment.objects.get(object_id=event.pk)
    assert max(photo.width, photo.height) == 1600 and photo.mime_type == "image/jpeg"
    assert photo.size < 1_500_000  # shrunk in the browser (the original is about 2 MB)
    assert pg.locator("#ev_outbox").is_hidden()
    pg.get_by_role("link", name=f"已自动上报，事件编号 {event.number}").click()
    pg.get_by_test_id("event-state").wait_for()
    pg.goto("/events/report")
    pg.wait_for_timeout(500)
    assert Event.objects.count() == 1 and pg.locator("#ev_outbox").is_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_lost_answer_then_retry_makes_one_event(phone_page, login, world, tmp_path):
    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/events/report")
    # The first report reaches the server, which makes the event; its answer is lost on the way back (the
    # phone sees a network error, as when the signal drops mid-answer).
    pg.evaluate("""() => {
        const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (body) {
            if (!window.answerLost && body instanceof FormData) {
                const failed = this.onerror;
                this.onload = () => { window.answerLost = true; failed(); };
            }
            return send.call(this, body);
        };
    }""")
    _fill(pg, "两户因排水沟发生争执", _small_photo(tmp_path))
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_text("已保存，待网络恢复后自动上报（1 条待发送）").wait_for()
    assert pg.evaluate("window.answerLost") is True
    assert Event.objects.count() == 1  # the server has it; the phone does not know

    pg.get_by_role("button", name="立即重试").click()
    pg.get_by_text("已自动上报，事件编号").wait_for()
    event = Event.objects.get()
    assert pg.get_by_role("link", name=f"已自动上报，事件编号 {event.number}").is_visible()
    assert Attachment.objects.filter(object_id=event.pk).count() == 1
    assert pg.locator("#ev_outbox").is_hidden()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_refused_replay_kept_as_draft_and_sent_after_editing(phone_page, login, world, tmp_path):
    from shanzhi.grid.services import matter_exit

    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/events/report")
    pg.context.set_offline(True)
    _fill(pg, "水渠堵塞，水漫到路上", _small_photo(tmp_path))
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_text("已保存，待网络恢复后自动上报（1 条待发送）").wait_for()
    # While the phone was offline the matter left the list: the server will refuse the queued report.
    matter_exit(acting_user=world.admin, matter=world.grid_matter, reason="县委政法委调整清单")
    pg.context.set_offline(False)
    draft = pg.locator("[data-draft]")
    draft.get_by_text("上报未被接受：请从事发地适用的网格事项清单中选择事项。").wait_for()
    assert Event.objects.count() == 0
    pg.wait_for_timeout(500)
    assert pg.get_by_role("button", name="立即重试").is_hidden()  # refused: not retried forever
    assert Event.objects.count() == 0

    draft.get_by_role("button", name="修改").click()
    assert pg.get_by_label("情况描述").input_value() == "水渠堵塞，水漫到路上"
    assert pg.locator("#ev_photos").evaluate("el => el.files.length") == 1
    pg.get_by_label("事项").select_option(label="河道堵塞（环境卫生）")
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_test_id("event-state").wait_for()
    event = Event.objects.get()
    assert event.matter == world.county_matter and event.text == "水渠堵塞，水漫到路上"
    assert Attachment.objects.filter(object_id=event.pk).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_pick_sets_the_point(phone_page, login, world, tmp_path):
    _outline(world, world.tree.g1)
    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/events/report")
    pg.get_by_role("button", name="在地图上选点").click()
    box = pg.locator("#ev_map")
    box.locator(".leaflet-interactive").first.wait_for()
    b = box.bounding_box()
    pg.mouse.click(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    pg.get_by_text("已在地图上选点").wait_for()
    lat, lng = float(pg.get_by_label("纬度").input_value()), float(pg.get_by_label("经度").input_value())
    assert 35.10 < lat < 35.12 and 112.50 < lng < 112.52  # inside the grid's outline the map was fitted to
    pg.get_by_label("事项").select_option(label="邻里纠纷（矛盾纠纷）")
    pg.get_by_label("情况描述").fill("村口大树倒伏")
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_test_id("event-state").wait_for()
    event = Event.objects.get()
    assert float(event.latitude) == pytest.approx(lat) and event.address == ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_queued_report_is_sent_only_by_the_account_that_wrote_it(phone_page, login, world, tmp_path):
    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/events/report")
    pg.route(
        "**/events/report",
        lambda route: (
            route.abort("internetdisconnected") if route.request.method == "POST" else route.continue_()
        ),
    )
    _fill(pg, "垃圾堆在路口三天没人清", _small_photo(tmp_path))
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_text("已保存，待网络恢复后自动上报（1 条待发送）").wait_for()
    pg.unroute("**/events/report")

    # Someone else signs in on the same phone: the report is neither sent as theirs nor shown to them.
    pg.context.clear_cookies()
    login(pg, "villager_b")
    pg.goto("/events/report")
    pg.get_by_text("本机另有 1 条由其他账号保存的上报，需用原账号登录后发送。").wait_for()
    pg.wait_for_timeout(500)
    assert pg.get_by_role("button", name="立即重试").is_hidden()
    assert Event.objects.count() == 0 and "垃圾堆在路口" not in pg.content()

    # Its author signs in again: sent on opening the page.
    pg.context.clear_cookies()
    login(pg, "villager_a")
    pg.goto("/events/report")
    pg.get_by_text("已自动上报，事件编号").wait_for()
    event = Event.objects.get()
    assert event.reporter == world.villager and event.text == "垃圾堆在路口三天没人清"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_queued_report_waits_for_login_when_session_ended(phone_page, login, world, tmp_path):
    pg = phone_page
    login(pg, "villager_a")
    pg.goto("/events/report")
    pg.context.set_offline(True)
    _fill(pg, "山坡落石挡住了路", _small_photo(tmp_path))
    pg.get_by_role("button", name="上报", exact=True).click()
    pg.get_by_text("已保存，待网络恢复后自动上报（1 条待发送）").wait_for()
    pg.context.clear_cookies()  # the session ended (idle timeout) while there was no signal
    pg.context.set_offline(False)
    pg.get_by_text("登录已过期，请重新登录，登录后自动发送。").wait_for()
    assert Event.objects.count() == 0
    pg.get_by_role("link", name="重新登录").click()
    pg.get_by_label("用户名或手机号").fill("villager_a")
    pg.get_by_label("密码").fill("Passw0rd!x")
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url("**/events/report")  # back to the report page, which sends what waited
    pg.get_by_text("已自动上报，事件编号").wait_for()
    assert Event.objects.get().text == "山坡落石挡住了路"

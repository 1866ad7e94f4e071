"""Publication kernel (domain.md F7): publish, public pages, fingerprint, notice PDF, objections, scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.people.models import Person
from shanzhi.publication import services
from shanzhi.publication.choices import ObjectionStatus, PublicationStatus
from shanzhi.publication.fingerprint import canonical_text, fingerprint_of
from shanzhi.publication.models import Objection, Publication

pytestmark = pytest.mark.django_db


def _file(client, p, **data):
    payload = {"name": "李大爷", "phone": "13912345678", "text": "第2户人数登记有误，应为3人。"}
    payload.update(data)
    return client.post(f"/p/{p.public_id}/", payload)


# --- publishing and the public page ---------------------------------------------------------------------------


def test_publish_group_household_list_builds_masked_rows(publish, group_setup):
    p = publish()
    assert p.status == PublicationStatus.PUBLISHED
    assert p.place == group_setup.group and p.village == group_setup.tree.v1
    assert p.columns == ["序号", "户编号", "户主", "人数", "住址"]
    h1, h2 = group_setup.households
    assert p.rows == [["1", h1.number, "张**", "2", h1.address], ["2", h2.number, "欧***", "1", h2.address]]
    assert len(p.public_id) == 12 and p.public_id != str(p.pk)
    assert AuditEntry.objects.filter(event="publication_create", object_id=str(p.pk), actor=group_setup.cadre).exists()


def test_public_page_needs_no_login_and_shows_masked_data_only(client, publish, group_setup):
    p = publish()
    for url in (f"/p/{p.public_id}/", f"/p/{p.public_id}/verify.json", f"/p/village/{group_setup.tree.v1.code}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for person in Person.objects.all():
            assert person.name not in html or len(person.name) == 1
            if person.id_number:
                assert person.id_number not in html
            if person.phone:
                assert person.phone not in html
    html = client.get(f"/p/{p.public_id}/").content.decode()
    assert "张**" in html and "欧***" in html and p.fingerprint_grouped in html
    assert "赵" not in html  # a household outside the group is not listed


def test_unknown_public_id_and_pk_are_not_found(client, publish):
    p = publish()
    assert client.get("/p/zzzzzzzzzzzz/").status_code == 404
    assert client.get(f"/p/{p.pk}/").status_code == 404


def test_unmasked_identity_number_or_phone_is_refused(group_setup):
    person = Person.objects.filter(id_number__isnull=False).first()
    today = dt.date.today()
    for cell in (person.id_number, f"电话{person.phone}"):
        with pytest.raises(ValidationFailed, match="未脱敏"):
            services.publication_create(acting_user=group_setup.cadre, place=group_setup.group, kind="household_list",
                                        title="测试", columns=["姓名", "备注"], rows=[["张*", cell]],
                                        starts_on=today, ends_on=today)
    assert not Publication.objects.exists()


def test_masks_are_applied_by_the_kernel(group_setup):
    today = dt.date.today()
    p = services.publication_create(acting_user=group_setup.cadre, place=group_setup.group, kind="household_list",
                                    title="测试", columns=["姓名", "身份证号", "电话"],
                                    rows=[["张三丰", "41900119800517001X", "13812345678"]],
                                    mask={"姓名": "name", "身份证号": "id_number", "电话": "phone"},
                                    starts_on=today, ends_on=today)
    assert p.rows == [["张**", "419001********001X", "138****5678"]]


def test_period_is_validated(publish):
    with pytest.raises(ValidationFailed, match="不能早于今天"):
        publish(starts_in=-1)
    with pytest.raises(ValidationFailed, match="不能早于开始日期"):
        publish(days=0)
    assert not Publication.objects.exists()


# --- fingerprint ------------------------------------------------------------------------------------------------


def test_fingerprint_is_sha256_of_documented_canonical_text(publish):
    p = publish()
    assert p.fingerprint == hashlib.sha256(p.canonical_text.encode("utf-8")).hexdigest()
    assert p.canonical_text == canonical_text(p.content)
    assert " " not in p.canonical_text.replace(p.title, "") and '"v":1' in p.canonical_text
    assert list(p.content) == sorted(p.content)
    assert p.content["place"] == p.place.code and p.content["rows"] == p.rows


def test_verify_json_lets_anyone_recompute(client, publish):
    p = publish()
    data = client.get(f"/p/{p.public_id}/verify.json").json()
    assert data["fingerprint"] == p.fingerprint and data["integrity_ok"] is True
    assert hashlib.sha256(data["canonical"].encode("utf-8")).hexdigest() == data["fingerprint"]
    assert client.get(f"/p/{p.public_id}/verify.json", {"fp": p.fingerprint}).json()["match"] is True
    assert client.get(f"/p/{p.public_id}/verify.json", {"fp": "0" * 64}).json()["match"] is False


def test_verify_form_says_match_and_mismatch(client, publish):
    p = publish()
    typed = p.fingerprint_grouped.upper()  # as copied from paper: groups, any case
    html = client.get(f"/p/{p.public_id}/", {"fp": typed}).content.decode()
    assert 'class="verdict ok' in html and "一致" in html
    tampered = ("0" if p.fingerprint[0] != "0" else "1") + p.fingerprint[1:]
    html = client.get(f"/p/{p.public_id}/", {"fp": tampered}).content.decode()
    assert 'class="verdict bad' in html and "不一致" in html
    html = client.get(f"/p/{p.public_id}/", {"fp": "abc"}).content.decode()
    assert "无法核验" in html


def test_tampered_stored_content_fails_verification(client, publish):
    p = publish()
    rows = [list(r) for r in p.rows]
    rows[0][3] = "9"
    Publication.objects.filter(pk=p.pk).update(rows=rows)  # someone edits the database behind the services
    html = client.get(f"/p/{p.public_id}/", {"fp": p.fingerprint}).content.decode()
    assert "不一致" in html and "可能被改动过" in html
    assert client.get(f"/p/{p.public_id}/verify.json").json()["integrity_ok"] is False
    assert fingerprint_of(p.canonical_text) == p.fingerprint


# --- the printable notice -------------------------------------------------------------------------------------


def test_notice_pdf_downloads_with_fingerprint_and_embedded_fonts(client, publish, tmp_path):
    from pypdf import PdfReader

    p = publish(contact="村委会办公室 0391-6612345")
    response = client.get(f"/p/{p.public_id}/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert p.fingerprint in "".join(text.split())
    assert "公示" in text and "张**" in text and "张三丰" not in text
    if shutil.which("pdffonts"):
        path = tmp_path / "notice.pdf"
        path.write_bytes(response.content)
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert any("Noto-Sans-CJK-SC" in line for line in lines)
        assert lines and all(line.split()[-5] == "yes" for line in lines)  # the "emb" column


def test_qr_points_to_public_url(publish, settings):
    from shanzhi.publication.pdf import notice_html

    settings.SITE_URL = "https://gov.example.cn"
    p = publish()
    html = notice_html(p)
    assert f"https://gov.example.cn/p/{p.public_id}/" in html and "data:image/svg+xml;base64," in html


def test_notice_pdf_is_rendered_once_then_served_from_storage(client, publish, group_setup, monkeypatch):
    from django.core.files.storage import default_storage
    from weasyprint import HTML

    renders = []
    real_write_pdf = HTML.write_pdf

    def counting_write_pdf(self, *args, **kwargs):
        renders.append(1)
        return real_write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counting_write_pdf)
    p = publish()
    first = client.get(f"/p/{p.public_id}/notice.pdf")
    second = client.get(f"/p/{p.public_id}/notice.pdf")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert len(renders) == 1
    name = f"notices/{p.fingerprint}-{p.public_id}.pdf"
    assert default_storage.exists(name)
    with default_storage.open(name, "rb") as f:
        assert f.read() == first.content
    # status still decides: a withdrawn publication has no notice, although its PDF is stored
    services.publication_withdraw(acting_user=group_setup.cadre, publication=p, reason="发布有误")
    assert client.get(f"/p/{p.public_id}/notice.pdf").status_code == 404
    assert len(renders) == 1


def test_republished_identical_content_gets_its_own_notice(client, publish, group_setup):
    from pypdf import PdfReader

    old = publish()
    services.publication_withdraw(acting_user=group_setup.cadre, publication=old, reason="联系方式有误")
    new = publish(contact="村委会 0391-6612345")
    assert new.fingerprint == old.fingerprint
    response = client.get(f"/p/{new.public_id}/notice.pdf")
    text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert new.public_id in text and old.public_id not in text


def test_notice_rendering_fetches_data_urls_only(client, publish, monkeypatch, tmp_path):
    import urllib.request

    from shanzhi.publication import pdf

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    real_html = pdf.notice_html
    monkeypatch.setattr(pdf, "notice_html", lambda p: real_html(p).replace(
        "</head>", f'<link rel="stylesheet" href="file://{secret}"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
                   '</head>').replace("</body>", '<img src="file:///etc/hostname"></body>'))
    opened = []
    real_open = urllib.request.OpenerDirector.open

    def spy_open(self, req, *args, **kwargs):
        url = req.full_url if isinstance(req, urllib.request.Request) else req
        opened.append(url)
        if not url.startswith("data:"):
            raise OSError("the test allows no network nor file access")
        return real_open(self, req, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy_open)
    p = publish()
    response = client.get(f"/p/{p.public_id}/notice.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert [url for url in opened if not url.startswith("data:")] == []
    assert any(url.startswith("data:image/svg+xml") for url in opened)  # the QR code is still drawn
    fetcher = pdf.data_only_fetcher()
    for url in (f"file://{secret}", "http://127.0.0.1:9/x.css", "ftp://example.cn/a", "/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher(url)
    resource = fetcher(pdf.qr_svg_data_uri("https://gov.example.cn/p/x/"))
    assert b"<svg" in resource.read()
    resource.close()


# --- objections -----------------------------------------------------------------------------------------------


def test_objection_within_window_is_saved_audited_and_gets_a_receipt(client, publish):
    p = publish()
    response = _file(client, p)
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/{p.public_id}/o/{objection.receipt}/"
    assert objection.phone == "13912345678" and objection.status == ObjectionStatus.PENDING
    assert AuditEntry.objects.filter(event="objection_file", object_id=str(objection.pk)).exists()
    html = client.get(response["Location"]).content.decode()
    assert objection.receipt in html and "李**" in html and "13912345678" not in html


@pytest.mark.parametrize("starts_in,move,message", [(1, 0, "届时方可提出异议"), (0, 7, "已于")])
def test_objection_outside_window_is_refused_and_nothing_saved(client, publish, travel, starts_in, move, message):
    p = publish(starts_in=starts_in)
    travel(move)
    audits = AuditEntry.objects.count()
    response = _file(client, p)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Objection.objects.exists() and AuditEntry.objects.count() == audits
    with pytest.raises(ValidationFailed):
        services.objection_file(publication=p, name="李大爷", phone="13912345678", text="不同意这个名单内容")


def test_last_day_of_window_still_accepts(client, publish, travel):
    p = publish(days=7)
    travel(6)
    assert _file(client, p).status_code == 302


def test_objection_input_is_validated_duplicates_and_floods_refused(client, publish):
    p = publish()
    assert "手机号应为11位" in _file(client, p, phone="12345").content.decode()
    assert "请填写您的姓名" in _file(client, p, name=" ").content.decode()
    assert _file(client, p).status_code == 302
    response = _file(client, p)
    assert response.status_code == 400 and "请勿重复提交" in response.content.decode()
    for n in range(services.OBJECTIONS_PER_PHONE_PER_DAY - 1):
        assert _file(client, p, text=f"第{n}条意见：人数不对").status_code == 302
    assert "过于频繁" in _file(client, p, text="再提一条不同的意见").content.decode()
    assert Objection.objects.count() == services.OBJECTIONS_PER_PHONE_PER_DAY


def test_objection_handling_is_audited_and_happens_once(client, publish, group_setup):
    p = publish()
    _file(client, p)
    objection = Objection.objects.get()
    client.force_login(group_setup.cadre)
    response = client.post(f"/publications/objections/{objection.pk}/handle",
                           {"decision": "upheld", "reply": "经核实属实，将发布更正公示。"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.handled_by == group_setup.cadre
    entry = AuditEntry.objects.get(event="objection_handle")
    assert entry.actor == group_setup.cadre and entry.after["status"] == "upheld" and entry.place_path == p.place_path
    with pytest.raises(Conflict):
        services.objection_handle(acting_user=group_setup.cadre, objection=objection, decision="rejected", reply="不")
    client.logout()
    html = client.get(f"/p/{p.public_id}/o/{objection.receipt}/").content.decode()
    assert "异议成立" in html and "将发布更正公示" in html


def test_handling_requires_a_reply_and_a_decision(client, publish, group_setup):
    p = publish()
    _file(client, p)
    objection = Objection.objects.get()
    with pytest.raises(ValidationFailed):
        services.objection_handle(acting_user=group_setup.cadre, objection=objection, decision="rejected", reply="")
    with pytest.raises(ValidationFailed):
        services.objection_handle(acting_user=group_setup.cadre, objection=objection, decision="pending", reply="好的")
    assert Objection.objects.get().status == ObjectionStatus.PENDING


def test_objector_phone_and_name_are_masked_for_viewers(client, publish, group_setup, make_user):
    p = publish()
    _file(client, p)
    objection = Objection.objects.get()
    supervisor = make_user("supervisor", group_setup.tree.v1)  # publication.view, not publish
    client.force_login(supervisor)
    html = client.get(f"/publications/{p.pk}/").content.decode()
    assert "139****5678" in html and "李**" in html
    assert "13912345678" not in html and "李大爷" not in html and "reveal-phone" not in html
    response = client.post(f"/publications/objections/{objection.pk}/reveal-phone")
    assert response.status_code == 403 and "13912345678" not in response.content.decode()
    refused = AuditEntry.objects.get(event="objection_phone_reveal")
    assert refused.actor == supervisor and not refused.success and refused.action == "reveal"
    outsider = make_user("village_cadre", group_setup.tree.v2)
    client.force_login(outsider)
    assert client.post(f"/publications/objections/{objection.pk}/reveal-phone").status_code == 404


def test_handler_reveals_objector_phone_through_an_audited_post(client, publish, group_setup):
    p = publish()
    _file(client, p)
    objection = Objection.objects.get()
    client.force_login(group_setup.cadre)
    html = client.get(f"/publications/{p.pk}/").content.decode()
    url = f"/publications/objections/{objection.pk}/reveal-phone"
    assert "139****5678" in html and "13912345678" not in html and f'hx-post="{url}"' in html and "查看完整" in html
    assert client.get(url).status_code == 405
    assert not AuditEntry.objects.filter(event="objection_phone_reveal").exists()
    response = client.post(url)
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    entry = AuditEntry.objects.get(event="objection_phone_reveal")
    assert entry.actor == group_setup.cadre and entry.success and entry.action == "reveal"
    assert entry.object_id == str(objection.pk) and entry.place_path == p.place_path


# --- scope ----------------------------------------------------------------------------------------------------


def test_out_of_scope_publisher_gets_404(client, publish, group_setup, make_user):
    p = publish()
    _file(client, p)
    objection = Objection.objects.get()
    outsider = make_user("village_cadre", group_setup.tree.v2)
    client.force_login(outsider)
    assert client.get(f"/publications/{p.pk}/").status_code == 404
    assert client.post(f"/publications/{p.pk}/withdraw", {"reason": "错了"}).status_code == 404
    assert client.post(f"/publications/objections/{objection.pk}/handle",
                       {"decision": "rejected", "reply": "不成立"}).status_code == 404
    assert client.get(f"/publications/new/group/{group_setup.group.code}/").status_code == 404
    assert p.title not in client.get("/publications/").content.decode()
    for call in (
        lambda: services.group_household_list_publish(acting_user=outsider, group=group_setup.group,
                                                      starts_on=dt.date.today(), ends_on=dt.date.today()),
        lambda: services.publication_withdraw(acting_user=outsider, publication=p, reason="错了"),
        lambda: services.objection_handle(acting_user=outsider, objection=objection, decision="rejected", reply="不成立"),
    ):
        with pytest.raises(NotFound):
            call()
    assert Objection.objects.get().status == ObjectionStatus.PENDING and Publication.objects.count() == 1


def test_staff_pages_need_login_and_viewers_cannot_publish(client, publish, group_setup, make_user):
    p = publish()
    assert client.get("/publications/").status_code == 302
    supervisor = make_user("supervisor", group_setup.tree.v1)  # may view publications, may not publish
    client.force_login(supervisor)
    assert client.get(f"/publications/{p.pk}/").status_code == 200
    assert client.get(f"/publications/new/group/{group_setup.group.code}/").status_code == 404
    with pytest.raises(NotFound):
        services.publication_withdraw(acting_user=supervisor, publication=p, reason="错了")


# --- corrections, withdrawal, closing -------------------------------------------------------------------------


def test_correction_supersedes_and_links_the_old_publication(client, publish, group_setup, make_household):
    old = publish()
    make_household(group_setup.cadre, group_setup.tree.g1, head_name="孙七", group=group_setup.group)
    with pytest.raises(ValidationFailed, match="更正原因"):
        publish(supersedes=old)
    new = publish(supersedes=old, reason="漏登一户")
    old.refresh_from_db()
    assert old.status == PublicationStatus.SUPERSEDED and new.supersedes == old and len(new.rows) == 3
    assert old.fingerprint != new.fingerprint
    html = client.get(f"/p/{old.public_id}/").content.decode()
    assert "已被更正" in html and f"/p/{new.public_id}/" in html and "欧***" not in html
    assert client.get(f"/p/{old.public_id}/notice.pdf").status_code == 404
    with pytest.raises(Conflict):
        publish(supersedes=old, reason="再次更正")


def test_withdrawn_publication_hides_content_and_refuses_objections(client, publish, group_setup):
    p = publish()
    services.publication_withdraw(acting_user=group_setup.cadre, publication=p, reason="发布有误")
    html = client.get(f"/p/{p.public_id}/").content.decode()
    assert "已撤回" in html and "发布有误" in html and "张**" not in html and p.fingerprint_grouped in html
    assert _file(client, p).status_code == 400 and not Objection.objects.exists()
    assert client.get(f"/p/{p.public_id}/verify.json").json()["canonical"] is None
    assert AuditEntry.objects.filter(event="publication_withdraw").exists()


def test_sweeper_closes_ended_publications(publish, travel):
    current, ended = publish(days=10), publish(days=1)
    travel(1)
    assert services.publications_close_ended() == 1
    ended.refresh_from_db()
    current.refresh_from_db()
    assert ended.status == PublicationStatus.CLOSED and current.status == PublicationStatus.PUBLISHED
    assert services.publications_close_ended() == 0


def test_board_lists_current_and_upcoming(client, publish, group_setup):
    now_p, later_p = publish(), publish(starts_in=3, title="下周的公示")
    html = client.get(f"/p/village/{group_setup.tree.v1.code}/").content.decode()
    assert now_p.title in html and "即将公示" in html and later_p.title in html
    other = client.get(f"/p/village/{group_setup.tree.v2.code}/").content.decode()
    assert now_p.public_id not in other and "目前没有正在公示的内容" in other
    assert client.get("/p/village/000000000000/").status_code == 404


# --- staff pages ---------------------------------------------------------------------------------------------


def test_publish_form_previews_and_publishes(client, group_setup):
    client.force_login(group_setup.cadre)
    url = f"/publications/new/group/{group_setup.group.code}/"
    html = client.get(url).content.decode()
    assert "张**" in html and "张三丰" not in html and "东坡村一组户籍名单公示" in html
    today = dt.date.today()
    response = client.post(url, {"title": "一组户籍名单", "starts_on": today.isoformat(),
                                 "ends_on": (today + dt.timedelta(days=6)).isoformat(), "contact": "村委会"})
    p = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/publications/{p.pk}/"
    assert p.title == "一组户籍名单" and p.days == 7
    response = client.post(url, {"title": "x", "starts_on": "2020-13-01", "ends_on": ""})
    assert response.status_code == 200 and "格式不正确" in response.content.decode()


def test_place_page_offers_the_button_to_publishers_only(client, group_setup, make_user):
    client.force_login(group_setup.cadre)
    assert "公示本组户籍名单" in client.get(f"/places/{group_setup.group.code}/").content.decode()
    assert "公示本组户籍名单" not in client.get(f"/places/{group_setup.tree.v1.code}/").content.decode()
    worker = make_user("grid_worker", group_setup.tree.v1)
    client.force_login(worker)
    assert "公示本组户籍名单" not in client.get(f"/places/{group_setup.group.code}/").content.decode()


def test_home_page_counts_pending_objections(client, publish, group_setup):
    p = publish()
    _file(client, p)
    _file(client, p, phone="13800001111")
    client.force_login(group_setup.cadre)
    html = client.get("/").content.decode()
    assert "待处理的公示异议" in html
    from shanzhi.publication.apps import pending_objections

    assert pending_objections(group_setup.cadre)[0].count == 2


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_query_count_does_not_grow(client, publish, group_setup):
    for n in range(2):
        _file(client, publish(title=f"公示{n}"), phone=f"1380000000{n}")
    client.force_login(group_setup.cadre)
    client.get("/publications/")  # the first request of a session also writes the session
    staff_few, board_few = _queries(client, "/publications/"), _queries(client, f"/p/village/{group_setup.tree.v1.code}/")
    for n in range(2, 8):
        _file(client, publish(title=f"公示{n}"), phone=f"1380000000{n}")
    assert _queries(client, "/publications/") == staff_few
    assert _queries(client, f"/p/village/{group_setup.tree.v1.code}/") == board_few
    assert _queries(client, "/publications/?pending=1&phase=open&kind=household_list&q=公示") <= staff_few
    html = client.get("/publications/?pending=1").content.decode()
    assert html.count("badge text-bg-warning") == 8


def test_objection_reaches_publisher_inbox_and_answer_texts_objector(client, publish, group_setup, settings,
                                                                     django_capture_on_commit_callbacks):
    from shanzhi.notify.models import Message
    from shanzhi.notify.sms import ConsoleSmsBackend

    settings.SMS_BACKEND = "shanzhi.notify.sms.ConsoleSmsBackend"
    ConsoleSmsBackend.outbox.clear()
    p = publish()
    _file(client, p)
    assert Message.objects.filter(recipient=group_setup.cadre, title__startswith="新异议").exists()
    objection = Objection.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_handle(acting_user=group_setup.cadre, objection=objection, decision="rejected",
                                  reply="经核实登记无误。")
    assert [sms.phone for sms in ConsoleSmsBackend.outbox] == ["13912345678"]
    assert objection.receipt in ConsoleSmsBackend.outbox[0].text

"""Inbox and SMS (F8): messages written with the caller's transaction, SMS only after it commits."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from shanzhi.core.errors import ValidationFailed
from shanzhi.notify.models import Message
from shanzhi.notify.services import notify_users
from shanzhi.notify.sms import ConsoleSmsBackend, SmsBackend


class BrokenSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def outbox():
    ConsoleSmsBackend.outbox.clear()
    yield ConsoleSmsBackend.outbox
    ConsoleSmsBackend.outbox.clear()


@pytest.fixture
def worker(tree, make_user):
    return make_user("grid_worker", tree.g1, phone="13800001111")


def test_messages_for_each_active_user_and_sms_after_commit(worker, make_user, outbox,
                                                            django_capture_on_commit_callbacks):
    quiet = make_user()  # no phone: inbox only
    gone = make_user(phone="13800002222")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify_users(users=[worker, quiet, gone, worker], title="新事件待处理", body="东坡村有一起邻里纠纷。",
                                link="/people/", sms=True)
        assert outbox == []  # not before the commit
    assert {m.recipient_id for m in messages} == {worker.pk, quiet.pk}
    assert Message.objects.filter(recipient=worker, read_at__isnull=True).count() == 1
    assert [(s.phone, s.text) for s in outbox] == [("13800001111", "【善治】新事件待处理，详情请登录平台查看。")]


def test_no_sms_when_the_transaction_rolls_back(worker, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify_users(users=[worker], title="将被撤销", sms=True)
        raise RuntimeError("the caller's service failed")
    assert outbox == [] and not Message.objects.exists()


def test_a_failing_sms_gateway_does_not_break_the_caller(settings, worker, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "shanzhi.notify.tests.test_inbox.BrokenSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify_users(users=[worker], title="网关故障也要进收件箱", sms=True)
    assert Message.objects.filter(recipient=worker).count() == 1


def test_links_stay_on_this_site(worker):
    for link in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]:
        with pytest.raises(ValidationFailed):
            notify_users(users=[worker], title="x", link=link)
    with pytest.raises(ValidationFailed):
        notify_users(users=[worker], title="  ")


def _inbox_queries(client) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/inbox/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_lists_own_messages_with_constant_queries(client, worker, make_user):
    other = make_user()
    notify_users(users=[other], title="别人的消息")
    for i in range(3):
        notify_users(users=[worker], title=f"消息{i}", body="内容", link="/people/")
    client.force_login(worker)
    few = _inbox_queries(client)
    for i in range(3, 60):
        notify_users(users=[worker], title=f"消息{i}")
    many = _inbox_queries(client)
    assert many <= few + 1  # a second page costs one capped count, never a query per message
    response = client.get("/inbox/")
    page = response.content.decode()
    assert "消息59" in page and "别人的消息" not in page and "下一页" in page
    assert 'id="nav-inbox"' in page and ">60</span>" in page  # the navbar badge
    assert client.get("/inbox/?page=2").content.decode().count("list-group-item") >= 10


def test_inbox_query_count_is_fixed(client, worker):
    from django.db import connection

    notify_users(users=[worker], title="消息")
    client.force_login(worker)
    client.get("/inbox/")  # the first request after login stamps the session
    one = _inbox_queries(client)
    for i in range(48):
        notify_users(users=[worker], title=f"消息{i}")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/inbox/")
    # session, user, role grants (menu), the page of messages, the navbar's unread count
    assert len(ctx.captured_queries) == one <= 5, [q["sql"] for q in ctx.captured_queries]


def test_opening_a_message_reads_it_and_others_get_404(client, worker, make_user):
    message = notify_users(users=[worker], title="请核实", body="请核实东坡村1号的人员信息。", link="/people/")[0]
    other = make_user()
    client.force_login(other)
    assert client.get(f"/inbox/{message.pk}/").status_code == 404
    assert client.post(f"/inbox/{message.pk}/read").status_code == 404

    client.force_login(worker)
    response = client.get(f"/inbox/{message.pk}/")
    assert response.status_code == 200 and "请核实东坡村1号的人员信息。" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'id="nav-inbox"' in response.content.decode() and "badge" not in response.content.decode().split('id="nav-inbox"')[1].split("</a>")[0]


def test_mark_read_and_mark_all_read(client, worker):
    first, second, third = (notify_users(users=[worker], title=t)[0] for t in ("一", "二", "三"))
    client.force_login(worker)
    response = client.post(f"/inbox/{first.pk}/read", {"next": "/inbox/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?unread=1"
    assert Message.objects.filter(recipient=worker, read_at__isnull=True).count() == 2
    response = client.post("/inbox/read-all", {"next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"
    assert not Message.objects.filter(recipient=worker, read_at__isnull=True).exists()


def test_home_page_shows_unread_messages(client, worker):
    client.force_login(worker)
    assert "未读消息" not in client.get("/").content.decode()
    notify_users(users=[worker], title="新任务")
    notify_users(users=[worker], title="又一个新任务")
    page = client.get("/").content.decode()
    assert "未读消息" in page and "/inbox/?unread=1" in page

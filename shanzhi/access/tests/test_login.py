"""One login path for page and API (access.services.login_attempt), with a per-IP throttle."""

from unittest import mock

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from shanzhi.access import services
from shanzhi.access.models import User
from shanzhi.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _login(client, username, password, ip="10.9.9.9"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_page_and_api_go_through_the_same_service(client, tree, make_user):
    make_user("village_cadre", tree.v1, username="cadre")
    with mock.patch("shanzhi.access.services.login_attempt", wraps=services.login_attempt) as spy:
        assert _login(client, "cadre", "Passw0rd!x").status_code == 302
        response = APIClient().post(TOKEN_URL, {"username": "cadre", "password": "wrong"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    assert [c.kwargs["username"] for c in spy.call_args_list] == ["cadre", "cadre"]
    assert [c.kwargs.get("channel", "web") for c in spy.call_args_list] == ["web", "api"]


def test_failures_on_page_and_api_share_one_lockout(client, tree, make_user):
    user = make_user("village_cadre", tree.v1, username="cadre")
    for _ in range(3):
        _login(client, "cadre", "wrong")
    api = APIClient()
    assert api.post(TOKEN_URL, {"username": "cadre", "password": "wrong"}, format="json").status_code == 400
    fifth = api.post(TOKEN_URL, {"username": "cadre", "password": "wrong"}, format="json")
    assert fifth.status_code == 403 and fifth.json()["code"] == "account_locked"
    assert "已锁定" in _login(client, "cadre", "Passw0rd!x").content.decode()
    user.refresh_from_db()
    assert user.failed_logins == 5


@override_settings(LOGIN_IP_MAX_FAILURES=3, LOGIN_IP_WINDOW_MINUTES=15)
def test_an_ip_spraying_many_accounts_is_throttled(client, tree, make_user):
    make_user("village_cadre", tree.v1, username="cadre")
    for name in ("alice", "bob"):
        assert "用户名或密码错误" in _login(client, name, "guess").content.decode()
    third = _login(client, "carol", "guess").content.decode()
    assert "尝试次数过多，请 15 分钟后再试。" in third
    with mock.patch("shanzhi.access.services.authenticate") as authenticate:
        for _ in range(3):  # refused outright, even with the right password, and not audited each time
            assert "尝试次数过多，请 15 分钟后再试。" in _login(client, "cadre", "Passw0rd!x").content.decode()
        api = APIClient(REMOTE_ADDR="10.9.9.9").post(TOKEN_URL, {"username": "cadre", "password": "Passw0rd!x"},
                                                     format="json")
    authenticate.assert_not_called()
    assert api.status_code == 429
    assert api.json() == {"code": "too_many_attempts", "message": "尝试次数过多，请 15 分钟后再试。"}
    assert AuditEntry.objects.filter(action="login_failed").count() == 3
    blocked = AuditEntry.objects.get(event="login_ip_blocked")
    assert blocked.action == "locked" and blocked.object_repr == "10.9.9.9" and blocked.ip == "10.9.9.9"
    # the accounts themselves are not locked, and other addresses are not affected
    assert User.objects.get(username="cadre").failed_logins == 0
    assert _login(client, "cadre", "Passw0rd!x", ip="10.9.9.8").status_code == 302


def test_ip_limit_defaults_to_twenty_failures(client, db):
    from django.conf import settings

    assert settings.LOGIN_IP_MAX_FAILURES == 20 and settings.LOGIN_IP_WINDOW_MINUTES == 15
    for i in range(19):
        assert "用户名或密码错误" in _login(client, f"nobody{i}", "guess").content.decode()
    assert "尝试次数过多，请 15 分钟后再试。" in _login(client, "nobody", "guess").content.decode()


def test_unknown_username_is_stored_masked(client, db):
    _login(client, "Secret#Pass1", "whatever")
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.object_repr == "Se***" and entry.detail == "未知账号"
    assert not AuditEntry.objects.filter(object_repr__contains="Secret").exists()
    assert not AuditEntry.objects.filter(detail__contains="Secret").exists()

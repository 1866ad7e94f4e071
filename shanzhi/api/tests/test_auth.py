"""Token obtain/revoke: the same lockout and audit as the login page."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shanzhi.access.models import User
from shanzhi.audit.models import AuditEntry

from .conftest import token_client

URL = "/api/v1/auth/token/"


@pytest.fixture
def user(make_user, tree):
    return make_user("village_cadre", tree.v1, username="wang", phone="13800001111", password="Passw0rd!x")


def test_obtain_with_username_then_use_it(anon, user):
    response = anon.post(URL, {"username": "wang", "password": "Passw0rd!x"}, format="json")
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    assert AuditEntry.objects.filter(event="login", action="login", actor=user, success=True).exists()

    anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = anon.get("/api/v1/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "wang"
    assert body["roles"] == [{"role": "village_cadre", "role_display": "村干部", "place": {
        "code": "419001100201", "path": "419001100201", "name": "东坡村", "level": "village", "level_display": "村/社区"}}]
    assert "13800001111" not in me.content.decode()


def test_obtain_with_phone(anon, user):
    assert anon.post(URL, {"phone": "13800001111", "password": "Passw0rd!x"}, format="json").status_code == 200
    assert anon.post(URL, {"username": "13800001111", "password": "Passw0rd!x"}, format="json").status_code == 200


def test_bad_password_counts_toward_lockout(anon, user):
    response = anon.post(URL, {"username": "wang", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码错误。"}
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert AuditEntry.objects.filter(action="login_failed", object_id=str(user.pk), success=False).count() == 1
    assert not Token.objects.filter(user=user).exists()


@override_settings(LOGIN_MAX_FAILURES=3)
def test_locked_after_failures_even_with_the_right_password(anon, user):
    for _ in range(2):
        assert anon.post(URL, {"username": "wang", "password": "wrong"}, format="json").status_code == 400
    third = anon.post(URL, {"username": "wang", "password": "wrong"}, format="json")
    assert third.status_code == 403
    assert third.json()["code"] == "account_locked"
    assert "锁定" in third.json()["message"]
    assert AuditEntry.objects.filter(action="locked", object_id=str(user.pk)).exists()

    right = anon.post(URL, {"username": "wang", "password": "Passw0rd!x"}, format="json")
    assert right.status_code == 403
    assert right.json()["code"] == "account_locked"
    assert "分钟后再试" in right.json()["message"]
    assert not Token.objects.filter(user=user).exists()


def test_unknown_account_is_answered_like_a_bad_password(anon, db):
    response = anon.post(URL, {"username": "nobody", "password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "用户名或密码错误。"


def test_missing_fields_answer_in_the_error_shape(anon, db):
    response = anon.post(URL, {"password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "请填写用户名或手机号。"
    response = anon.post(URL, {"username": "wang"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "password" in body["errors"] and body["message"].startswith("password：")


def test_initial_password_must_be_changed_on_the_web_first(anon, tree):
    from shanzhi.access.services import user_create

    with override_settings(FORCE_INITIAL_PASSWORD_CHANGE=True):
        fresh = user_create(acting_user=None, username="fresh", password="Passw0rd!x", must_change_password=True)
    response = anon.post(URL, {"username": "fresh", "password": "Passw0rd!x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert "网页" in response.json()["message"] and "修改" in response.json()["message"]
    assert not Token.objects.filter(user=fresh).exists()
    # and a token obtained some other way does not work either
    assert token_client(fresh).get("/api/v1/me/").status_code == 403


def test_revoke(anon, user):
    key = anon.post(URL, {"username": "wang", "password": "Passw0rd!x"}, format="json").json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon.delete(URL).status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(event="api_token_revoke", actor=user).exists()
    response = anon.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoke_needs_a_token(anon, db):
    assert anon.delete(URL).status_code == 401


def test_inactive_user_gets_no_token(anon, user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert anon.post(URL, {"username": "wang", "password": "Passw0rd!x"}, format="json").status_code == 400


def test_expired_and_locked_tokens_stop_working(db, tree, make_user):
    import datetime as _dt

    from django.utils.timezone import now as _now
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from shanzhi.access.models import User

    user = make_user("village_cadre", tree.v1, username="tok")
    api = APIClient()
    key = api.post("/api/v1/auth/token/", {"username": "tok", "password": "Passw0rd!x"}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    User.objects.filter(pk=user.pk).update(locked_until=_now() + _dt.timedelta(minutes=10))
    assert api.get("/api/v1/me/").status_code == 401
    User.objects.filter(pk=user.pk).update(locked_until=None)
    Token.objects.filter(key=key).update(created=_now() - _dt.timedelta(days=30))
    assert api.get("/api/v1/me/").status_code == 401
    fresh = APIClient().post("/api/v1/auth/token/", {"username": "tok", "password": "Passw0rd!x"}, format="json").json()["token"]
    assert fresh != key


@override_settings(LOGIN_IP_MAX_FAILURES=2)
def test_too_many_failures_from_one_address_answer_429(user):
    client = APIClient(REMOTE_ADDR="10.7.7.7")
    assert client.post(URL, {"username": "nobody", "password": "x"}, format="json").status_code == 400
    second = client.post(URL, {"username": "nobody2", "password": "x"}, format="json")
    assert second.status_code == 429
    assert second.json() == {"code": "too_many_attempts", "message": "尝试次数过多，请 15 分钟后再试。"}
    right = client.post(URL, {"username": "wang", "password": "Passw0rd!x"}, format="json")
    assert right.status_code == 429 and not Token.objects.filter(user=user).exists()
    # another address is not affected
    assert APIClient(REMOTE_ADDR="10.7.7.8").post(URL, {"username": "wang", "password": "Passw0rd!x"},
                                                  format="json").status_code == 200

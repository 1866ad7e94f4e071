import datetime as dt

import pytest
from django.test import override_settings
from django.utils.timezone import now

from shanzhi.access.models import User
from shanzhi.access.services import password_change, role_assign, user_create
from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowerUPPER", "12345678"])
def test_password_policy_refuses_weak_passwords(password):
    with pytest.raises(ValidationFailed):
        user_create(acting_user=None, username="weak", password=password)
    assert not User.objects.filter(username="weak").exists()


def test_login_with_username_or_phone_is_audited(client, tree, make_user):
    make_user("village_cadre", tree.v1, username="cadre", phone="13800138000")
    assert _login(client, "cadre", "Passw0rd!x").status_code == 302
    client.logout()
    assert _login(client, "13800138000", "Passw0rd!x").status_code == 302
    assert AuditEntry.objects.filter(event="login", action="login", success=True).count() == 2


def test_lockout_after_five_failures(client, tree, make_user):
    user = make_user("village_cadre", tree.v1, username="cadre")
    for _ in range(5):
        response = _login(client, "cadre", "wrong")
    assert "已锁定" in response.content.decode()
    user.refresh_from_db()
    assert user.locked_until > now()
    # the right password does not get in while locked
    response = _login(client, "cadre", "Passw0rd!x")
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", success=False).count() == 5
    assert AuditEntry.objects.filter(action="locked").count() == 1
    # after the lockout passes, the password works and the counter resets
    User.objects.filter(pk=user.pk).update(locked_until=now() - dt.timedelta(minutes=1))
    assert _login(client, "cadre", "Passw0rd!x").status_code == 302
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_idle_timeout_logs_out(client, tree, make_user):
    make_user("village_cadre", tree.v1, username="cadre")
    _login(client, "cadre", "Passw0rd!x")
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = int(now().timestamp()) - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "timeout=1" in response["Location"]
    assert client.get("/").status_code == 302  # logged out for good


@override_settings(FORCE_INITIAL_PASSWORD_CHANGE=True)
def test_initial_password_must_be_changed(client, tree):
    user = user_create(acting_user=None, username="newbie", password="Initial#123")
    role_assign(acting_user=None, user=user, role="village_cadre", place=tree.v1)
    _login(client, "newbie", "Initial#123")
    assert client.get("/people/")["Location"].endswith("/accounts/password/")
    with pytest.raises(ValidationFailed):
        password_change(user=user, old_password="Initial#123", new_password="Initial#123")
    response = client.post("/accounts/password/", {"old_password": "Initial#123", "new_password": "Better#2026x",
                                                   "new_password2": "Better#2026x"})
    assert response.status_code == 302
    assert client.get("/people/").status_code == 200


def test_role_must_fit_the_level(tree):
    user = user_create(acting_user=None, username="u1", password="Passw0rd!x")
    with pytest.raises(ValidationFailed):
        role_assign(acting_user=None, user=user, role="village_cadre", place=tree.kejing)
    assert not user.role_assignments.exists()


def test_logout_clears_the_phones_cached_pages_and_outbox(client, tree, make_user):
    """A shared phone: after logging out, the service worker's kept report page and the offline outbox of the
    last user are gone (Clear-Site-Data), and the logout is audited."""
    make_user("grid_worker", tree.g1, username="worker")
    assert _login(client, "worker", "Passw0rd!x").status_code == 302
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Clear-Site-Data"] == '"cache", "storage"'
    assert AuditEntry.objects.filter(event="logout").count() == 1

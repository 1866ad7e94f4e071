"""Account services check who acts (Perm.USER_MANAGE), and the Django admin goes through them."""

import pytest
from django.test import override_settings

from shanzhi.access.models import RoleAssignment, User
from shanzhi.access.services import role_assign, role_revoke, user_create
from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import NotFound

pytestmark = pytest.mark.django_db


# --- acting_user ----------------------------------------------------------------------------------------


def test_user_create_needs_user_manage_somewhere(tree, make_user):
    cadre = make_user("village_cadre", tree.v1)
    with pytest.raises(NotFound):
        user_create(acting_user=cadre, username="sneaky", password="Passw0rd!x")
    assert not User.objects.filter(username="sneaky").exists()
    admin = make_user("admin", tree.county)
    created = user_create(acting_user=admin, username="fine", password="Passw0rd!x")
    assert AuditEntry.objects.get(event="user_create", object_id=str(created.pk)).actor == admin


def test_role_assign_needs_user_manage_at_the_place(tree, make_user):
    cadre = make_user("village_cadre", tree.v1)
    target = make_user()
    with pytest.raises(NotFound):
        role_assign(acting_user=cadre, user=target, role="grid_worker", place=tree.g1)
    assert not target.role_assignments.exists()
    admin = make_user("admin", tree.county)
    assignment = role_assign(acting_user=admin, user=target, role="grid_worker", place=tree.g1)
    assert assignment.is_active and target.has_perm_at("people.view", tree.g1.path)


def test_role_revoke_keeps_the_row_and_audits(tree, make_user):
    admin = make_user("admin", tree.county)
    target = make_user("grid_worker", tree.g1)
    assignment = target.role_assignments.get()
    with pytest.raises(NotFound):
        role_revoke(acting_user=make_user("village_cadre", tree.v1), assignment=assignment)
    role_revoke(acting_user=admin, assignment=assignment)
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert not User.objects.get(pk=target.pk).has_perm_anywhere("people.view")
    assert AuditEntry.objects.get(event="role_revoke").actor == admin


# --- Django admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, tree, make_user):
    superuser = make_user(username="root", is_superuser=True)
    client.force_login(superuser)
    client.superuser = superuser
    return client


def _change_data(user, rows=(), initial=0):
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "date_joined_0": "2024-01-01", "date_joined_1": "08:00:00", "last_login_0": "", "last_login_1": "",
        "full_name": user.full_name, "phone": user.phone or "", "person": "", "failed_logins": "0",
        "locked_until_0": "", "locked_until_1": "",
        "role_assignments-TOTAL_FORMS": str(len(rows)), "role_assignments-INITIAL_FORMS": str(initial),
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"role_assignments-{i}-{k}": v for k, v in row.items()})
        data.setdefault(f"role_assignments-{i}-user", str(user.pk))
    return data


def _url(user):
    return f"/admin/access/user/{user.pk}/change/"


def test_admin_refuses_a_role_at_the_wrong_level(admin_client, tree, make_user):
    target = make_user(username="target")
    before = AuditEntry.objects.count()
    response = admin_client.post(_url(target), _change_data(target, [
        {"id": "", "role": "village_cadre", "place": str(tree.kejing.pk), "is_active": "on"}]))
    assert response.status_code == 200
    assert "“村干部”不能设在乡/镇/街道一级。" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()
    assert AuditEntry.objects.count() == before


def test_admin_grants_and_revokes_roles_through_the_services(admin_client, tree, make_user):
    target = make_user(username="target")
    response = admin_client.post(_url(target), _change_data(target, [
        {"id": "", "role": "village_cadre", "place": str(tree.v1.pk), "is_active": "on"}]))
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target)
    assert assignment.is_active and assignment.place_path == tree.v1.path
    entry = AuditEntry.objects.get(event="role_assign", object_id=str(assignment.pk))
    assert entry.actor == admin_client.superuser and entry.place_path == tree.v1.path
    save = AuditEntry.objects.get(event="admin_user_save", object_id=str(target.pk))
    assert save.actor == admin_client.superuser and "password" not in save.after and "password" not in save.before

    # unticked: revoked, audited
    row = {"id": str(assignment.pk), "role": "village_cadre", "place": str(tree.v1.pk)}
    assert admin_client.post(_url(target), _change_data(target, [row], initial=1)).status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert AuditEntry.objects.filter(event="role_revoke", object_id=str(assignment.pk)).count() == 1

    # ticked again: re-granted; then deleted: revoked, the row kept
    assert admin_client.post(_url(target), _change_data(target, [{**row, "is_active": "on"}], initial=1)).status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_active
    deleted = {**row, "is_active": "on", "DELETE": "on"}
    assert admin_client.post(_url(target), _change_data(target, [deleted], initial=1)).status_code == 302
    assignment.refresh_from_db()
    assert not assignment.is_active
    assert AuditEntry.objects.filter(event="role_revoke", object_id=str(assignment.pk)).count() == 2


@override_settings(FORCE_INITIAL_PASSWORD_CHANGE=True)
def test_passwords_set_in_the_admin_must_be_changed(admin_client, tree, make_user):
    response = admin_client.post("/admin/access/user/add/", {
        "username": "added", "usable_password": "true", "password1": "Initial#123x", "password2": "Initial#123x",
        "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    added = User.objects.get(username="added")
    assert added.must_change_password and added.password_changed_at is not None
    entry = AuditEntry.objects.get(event="admin_user_save", object_id=str(added.pk))
    assert entry.action == "create" and "password" not in entry.after

    target = make_user(username="target")
    assert not target.must_change_password
    response = admin_client.post(f"/admin/access/user/{target.pk}/password/", {
        "usable_password": "true", "password1": "Another#456y", "password2": "Another#456y",
        "set-password": "1"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Another#456y") and target.must_change_password
    assert AuditEntry.objects.get(event="password_admin_set", object_id=str(target.pk)).actor == admin_client.superuser

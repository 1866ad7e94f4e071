import pytest
from django.db import DatabaseError, connection, transaction

from shanzhi.audit.models import AuditEntry
from shanzhi.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_entries_are_append_only():
    entry = audit_record(actor=None, action="create", event="test", object_type="x", object_id="1")
    entry.detail = "changed"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only")
def test_database_refuses_update_on_postgresql():
    audit_record(actor=None, action="create", event="test", object_type="x", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().update(detail="tampered")


def test_request_id_and_ip_recorded(client, tree, make_user):
    make_user("village_cadre", tree.v1, username="cadre")
    response = client.post("/accounts/login/", {"username": "cadre", "password": "Passw0rd!x"}, REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.filter(event="login").latest("id")
    assert entry.ip == "10.1.2.3"
    assert entry.request_id == response["X-Request-ID"]

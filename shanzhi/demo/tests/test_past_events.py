"""The demo's past events (G3): loaded through the events services by ``shanzhi demo``, most of them done, a few
open among them a pair of duplicate reports, the triage classifier trained on them; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shanzhi.access.models import User
from shanzhi.audit.models import AuditEntry
from shanzhi.events import classifier
from shanzhi.events.duplicates import possible_duplicates
from shanzhi.events.models import Event


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--regions", "419001", "--without-capabilities", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_past_events_and_trains_the_classifier(settings):
    classifier._forget()
    out = run_demo()
    assert "演示事件：新增 152 件" in out and "事件分流分类器：以 150 件事件训练" in out
    assert "事件：2280 件" in out and "事件分流分类器：以 2" in out  # the bulk year (24 grids × 95), retrained
    events = Event.objects.exclude(client_key__startswith="demo-bulk-")
    assert events.count() == 152 and not events.exclude(place_path__startswith="419001100").exists()
    states = set(events.values_list("state", flat=True))
    assert {"done", "reported"} <= states and events.filter(state="done").count() > 120
    assert set(events.exclude(assignee_level="").values_list("assignee_level", flat=True)) == {
        "grid",
        "village",
        "township",
        "department",
    }
    assert events.filter(reopen_count__gt=0).exists()  # some were reworked after an unsatisfied rating

    dispatcher = User.objects.get(username="dispatcher")
    first, second = Event.objects.filter(client_key__in=["demo-dup-1", "demo-dup-2"]).order_by("client_key")
    assert [d.event for d in possible_duplicates(user=dispatcher, event=second)][0] == first

    assert settings.EVENT_CLASSIFIER_PATH.exists()
    lamp = classifier.suggest(matter_name="路灯损坏", text="村口路灯连续多晚不亮")
    assert lamp is not None and lamp.level == "village"

    trained = AuditEntry.objects.filter(event="event.classifier_train").count()
    out = run_demo()
    assert "演示事件：未新增（演示乡镇已有事件）" in out and Event.objects.count() == 152 + 2280
    assert AuditEntry.objects.filter(event="event.classifier_train").count() == trained  # not retrained

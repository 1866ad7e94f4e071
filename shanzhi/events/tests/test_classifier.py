"""The triage text classifier (domain.md G3): trained on the deployment's own accepted events (made here through
the services), its suggestion and confidence on the dispatcher's triage form, the command's messages, the weekly
task, and a missing or corrupt model file that leaves the page working without a suggestion."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import CommandError, call_command

from shanzhi.audit.models import AuditEntry
from shanzhi.core import periodic
from shanzhi.core.errors import ValidationFailed
from shanzhi.events import classifier, services

from .conftest import FRI

pytestmark = pytest.mark.django_db

# Past events as the dispatcher finally sent them: text → level (a county department with its name).
PAST = {
    "grid": ("两户因排水沟发生争执", "邻居家柴草堆到路上互相吵架", "两家因滴水檐吵架", "邻里因通行小路争吵"),
    "village": (
        "村里路灯坏了好几盏晚上看不见",
        "村广场路灯不亮",
        "村委会门口路灯损坏",
        "进村路口路灯一直不亮",
    ),
    "department": (
        "河道淤积严重需要清淤",
        "河道被砂石堵塞行洪不畅",
        "河道漂浮物堵塞需清理",
        "河道堤岸淤泥堆积",
    ),
}


@pytest.fixture(autouse=True)
def model_file(settings, tmp_path):
    settings.EVENT_CLASSIFIER_PATH = tmp_path / "models" / "event_triage.joblib"
    classifier._forget()
    yield settings.EVENT_CLASSIFIER_PATH
    classifier._forget()


@pytest.fixture
def past_events(world, report, monkeypatch):
    """Accepted past events, two per text: eight per level, 24 in all (the minimum lowered to 20 to keep the test
    quick; the real minimum is checked in ``test_too_few_events…``)."""
    monkeypatch.setattr(classifier, "MIN_EVENTS", 20)
    w = world
    assignee = {"grid": w.worker, "village": w.cadre, "department": w.department}
    n = 0
    for level, texts in PAST.items():
        for text in texts:
            for _ in range(2):
                n += 1
                event = report(user=w.worker, text=text, client_key=f"past-{n}")
                services.event_triage(
                    acting_user=w.dispatcher,
                    event=event,
                    level=level,
                    department="县水利局" if level == "department" else "",
                    now=FRI,
                )
                services.event_accept(acting_user=assignee[level], event=event, now=FRI)
    return n


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("events_train_classifier", *args, stdout=out)
    return out.getvalue()


def test_train_suggest_and_show_on_the_triage_form(client, world, report, past_events, model_file):
    out = run()
    assert f"已训练事件分流分类器：{past_events} 件事件，3 个分派类别" in out and "准确率" in out
    assert model_file.exists()
    entry = AuditEntry.objects.get(event="event.classifier_train")
    assert entry.after["events"] == 24 and entry.after["classes"] == [
        "department:县水利局",
        "grid",
        "village",
    ]

    lamp = classifier.suggest(matter_name=world.grid_matter.name, text="东头路灯坏了，晚上很黑")
    assert (lamp.level, lamp.department, lamp.label) == ("village", "", "村（社区）") and lamp.confidence > 50
    river = classifier.suggest(matter_name=world.grid_matter.name, text="河道里淤泥太多")
    assert (river.level, river.department, river.label) == ("department", "县水利局", "县级部门·县水利局")

    event = report(text="村口路灯坏了不亮", client_key="new-1")
    client.force_login(world.dispatcher)
    body = client.get(f"/events/{event.pk}/").content.decode()
    expected = classifier.suggest_for(event)
    assert expected.level == "village"
    assert f"智能建议：村（社区）（置信度 {expected.confidence}%）" in body
    assert "事项清单建议" in body and "以 24 件历史事件训练" in body
    client.force_login(world.villager)  # the reporter does not triage: no suggestion
    assert "智能建议" not in client.get(f"/events/{event.pk}/").content.decode()


def test_too_few_events_or_one_class_refused_and_nothing_written(world, report, model_file, monkeypatch):
    with pytest.raises(CommandError) as exc:
        run()
    assert "可用于训练的历史事件太少：只有 0 件" in str(exc.value) and "至少需要 30 件" in str(exc.value)
    for i in range(3):  # three accepted events, all handled in the grid
        event = report(user=world.worker, client_key=f"one-{i}")
        services.event_triage(acting_user=world.dispatcher, event=event, level="grid", now=FRI)
        services.event_accept(acting_user=world.worker, event=event, now=FRI)
    report(client_key="untriaged")  # waiting for triage: not a training example
    with pytest.raises(ValidationFailed) as exc2:
        classifier.classifier_train()
    assert "只有 3 件" in exc2.value.message
    monkeypatch.setattr(classifier, "MIN_EVENTS", 3)
    with pytest.raises(CommandError) as exc:
        run()
    assert "历史事件都分派给了同一处（网格），至少需要两种不同的分派结果" in str(exc.value)
    assert not model_file.exists() and not model_file.parent.exists()
    assert not AuditEntry.objects.filter(event="event.classifier_train").exists()


def test_missing_or_corrupt_model_leaves_the_page_working(
    client, world, report, past_events, model_file, caplog
):
    event = report(text="村广场路灯不亮", client_key="new-2")
    client.force_login(world.dispatcher)
    response = client.get(f"/events/{event.pk}/")  # no model yet
    assert response.status_code == 200 and "智能建议" not in response.content.decode()
    assert "事项清单建议" in response.content.decode()

    model_file.parent.mkdir(parents=True)
    model_file.write_bytes(b"not a model at all")
    with caplog.at_level(logging.WARNING, logger="shanzhi.events.classifier"):
        response = client.get(f"/events/{event.pk}/")
        client.get(f"/events/{event.pk}/")
    assert response.status_code == 200 and "智能建议" not in response.content.decode()
    assert (
        len([r for r in caplog.records if "无法读取" in r.getMessage()]) == 1
    )  # read once per file, not per view

    classifier.classifier_train()  # a new file replaces it: picked up without restarting
    assert "智能建议：村（社区）" in client.get(f"/events/{event.pk}/").content.decode()

    import joblib

    joblib.dump({"version": 1, "model": "wrong"}, model_file)  # readable, but not ours
    assert classifier.suggest_for(event) is None
    assert client.get(f"/events/{event.pk}/").status_code == 200


def test_weekly_task_registered_and_runs(world, report, past_events, model_file, monkeypatch):
    task = next(p for p in periodic.registered() if p.name.endswith("retrain_classifier"))
    assert task.every_seconds == 7 * 24 * 3600
    assert "件事件，留出准确率" in classifier.retrain_classifier.call()
    assert model_file.exists()
    monkeypatch.setattr(classifier, "MIN_EVENTS", 1000)
    assert "历史事件太少" in classifier.retrain_classifier.call()  # reported, not raised

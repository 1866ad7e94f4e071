"""The triage text classifier (domain.md G3: "Triage (分级分流) … suggested from the matter list and by a text
classifier trained on the deployment's own past events (scikit-learn, character n-grams; retrainable by a
command; shows its confidence; the dispatcher decides)").

- Training data: the deployment's own events that a unit has accepted (办理中, 待评价, 已办结), i.e. where the
  level was right in the end: the text (after the matter's name) → the level that finally handled it, and for a
  county department its name. Returned and escalated events count with the level that accepted them.
- Model: TF-IDF over character 1–3-grams within word boundaries (Chinese needs no segmentation), then a
  multinomial logistic regression, whose probability is the confidence shown. A fifth of the events (stratified)
  is held out to measure the accuracy, then the model is refitted on all of them.
- Stored with joblib in ``settings.EVENT_CLASSIFIER_PATH`` (default ``VAR_DIR/models/event_triage.joblib``),
  written to a temporary file and renamed, with the training date, the number of events, the accuracy. The file
  is written only by this module; loading it unpickles, so the directory must be the deployment's own.
- Loaded once per process and reloaded when the file changes (``os.stat`` per use); no file, an unreadable
  file or a failing prediction means simply no suggestion, never a broken page.
- Retrained by ``shanzhi events_train_classifier`` and weekly by the task worker (``retrain_classifier``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ValidationFailed
from shanzhi.workflow.clock import current

from .choices import AssigneeLevel
from .models import Event
from .workflow import CLOSED, DONE, HANDLING

logger = logging.getLogger("shanzhi.events.classifier")

FORMAT_VERSION = 1
MIN_EVENTS = 30
MAX_EVENTS = 50_000  # the most recent; more adds little and costs time and memory
TRAIN_STATES = (HANDLING, CLOSED, DONE)
HELD_OUT = 0.2
DEPARTMENT_PREFIX = "department:"
WEEK_SECONDS = 7 * 24 * 3600


def model_path() -> Path:
    configured = getattr(settings, "EVENT_CLASSIFIER_PATH", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "models" / "event_triage.joblib"


def features(matter_name: str, text: str) -> str:
    return f"{matter_name}：{text}"


def encode_label(level: str, department: str) -> str:
    if level == AssigneeLevel.DEPARTMENT and department:
        return f"{DEPARTMENT_PREFIX}{department}"
    return level


def decode_label(label: str) -> tuple[str, str]:
    """(level, department) of a class label."""
    if label.startswith(DEPARTMENT_PREFIX):
        return AssigneeLevel.DEPARTMENT, label[len(DEPARTMENT_PREFIX) :]
    return label, ""


def label_display(label: str) -> str:
    level, department = decode_label(label)
    name = str(AssigneeLevel(level).label) if level in AssigneeLevel.values else level
    return f"{name}·{department}" if department else name


@dataclass(frozen=True)
class TrainResult:
    events: int
    classes: int
    accuracy: float
    held_out: int
    trained_at: dt.datetime
    path: Path


@dataclass(frozen=True)
class Suggestion:
    """The classifier's answer for one event: the level (and department), its probability, and what the model
    was trained on (shown beside it, so the dispatcher can judge how far to trust it)."""

    level: str
    department: str
    label: str
    confidence: int  # percent
    trained_at: dt.datetime
    events: int
    accuracy: float


def training_rows() -> list[tuple[str, str]]:
    """(features, label) of the accepted events, most recent first."""
    rows = (
        Event.objects.filter(state__in=TRAIN_STATES, merged_into__isnull=True)
        .exclude(assignee_level="")
        .order_by("-reported_at", "-id")
        .values_list("matter__name", "text", "assignee_level", "assignee_department")[:MAX_EVENTS]
    )
    return [(features(m, t), encode_label(level, dep)) for m, t, level, dep in rows]


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
        LogisticRegression(C=10.0, max_iter=2000),
    )


def _held_out_accuracy(x: list[str], y: list[str]) -> tuple[float, int]:
    """Accuracy on a stratified fifth held out from training. Classes seen only once stay in training (they
    cannot be both learnt and tested); the held-out part has at least one event of every other class."""
    from sklearn.model_selection import train_test_split

    counts = Counter(y)
    multi = [i for i, label in enumerate(y) if counts[label] >= 2]
    single = [i for i, label in enumerate(y) if counts[label] < 2]
    n_classes = len({y[i] for i in multi})
    test_n = max(n_classes, round(len(multi) * HELD_OUT))
    if n_classes < 1 or test_n > len(multi) - n_classes:
        return 0.0, 0
    train_i, test_i = train_test_split(
        multi, test_size=test_n, random_state=0, stratify=[y[i] for i in multi]
    )
    train_i = list(train_i) + single
    if len({y[i] for i in train_i}) < 2:
        return 0.0, 0
    model = _pipeline().fit([x[i] for i in train_i], [y[i] for i in train_i])
    return float(model.score([x[i] for i in test_i], [y[i] for i in test_i])), len(test_i)


def classifier_train(*, acting_user: Any = None, now: dt.datetime | None = None) -> TrainResult:
    """Train on the deployment's own accepted events and store the model (G3 triage suggestion). Refused, with
    nothing written, when there are fewer than ``MIN_EVENTS`` events or they all went the same way."""
    rows = training_rows()
    if len(rows) < MIN_EVENTS:
        raise ValidationFailed(
            f"可用于训练的历史事件太少：只有 {len(rows)} 件已受理或办结的事件，至少需要 {MIN_EVENTS} 件。"
            "请在积累更多事件后再训练。",
            code="classifier_too_few",
        )
    x = [r[0] for r in rows]
    y = [r[1] for r in rows]
    classes = sorted(set(y))
    if len(classes) < 2:
        raise ValidationFailed(
            f"历史事件都分派给了同一处（{label_display(classes[0])}），至少需要两种不同的分派结果才能训练。",
            code="classifier_one_class",
        )
    import joblib
    import sklearn

    at = current(now)
    accuracy, held_out = _held_out_accuracy(x, y)
    model = _pipeline().fit(x, y)
    payload = {
        "version": FORMAT_VERSION,
        "model": model,
        "trained_at": at,
        "events": len(rows),
        "accuracy": accuracy,
        "held_out": held_out,
        "classes": classes,
        "sklearn": sklearn.__version__,
    }
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        joblib.dump(payload, tmp, compress=3)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _forget()
    audit_record(
        actor=acting_user,
        actor_name="" if acting_user else "系统",
        action=AuditAction.UPDATE,
        event="event.classifier_train",
        object_type="events.classifier",
        object_repr="事件分流分类器",
        after={
            "events": len(rows),
            "classes": classes,
            "accuracy": round(accuracy, 4),
            "held_out": held_out,
            "trained_at": at,
        },
        detail=f"训练事件分流分类器：{len(rows)} 件事件，{len(classes)} 类，留出准确率 {accuracy:.0%}",
    )
    return TrainResult(
        events=len(rows), classes=len(classes), accuracy=accuracy, held_out=held_out, trained_at=at, path=path
    )


# --- loading, cached per process ----------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "payload": None}


def _forget() -> None:
    with _lock:
        _cache.update(key=None, payload=None)


def _valid(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and payload.get("version") == FORMAT_VERSION
        and hasattr(payload.get("model"), "predict_proba")
        and isinstance(payload.get("trained_at"), dt.datetime)
    )


def loaded() -> dict[str, Any] | None:
    """The stored model and its facts, or None when there is none or it cannot be read (logged once per file)."""
    path = model_path()
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _lock:
        if _cache["key"] == key:
            return _cache["payload"]
    payload: dict[str, Any] | None
    try:
        import joblib

        payload = joblib.load(path)
        if not _valid(payload):
            logger.warning("事件分流分类器文件格式不符，已忽略：%s", path)
            payload = None
    except Exception:  # a truncated or foreign file must not break the event page
        logger.warning("事件分流分类器文件无法读取，已忽略：%s", path, exc_info=True)
        payload = None
    with _lock:
        _cache.update(key=key, payload=payload)
    return payload


def suggest(*, matter_name: str, text: str) -> Suggestion | None:
    """The classifier's suggestion for a report, or None without a usable model."""
    payload = loaded()
    if payload is None:
        return None
    try:
        model = payload["model"]
        proba = model.predict_proba([features(matter_name, text)])[0]
        best = int(proba.argmax())
        label = str(model.classes_[best])
        confidence = round(float(proba[best]) * 100)
    except Exception:
        logger.warning("事件分流分类器预测失败", exc_info=True)
        return None
    level, department = decode_label(label)
    return Suggestion(
        level=level,
        department=department,
        label=label_display(label),
        confidence=confidence,
        trained_at=payload["trained_at"],
        events=int(payload.get("events", 0)),
        accuracy=float(payload.get("accuracy", 0.0)),
    )


def suggest_for(event: Event) -> Suggestion | None:
    return suggest(matter_name=event.matter.name, text=event.text)


@task()
def retrain_classifier() -> str:
    """Weekly (registered in ``apps.py``): retrain on the week's new events; too few events is not an error."""
    try:
        result = classifier_train(now=timezone.now())
    except ValidationFailed as exc:
        return exc.message
    return f"{result.events} 件事件，留出准确率 {result.accuracy:.0%}"

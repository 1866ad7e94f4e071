"""Links to other capabilities through their small public contracts: the village rules (charter) for an item's
clause, village affairs (affairs) for the decision that adopted a scheme. Either may be absent from a deployment;
then the item names no clause and adoption records the meeting as text."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def _api(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"shanzhi.{name}.api")
    except ImportError:
        return None


def clause_choices(place: Any) -> list[tuple[int, str]]:
    api = _api("charter")
    return list(api.clause_choices(place)) if api else []


def clause_label(clause_id: int | None) -> str:
    api = _api("charter")
    return api.clause_label(clause_id) if (api and clause_id) else ""


def clause_url(clause_id: int | None) -> str:
    api = _api("charter")
    return api.clause_url(clause_id) if (api and clause_id) else ""


def decisions_available() -> bool:
    api = _api("affairs")
    return bool(api and hasattr(api, "decisions_passed"))


def decision_choices(user: Any, place: Any) -> list[tuple[int, str]]:
    """(id, label) of the decisions passed at ``place`` that ``user`` may see."""
    api = _api("affairs")
    if not api or not hasattr(api, "decisions_passed"):
        return []
    out = []
    for d in api.decisions_passed(user=user, place=place):
        if isinstance(d, (tuple, list)):
            out.append((int(d[0]), str(d[1])))
        else:
            out.append((int(d.pk), str(getattr(d, "title", d))))
    return out


def decision_url(decision_id: int | None) -> str:
    api = _api("affairs")
    if not api or not decision_id or not hasattr(api, "decision_url"):
        return ""
    return api.decision_url(decision_id) or ""


def decision_passed(decision_id: int) -> bool:
    api = _api("affairs")
    if not api or not hasattr(api, "decision_outcome"):
        return False
    outcome = api.decision_outcome(decision_id)
    if isinstance(outcome, bool):
        return outcome
    value = getattr(outcome, "passed", outcome)
    if isinstance(value, str):
        return value in ("passed", "adopted", "通过")
    return bool(value)

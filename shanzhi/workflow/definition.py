"""Declaring a workflow (conventions: "workflows are data"). A case type's ``workflow.py`` builds one
``Workflow`` — its states, the transitions between them, who may take each and where, the deadline each
state starts and whom it escalates to — and registers it. The engine (``engine.py``) runs it.

Who may act is a ``Guard``: holders of a permission (and, if listed, of one of some roles) at a place that
contains a place the case names, e.g. ``Guard(at="to_path", perm=Perm.MOVE_APPROVE, who="迁入村村干部")`` reads
"someone holding move.approve at the receiving village". Guards are evaluated on the user's cached role
grants, so asking "which buttons" for a page of cases costs no query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from shanzhi.regions.choices import SIGNIFICANT

NEW = ""  # the state of a case not yet started; the source of a workflow's starting transition


@dataclass(frozen=True)
class Guard:
    """Who may act on a case: a role/permission held at a prefix of the place path in the case's ``at``
    attribute, cut to ``level`` when given (``level="township"``: the township containing that place)."""

    at: str
    who: str
    perm: str = ""
    roles: tuple[str, ...] = ()
    level: str = ""

    def __post_init__(self) -> None:
        if not (self.perm or self.roles):
            raise ValueError("a guard needs a permission or roles")
        if self.level and self.level not in SIGNIFICANT:
            raise ValueError(f"guard level must be one of {sorted(SIGNIFICANT)}")

    def path(self, case: Any) -> str:
        path = getattr(case, self.at) or ""
        return path[: SIGNIFICANT[self.level]] if self.level else path

    def allows(self, user: Any, case: Any) -> bool:
        return self.allows_at(user, self.path(case))

    def allows_at(self, user: Any, path: str) -> bool:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active or not path:
            return False
        if user.is_superuser:
            return True
        for role, perms, grant_path in user.grants():
            if self.roles and role not in self.roles:
                continue
            if self.perm and self.perm not in perms:
                continue
            if path.startswith(grant_path):
                return True
        return False

    def holders(self, case: Any) -> models.QuerySet:
        """Active users who pass this guard for ``case`` (for urging and escalation notices)."""
        from shanzhi.access.models import User
        from shanzhi.access.roles import ROLE_PERMS
        from shanzhi.regions.models import path_prefixes

        roles = [r for r, perms in ROLE_PERMS.items() if (not self.perm or self.perm in perms)
                 and (not self.roles or r in self.roles)]
        path = self.path(case)
        return User.objects.filter(
            is_active=True, role_assignments__is_active=True, role_assignments__role__in=roles,
            role_assignments__place_path__in=path_prefixes(path) if path else [],
        ).distinct().order_by("id")


@dataclass(frozen=True)
class AnyOf:
    """Whoever passes one of several guards (转办: the assignee or the dispatcher). Reads like a ``Guard``: its
    ``who`` joins theirs, its place (for the audit trail) is the first guard's."""

    guards: tuple[Guard, ...]
    who: str = ""

    def __post_init__(self) -> None:
        if not self.guards:
            raise ValueError("AnyOf needs at least one guard")
        if not self.who:
            object.__setattr__(self, "who", "或".join(g.who for g in self.guards))

    def path(self, case: Any) -> str:
        return self.guards[0].path(case)

    def allows(self, user: Any, case: Any) -> bool:
        return any(g.allows(user, case) for g in self.guards)

    def allows_at(self, user: Any, path: str) -> bool:
        return any(g.allows_at(user, path) for g in self.guards)

    def holders(self, case: Any) -> models.QuerySet:
        from shanzhi.access.models import User

        q = models.Q(pk__in=[])
        for g in self.guards:
            q |= models.Q(pk__in=g.holders(case).values("pk"))
        return User.objects.filter(q).order_by("id")


@dataclass(frozen=True)
class Escalation:
    """提级督办: when a case stays overdue ``after_days`` more working days (0: at once), it is flagged escalated
    and its supervisors (``to``) are recorded in the history as the ones to follow it up.

    ``effect`` (a callable or its dotted path) is the domain's hook, run by the sweeper in the same transaction
    with the case row locked, after the escalation is recorded: ``effect(case, now=...)``. It may move the case
    (``engine.system_transition``), e.g. hand an overdue event to the level above (难事提级). An
    ``ApplicationError`` it raises is recorded in the history instead and the rest of the sweep goes on."""

    to: Guard | AnyOf
    after_days: int = 0
    effect: str | Callable[..., None] | None = None


@dataclass(frozen=True)
class State:
    name: str
    label: str
    deadline_days: int | None = None  # working days to leave this state; starts when the state is entered
    escalation: Escalation | None = None
    final: bool = False
    # 临期预警: the sweeper warns the assignees once, at the end (17:30) of the working day this many working
    # days before the deadline's day. None: no warning.
    warn_before_days: int | None = None


@dataclass(frozen=True)
class Notes:
    """办理记录: who may add a progress note (with photos, kept by the domain) to a case, and in which states."""

    states: tuple[str, ...]
    by: Guard | AnyOf
    label: str = "办理记录"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    guard: Guard | AnyOf
    note_required: bool = False
    # A case attribute holding a user id that may not take this transition (four eyes: no approving one's own).
    not_by: str = ""
    # Called inside the transition's transaction, after the state is written and with the case row locked:
    # ``effect(case, acting_user=..., note=..., now=...)``; a dotted path is imported when first needed.
    effect: str | Callable[..., None] | None = None
    style: str = "primary"  # the button's colour (bootstrap)
    # Whether the state waits for this transition: its guard's holders are the case's assignees (urged,
    # shown as "待…办理"). False for optional moves such as the requester withdrawing.
    assigned: bool = True


@dataclass(frozen=True)
class Workflow:
    name: str
    label: str
    model: str  # "app_label.ModelName"; the model inherits workflow.models.WorkflowCase
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    urge: Guard | AnyOf | None = None  # who may urge (催办) or supervise (督办) a case in a state with a deadline
    notes: Notes | None = None  # who may add progress notes (办理记录), and when
    urge_interval: dt.timedelta = dt.timedelta(hours=1)
    _states: dict[str, State] = field(init=False, repr=False, compare=False, default_factory=dict)
    _transitions: dict[str, Transition] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        for s in self.states:
            if s.name in self._states or s.name == NEW:
                raise ValueError(f"{self.name}: duplicate or empty state {s.name!r}")
            if (s.escalation or s.warn_before_days is not None) and s.deadline_days is None:
                raise ValueError(f"{self.name}: state {s.name} escalates or warns but has no deadline")
            self._states[s.name] = s
        for t in self.transitions:
            if t.name in self._transitions:
                raise ValueError(f"{self.name}: duplicate transition {t.name}")
            unknown = [x for x in (*t.sources, t.target) if x != NEW and x not in self._states]
            if unknown or t.target == NEW or not t.sources:
                raise ValueError(f"{self.name}.{t.name}: bad states {unknown or t.sources}")
            if any(self._states[x].final for x in t.sources if x != NEW):
                raise ValueError(f"{self.name}.{t.name}: leaves a final state")
            self._transitions[t.name] = t
        if not any(NEW in t.sources for t in self.transitions):
            raise ValueError(f"{self.name}: no starting transition (one with NEW among its sources)")
        if self.notes and any(x not in self._states for x in self.notes.states):
            raise ValueError(f"{self.name}: notes in unknown states {self.notes.states}")

    def state(self, name: str) -> State | None:
        return self._states.get(name)

    def state_label(self, name: str) -> str:
        s = self._states.get(name)
        return s.label if s else ("未发起" if name == NEW else name)

    def transition(self, name: str) -> Transition | None:
        return self._transitions.get(name)

    def outgoing(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def assigned(self, state: str) -> list[Transition]:
        return [t for t in self.outgoing(state) if t.assigned]

    def deadline_states(self) -> list[str]:
        return [s.name for s in self.states if s.deadline_days is not None]

    def escalating_states(self) -> list[str]:
        return [s.name for s in self.states if s.escalation is not None]

    def warning_states(self) -> list[str]:
        return [s.name for s in self.states if s.warn_before_days is not None]

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_registry: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Register a workflow (from its app's ``AppConfig.ready``); re-registering the same name replaces it."""
    _registry[workflow.name] = workflow
    return workflow


def get(name: str) -> Workflow:
    return _registry[name]


def registered() -> list[Workflow]:
    return list(_registry.values())


def for_case(case: Any) -> Workflow:
    label = case._meta.label
    for wf in _registry.values():
        if wf.model.lower() == label.lower():
            return wf
    raise LookupError(f"no workflow registered for {label}")

"""Template helpers of the workflow kernel: state labels and "may this user start this workflow here"."""

from __future__ import annotations

from typing import Any

from django import template

from shanzhi.workflow.definition import for_case, get

register = template.Library()


@register.simple_tag
def state_label(case: Any) -> str:
    return for_case(case).state_label(case.state)


@register.simple_tag
def workflow_can_start(workflow: str, transition: str, user: Any, path: str) -> bool:
    """Whether ``user`` passes the guard of a starting transition for a case at ``path`` (for the button that
    opens the form; the service checks again)."""
    t = get(workflow).transition(transition)
    return bool(t and t.guard.allows_at(user, path))

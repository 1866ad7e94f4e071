"""The small contract other capabilities use to link to the village rules (domain.md A6: "clauses linked to
points items and black-list entries"). Other apps call only these three functions; they store the clause id.

A clause id stays valid for ever: a superseded version keeps its clauses, so a points item adopted under
version 1 still names the clause it was adopted under, and its link opens that version's public page.
"""

from __future__ import annotations

from django.urls import reverse

from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .choices import RulesStatus
from .models import RulesClause


def _village_path(place: Place) -> str | None:
    if place.level == Level.VILLAGE:
        return place.path
    if place.level in (Level.GROUP, Level.GRID, Level.MICROGRID):
        return place.path[:12]
    return None


def clause_choices(place: Place) -> list[tuple[int, str]]:
    """(id, label) of the clauses of the village rules in force at ``place``'s village, in order; empty when
    the place is above a village or its village has no rules in force yet."""
    path = _village_path(place)
    if path is None:
        return []
    clauses = (RulesClause.objects.filter(place_path=path, version__status=RulesStatus.IN_FORCE)
               .order_by("number").only("id", "number", "heading", "text"))
    return [(c.id, _label(c)) for c in clauses]


def _label(clause: RulesClause) -> str:
    text = clause.text if len(clause.text) <= 30 else clause.text[:30] + "…"
    head = f"第{clause.number}条"
    if clause.heading:
        head += f"（{clause.heading}）"
    return f"{head} {text}"


def clause_label(clause_id: int) -> str:
    """"第5条（移风易俗） 红白喜事简办…" with the version when it is no longer in force; "" for an unknown id."""
    clause = RulesClause.objects.select_related("version").filter(pk=clause_id).first()
    if clause is None:
        return ""
    label = _label(clause)
    if clause.version.status != RulesStatus.IN_FORCE:
        label += f"（村规民约第{clause.version.number}版，{clause.version.get_status_display()}）"
    return label


def clause_url(clause_id: int) -> str:
    """The clause on the public page of its version (no login), with its anchor; "" for an unknown id."""
    clause = (RulesClause.objects.select_related("version__village").filter(pk=clause_id)
              .only("number", "version__number", "version__village__code").first())
    if clause is None:
        return ""
    version = clause.version
    return reverse("charter_public_rules_version", args=[version.village.code, version.number]) + f"#{clause.anchor}"

"""Reads of 权力清单与村规民约 (domain.md A1, A6). Staff reads start from the scoped querysets; the public pages
(no login) read a village by its code and show only what is adopted (rules in force or superseded) or listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.scoping import path_q
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from .choices import PowerListKind, RulesStatus
from .models import PowerItem, PowerList, RulesClause, RulesHearing, RulesVersion

PUBLIC_RULES = (RulesStatus.IN_FORCE, RulesStatus.SUPERSEDED)


@dataclass
class RulesFilters:
    q: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, data: Any) -> RulesFilters:
        return cls(q=(data.get("q") or "").strip(), status=(data.get("status") or "").strip())


def rules_list(*, user: Any, filters: RulesFilters | None = None) -> QuerySet[RulesVersion]:
    f = filters or RulesFilters()
    qs = RulesVersion.objects.visible_to(user, Perm.AFFAIRS_VIEW)
    if f.status in RulesStatus.values:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(Q(village__name__contains=f.q) | Q(title__contains=f.q))
    return (qs.select_related("village").annotate(clause_count=Count("clauses", distinct=True))
            .order_by("place_path", "-number"))


def rules_detail(*, user: Any, pk: int) -> RulesVersion:
    return (RulesVersion.objects.select_related("village", "based_on", "created_by", "submitted_by")
            .get_visible(user, Perm.AFFAIRS_VIEW, pk=pk))


def rules_clauses(version: RulesVersion) -> list[RulesClause]:
    return list(version.clauses.order_by("number"))


def rules_hearings(version: RulesVersion) -> list[RulesHearing]:
    return list(version.hearings.select_related("recorded_by").order_by("held_on", "id"))


def village_versions(version: RulesVersion) -> list[RulesVersion]:
    return list(RulesVersion.objects.filter(village_id=version.village_id).order_by("-number")
                .only("id", "number", "status", "title", "in_force_from"))


@dataclass
class DiffRow:
    status: str  # "added" | "changed" | "renumbered" | "removed" | "same"
    old: RulesClause | None
    new: RulesClause | None

    @property
    def label(self) -> str:
        return {"added": "新增", "changed": "修改", "renumbered": "条号调整", "removed": "删除", "same": "未变"}[
            self.status]


def rules_diff(old: RulesVersion | None, new: RulesVersion) -> list[DiffRow]:
    """Clause by clause, following each clause's key: added (only in the new version), removed (only in the
    old, shown where it stood), changed (heading or text differ), renumbered (same words, another number), same."""
    new_clauses = rules_clauses(new)
    old_clauses = rules_clauses(old) if old is not None else []
    by_key = {c.key: c for c in old_clauses}
    new_keys = {c.key for c in new_clauses}
    rows: list[DiffRow] = []
    removed = [c for c in old_clauses if c.key not in new_keys]
    for c in new_clauses:
        # Removed clauses are shown before the first new clause that followed them in the old version.
        while removed and removed[0].number <= (by_key[c.key].number if c.key in by_key else 0):
            rows.append(DiffRow("removed", removed.pop(0), None))
        before = by_key.get(c.key)
        if before is None:
            rows.append(DiffRow("added", None, c))
        elif (before.heading, before.text) != (c.heading, c.text):
            rows.append(DiffRow("changed", before, c))
        elif before.number != c.number:
            rows.append(DiffRow("renumbered", before, c))
        else:
            rows.append(DiffRow("same", before, c))
    rows.extend(DiffRow("removed", c, None) for c in removed)
    return rows


def diff_counts(rows: list[DiffRow]) -> dict[str, int]:
    counts = {"added": 0, "changed": 0, "renumbered": 0, "removed": 0, "same": 0}
    for r in rows:
        counts[r.status] += 1
    return counts


def charter_villages(*, user: Any, perm: str = Perm.CHARTER_MANAGE) -> QuerySet[Place]:
    """Villages where the user may manage rules and lists (for the pickers)."""
    paths = user.scope_paths(perm) if user.is_authenticated else []
    if not paths:
        return Place.objects.none()
    return Place.objects.filter(path_q("path", paths), level=Level.VILLAGE, is_active=True).order_by("path")


def template_places(*, user: Any) -> QuerySet[Place]:
    """Townships (and counties) where the user may keep templates."""
    paths = user.scope_paths(Perm.CHARTER_MANAGE) if user.is_authenticated else []
    if not paths:
        return Place.objects.none()
    return Place.objects.filter(path_q("path", paths), level__in=(Level.TOWNSHIP, Level.COUNTY),
                                is_active=True).order_by("path")


def power_lists(*, user: Any, kind: str = "", templates: bool | None = None) -> QuerySet[PowerList]:
    """Lists in the user's scope, and the templates of the places above it (a township's template applies
    downward to its villages: a village cadre sees it to adopt it)."""
    paths = user.scope_paths(Perm.AFFAIRS_VIEW) if user.is_authenticated else []
    if not paths:
        return PowerList.objects.none()
    above: set[str] = set()
    for p in paths:
        for n in range(len(p) - 1, 0, -1):
            above.add(p[:n])
    qs = PowerList.objects.filter(path_q("place_path", paths) | Q(is_template=True, place_path__in=above))
    if kind in PowerListKind.values:
        qs = qs.filter(kind=kind)
    if templates is not None:
        qs = qs.filter(is_template=templates)
    return (qs.select_related("place", "template").annotate(item_count=Count("items"))
            .order_by("-is_template", "place_path", "kind"))


def power_list_detail(*, user: Any, pk: int) -> PowerList:
    power_list = power_lists(user=user).filter(pk=pk).first()
    if power_list is None:
        raise NotFound()
    return power_list


def power_items(power_list: PowerList) -> list[PowerItem]:
    return list(power_list.items.select_related("template_item").order_by("number"))


def item_is_adapted(item: PowerItem) -> bool:
    t = item.template_item
    if t is None:
        return False
    return (t.name, t.legal_basis, t.responsible_body, t.steps, t.disclosure, t.disclosure_note, t.risks) != (
        item.name, item.legal_basis, item.responsible_body, item.steps, item.disclosure, item.disclosure_note,
        item.risks)


def adoptable_villages(*, user: Any, template: PowerList) -> list[Place]:
    """The villages under the template's township where the user manages and which have no list of its kind."""
    if not template.is_template:
        return []
    taken = PowerList.objects.filter(kind=template.kind, place_path__prefix=template.place_path).values("place_id")
    return list(charter_villages(user=user).filter(path__prefix=template.place_path).exclude(pk__in=taken))


# ---------------------------------------------------------------- public pages (no login)

def public_village(*, code: str) -> Place:
    village = Place.objects.filter(code=code, level=Level.VILLAGE, is_active=True).first()
    if village is None:
        raise NotFound("未找到该村（社区）。")
    return village


def public_rules(*, village: Place, number: int | None = None) -> RulesVersion | None:
    """The version in force (or the numbered adopted version) with its clauses; None when there is none."""
    qs = RulesVersion.objects.filter(village=village, status__in=PUBLIC_RULES).prefetch_related(
        Prefetch("clauses", queryset=RulesClause.objects.order_by("number")))
    if number is None:
        return qs.filter(status=RulesStatus.IN_FORCE).first()
    version = qs.filter(number=number).first()
    if version is None:
        raise NotFound("未找到该版本的村规民约。")
    return version


def public_rules_history(*, village: Place) -> list[RulesVersion]:
    return list(RulesVersion.objects.filter(village=village, status__in=PUBLIC_RULES).order_by("-number")
                .only("id", "number", "status", "title", "in_force_from", "superseded_at"))


def public_power_lists(*, village: Place) -> list[PowerList]:
    """The village's lists that it has published at least once (an adopted list being adapted stays internal)."""
    return list(PowerList.objects.filter(place=village, is_template=False, publication_id__isnull=False).annotate(item_count=Count("items"))
                .order_by("kind"))


def public_power_list(*, village: Place, kind: str) -> PowerList:
    power_list = (PowerList.objects.filter(place=village, kind=kind, is_template=False, publication_id__isnull=False)
                  .prefetch_related(Prefetch("items", queryset=PowerItem.objects.order_by("number"))).first())
    if power_list is None:
        raise NotFound("本村尚未公布该清单。")
    return power_list

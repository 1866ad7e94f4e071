"""Reading grids (domain.md G1, G5): the grid list, the map data and the grid risk card. Every read starts from
``visible_to(user, Perm.GRID_VIEW)``; households and persons additionally from ``Perm.PEOPLE_VIEW``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.scoping import path_q
from shanzhi.people.choices import PersonTag
from shanzhi.people.models import TAG_BITS, Household, Person
from shanzhi.regions.models import Place

from . import riskcard
from .grid_choices import GRID_LEVELS, GRID_TYPE_COLOURS, HAZARD_COLOUR, GridType, HazardKind
from .models import GridProfile, GridStaffPost, HazardPoint, VillageAssistant

MAP_LEVELS = ("township", "village")
MAP_HOUSEHOLDS_MAX = 5000


def grid_list(*, user: Any, under: Place | None = None, q: str = "") -> QuerySet[Place]:
    """Grids and micro-grids in the user's scope with their profile and the number of households in them."""
    qs = Place.objects.visible_to(user, Perm.GRID_VIEW).filter(level__in=GRID_LEVELS, is_active=True)
    if under is not None:
        qs = qs.filter(path__prefix=under.path)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.select_related("grid_profile", "parent").order_by("path")


def attach_household_counts(grids: list[Place]) -> list[Place]:
    """户数 of each grid over its subtree — its own households and those of its micro-grids — set as
    ``household_count`` on the rows of a page, with one grouped query (households per place path) whatever the
    number of rows; a micro-grid's path is its grid's path plus two digits, so a grid sums the paths it prefixes."""
    if not grids:
        return grids
    paths = sorted({g.path for g in grids})
    roots = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    per_path = dict(Household.objects.filter(path_q("place_path", roots), is_active=True).order_by()
                    .values("place_path").annotate(n=Count("id")).values_list("place_path", "n"))
    for g in grids:
        g.household_count = sum(n for path, n in per_path.items() if path.startswith(g.path))
    return grids


def grid_place(*, user: Any, code: str) -> Place:
    place = Place.objects.select_related("parent").get_visible(user, Perm.GRID_VIEW, code=code)
    if place.level not in GRID_LEVELS:
        raise NotFound()
    return place


def grid_profile_of(place: Place) -> GridProfile | None:
    return GridProfile.objects.filter(place=place).first()


def map_place(*, user: Any, code: str) -> Place:
    place = Place.objects.get_visible(user, Perm.GRID_VIEW, code=code)
    if place.level not in MAP_LEVELS:
        raise NotFound("网格地图按村（社区）或乡镇（街道）查看。")
    return place


def map_data(*, user: Any, place: Place) -> dict[str, Any]:
    """The map of a village's or township's grids: outlines coloured by type and households as points (head's
    name masked; only households the user may see). No more than ``MAP_HOUSEHOLDS_MAX`` points are sent."""
    grids = []
    profiles = (GridProfile.objects.visible_to(user, Perm.GRID_VIEW).filter(place_path__prefix=place.path)
                .select_related("place").order_by("place_path"))
    for p in profiles:
        grids.append({"code": p.place.code, "name": p.place.name, "level": p.place.level, "type": p.grid_type,
                      "type_label": str(p.get_grid_type_display()), "colour": GRID_TYPE_COLOURS[GridType(p.grid_type)],
                      "note": p.special_note or p.online_group, "geometry": p.polygon})
    households = (Household.objects.visible_to(user, Perm.PEOPLE_VIEW)
                  .filter(place_path__prefix=place.path, is_active=True, latitude__isnull=False,
                          longitude__isnull=False)
                  .order_by("place_path", "number")
                  .values_list("number", "head_name", "latitude", "longitude", "place_path", "member_count"))
    rows = list(households[:MAP_HOUSEHOLDS_MAX + 1])
    points = [{"number": n, "head": _mask(h), "lat": float(lat), "lng": float(lng), "path": path, "members": m}
              for n, h, lat, lng, path, m in rows[:MAP_HOUSEHOLDS_MAX]]
    layers = [hazard_layer(place, user), *riskcard.map_layers(place, user)]
    return {"place": {"code": place.code, "name": place.name, "level": place.level},
            "tile_url": settings.MAP_TILE_URL, "grids": grids, "households": points,
            "truncated": len(rows) > MAP_HOUSEHOLDS_MAX,
            "legend": [{"type": t.value, "label": str(t.label), "colour": GRID_TYPE_COLOURS[t]} for t in GridType],
            "layers": [layer.as_json() for layer in layers]}


def hazard_points(*, user: Any, under: Place | None = None, active: bool | None = True) -> QuerySet[HazardPoint]:
    """隐患点 the user may see (grid.view), under a place if given; only the active ones unless ``active`` is
    None (all) or False (the withdrawn)."""
    qs = HazardPoint.objects.visible_to(user, Perm.GRID_VIEW)
    if under is not None:
        qs = qs.filter(place_path__prefix=under.path)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("grid").order_by("place_path", "name", "id")


def hazard_get(*, user: Any, pk: int) -> HazardPoint:
    return HazardPoint.objects.select_related("grid").get_visible(user, Perm.GRID_VIEW, pk=pk)


def hazard_layer(place: Place, user: Any) -> riskcard.MapLayer:
    """The active hazard points with coordinates as a map layer (one query), linked to their grid's card."""
    rows = (hazard_points(user=user, under=place).filter(latitude__isnull=False)
            .values_list("name", "kind", "location", "monitor_name", "latitude", "longitude", "grid__code"))
    kinds = dict(HazardKind.choices)
    return riskcard.MapLayer(key="hazards", label=str(_("隐患点")), colour=HAZARD_COLOUR, points=[
        riskcard.MapPoint(lat=float(lat), lng=float(lng), title=f"{kinds.get(kind, kind)}：{name}",
                          lines=(location, f"{_('监测人')}：{monitor}"), url=reverse("grid_card", args=[code]))
        for name, kind, location, monitor, lat, lng, code in rows])


def _mask(name: str) -> str:
    from shanzhi.core.identity import mask_name

    return mask_name(name)


def risk_card(*, user: Any, grid: Place) -> dict[str, Any]:
    """基层网格风险卡片 (G5): the grid's households and residents (its micro-grids included), how many persons carry
    each special-group tag (one aggregate query over ``tag_bits``), its staff, the assistants of its micro-grids
    (G6), its active hazard points, and what other apps contribute through ``riskcard`` (open events from the
    events app; disputes and warnings later). A fixed number of queries whatever the size of the grid."""
    persons = Person.objects.visible_to(user, Perm.PEOPLE_VIEW).filter(place_path__prefix=grid.path)
    households = Household.objects.visible_to(user, Perm.PEOPLE_VIEW).filter(place_path__prefix=grid.path,
                                                                              is_active=True)
    # Sum of (tag_bits AND bit) is bit × the number of persons with the tag: one query for all tags.
    aggregates = {f"t_{tag}": Sum(F("tag_bits").bitand(bit)) for tag, bit in TAG_BITS.items()}
    counts = persons.aggregate(total=Count("id"), **aggregates)
    labels = dict(PersonTag.choices)
    tags = [{"tag": tag, "label": str(labels[tag]), "count": (counts[f"t_{tag}"] or 0) // bit}
            for tag, bit in TAG_BITS.items()]
    staff = (GridStaffPost.objects.visible_to(user, Perm.GRID_VIEW).filter(place=grid, term_end__isnull=True)
             .order_by("post", "id"))
    assistants = (VillageAssistant.objects.visible_to(user, Perm.GRID_VIEW)
                  .filter(place_path__prefix=grid.path, ended_on__isnull=True).select_related("microgrid")
                  .order_by("place_path"))
    return {"households": households.count(), "persons": counts["total"], "tags": tags, "staff": list(staff),
            "assistants": list(assistants), "hazards": list(hazard_points(user=user, under=grid)),
            "sections": riskcard.card_sections(grid, user)}

"""Reading grids (domain.md G1, G5): the grid list, the map data and the grid risk card. Every read starts from
``visible_to(user, Perm.GRID_VIEW)``; households and persons additionally from ``Perm.PEOPLE_VIEW``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.people.choices import PersonTag
from shanzhi.people.models import TAG_BITS, Household, Person
from shanzhi.regions.models import Place

from .grid_choices import GRID_LEVELS, GRID_TYPE_COLOURS, GridType
from .models import GridProfile, GridStaffPost

MAP_LEVELS = ("township", "village")
MAP_HOUSEHOLDS_MAX = 5000


def grid_list(*, user: Any, under: Place | None = None, q: str = "") -> QuerySet[Place]:
    """Grids and micro-grids in the user's scope with their profile and the number of households in them."""
    qs = Place.objects.visible_to(user, Perm.GRID_VIEW).filter(level__in=GRID_LEVELS, is_active=True)
    if under is not None:
        qs = qs.filter(path__prefix=under.path)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return (qs.select_related("grid_profile", "parent")
            .annotate(household_count=Count("households", filter=Q(households__is_active=True)))
            .order_by("path"))


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
    return {"place": {"code": place.code, "name": place.name, "level": place.level},
            "tile_url": settings.MAP_TILE_URL, "grids": grids, "households": points,
            "truncated": len(rows) > MAP_HOUSEHOLDS_MAX,
            "legend": [{"type": t.value, "label": str(t.label), "colour": GRID_TYPE_COLOURS[t]} for t in GridType]}


def _mask(name: str) -> str:
    from shanzhi.core.identity import mask_name

    return mask_name(name)


def risk_card(*, user: Any, grid: Place) -> dict[str, Any]:
    """基层网格风险卡片 (G5): the grid's households and residents, and how many persons carry each special-group
    tag (one aggregate query over ``tag_bits``). Hazard points and open events join the card once the events
    app provides them; nothing is shown for what is not recorded."""
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
    return {"households": households.count(), "persons": counts["total"], "tags": tags, "staff": list(staff)}


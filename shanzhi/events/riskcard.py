"""The events' part of the grid risk card and map (domain.md G5 基层网格风险卡片, G3 events), registered with
``shanzhi.grid.riskcard`` when the app is ready: the grid's open events counted by state and overdue, the most
urgent listed with a link each and a link to the event list; and the open events as a layer of the grid map.
Both read through ``events_visible`` with the user, so a user sees on the card only what the event pages would
show them. Disputes will join the card from the mediation app through the same registry."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.access.roles import Perm
from shanzhi.grid import riskcard
from shanzhi.regions.models import Place

from .map import open_events_on_map
from .selectors import events_visible
from .workflow import ASSIGNED, EVENT, HANDLING, OPEN_STATES, REPORTED

CARD_ROWS = 10
EVENT_COLOUR = "#7c3aed"


def open_events_section(grid: Place, user: Any) -> riskcard.CardSection | None:
    """未办结事件 of the grid and its micro-grids: two queries (the counts, the first rows)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_at(Perm.EVENT_VIEW, grid.path):
        return None
    qs = events_visible(user=user).filter(
        place_path__prefix=grid.path, state__in=OPEN_STATES, merged_into__isnull=True
    )
    counts = qs.aggregate(
        total=Count("id"),
        reported=Count("id", filter=Q(state=REPORTED)),
        assigned=Count("id", filter=Q(state=ASSIGNED)),
        handling=Count("id", filter=Q(state=HANDLING)),
        overdue=Count("id", filter=Q(is_overdue=True)),
    )
    rows = []
    if counts["total"]:
        for event in qs.select_related("matter", "place").order_by("-is_overdue", "-reported_at", "-id")[
            :CARD_ROWS
        ]:
            rows.append(
                riskcard.CardRow(
                    cells=(
                        event.number or "",
                        event.matter.name,
                        event.place.name,
                        EVENT.state_label(event.state),
                        _("已超期") if event.is_overdue else "",
                    ),
                    url=reverse("event_detail", args=[event.pk]),
                    level="danger" if event.is_overdue else "",
                )
            )
    return riskcard.CardSection(
        key="events",
        title=_("未办结事件"),
        order=10,
        figures=(
            (_("合计"), counts["total"], ""),
            (EVENT.state_label(REPORTED), counts["reported"], ""),
            (EVENT.state_label(ASSIGNED), counts["assigned"], ""),
            (EVENT.state_label(HANDLING), counts["handling"], ""),
            (_("已超期"), counts["overdue"], "danger" if counts["overdue"] else ""),
        ),
        columns=(_("事件编号"), _("事项"), _("事发地"), _("状态"), ""),
        rows=tuple(rows),
        more=max(0, counts["total"] - len(rows)),
        link_url=reverse("event_list"),
        link_label=_("事件列表"),
        empty=_("本网格没有未办结的事件。"),
    )


def open_events_layer(place: Place, user: Any) -> riskcard.MapLayer | None:
    """未办结事件 as map markers (masked: number, matter, state, link — no reporter)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm_at(Perm.EVENT_VIEW, place.path):
        return None
    points, truncated = open_events_on_map(user=user, path=place.path)
    return riskcard.MapLayer(
        key="events",
        label=_("未办结事件"),
        colour=EVENT_COLOUR,
        truncated=truncated,
        points=[
            riskcard.MapPoint(
                lat=p["lat"],
                lng=p["lng"],
                title=f"{p['number']} {p['matter']}",
                lines=(p["state"], _("已超期") if p["overdue"] else ""),
                url=p["url"],
                level="danger" if p["overdue"] else "",
            )
            for p in points
        ],
    )


riskcard.register(open_events_section)
riskcard.register_map_layer(open_events_layer)

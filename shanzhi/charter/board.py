"""村务公开栏 (domain.md A4): a village's public board in its four sections, and the township's view of how often
each village discloses against what the law requires.

The law (村民委员会组织法 art. 30; GB/T 40088-2021): finances are disclosed monthly where transactions are
frequent, everything else at least quarterly. A village that has ever published a financial statement is
treated as one with frequent transactions (monthly); one that has not is held to the quarterly rule. A period's
disclosure may appear during the next period: a monthly section is overdue when nothing appeared since the
first day of the previous month, a quarterly one when nothing appeared since the first day of the previous
quarter. A section that no kind of publication belongs to yet (党务 today) is shown as not tracked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.home import ActionItem
from shanzhi.core.scoping import path_q
from shanzhi.publication import clock
from shanzhi.publication.choices import BOARD_SECTION, BoardSection, PublicationStatus
from shanzhi.publication.models import Publication
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

BOARD_STATUSES = (PublicationStatus.PUBLISHED, PublicationStatus.CLOSED, PublicationStatus.SUPERSEDED)
LIVE = (PublicationStatus.PUBLISHED, PublicationStatus.CLOSED)
MONTHLY, QUARTERLY = "monthly", "quarterly"


def kinds_of(section: str) -> list[str]:
    return [str(kind) for kind, s in BOARD_SECTION.items() if s == section]


def tracked_sections() -> list[str]:
    return [s for s in BoardSection.values if kinds_of(s)]


def board_publications(*, village: Place, section: str = "", q: str = "") -> QuerySet[Publication]:
    """Every current and past publication on the village's board (withdrawn ones excepted), newest first,
    narrowed to a section and by title."""
    qs = Publication.objects.filter(village=village, status__in=BOARD_STATUSES)
    if section in BoardSection.values:
        qs = qs.filter(kind__in=kinds_of(section))
    if q:
        qs = qs.filter(title__contains=q[:50])
    return qs.only("id", "public_id", "kind", "title", "starts_on", "ends_on", "status", "published_at",
                   "village_id").order_by("-published_at", "-id")


def previous_month_start(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def previous_quarter_start(today: dt.date) -> dt.date:
    q_first_month = 3 * ((today.month - 1) // 3) + 1
    first = dt.date(today.year, q_first_month, 1)
    prev_last = first - dt.timedelta(days=1)
    return dt.date(prev_last.year, 3 * ((prev_last.month - 1) // 3) + 1, 1)


@dataclass
class SectionState:
    section: str
    label: str
    tracked: bool
    frequency: str = ""  # MONTHLY / QUARTERLY
    latest: dt.date | None = None
    due_since: dt.date | None = None  # a publication on or after this date keeps the section current
    overdue: bool = False

    @property
    def frequency_label(self) -> str:
        return {MONTHLY: "按月", QUARTERLY: "按季度"}.get(self.frequency, "")


@dataclass
class VillageDisclosure:
    village: Place
    sections: list[SectionState] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(s.overdue for s in self.sections)

    @property
    def overdue_labels(self) -> list[str]:
        return [s.label for s in self.sections if s.overdue]


def overview_villages(*, user: Any) -> QuerySet[Place]:
    paths = user.scope_paths(Perm.AFFAIRS_VIEW) if user.is_authenticated else []
    if not paths:
        return Place.objects.none()
    return Place.objects.filter(path_q("path", paths), level=Level.VILLAGE, is_active=True).order_by("path")


def disclosure_states(villages: list[Place], *, today: dt.date | None = None) -> list[VillageDisclosure]:
    """Each village's sections against the rule above, from one grouped query over the villages' boards (and
    one for the villages' set finance frequency)."""
    today = today or clock.today()
    latest: dict[tuple[int, str], dt.date] = {}
    if villages:
        rows = (Publication.objects.filter(village__in=[v.pk for v in villages], status__in=LIVE)
                .values("village_id", "kind").annotate(latest=Max("starts_on")).order_by())
        for r in rows:
            latest[(r["village_id"], r["kind"])] = r["latest"]
    from shanzhi.finance.selectors import disclosure_frequencies

    # A village keeping its books here discloses finances as its ledger says (monthly or quarterly); otherwise
    # monthly once it has published finances at all (frequent transactions), quarterly before.
    set_frequency = disclosure_frequencies(village_ids=[v.pk for v in villages]) if villages else {}
    month_due, quarter_due = previous_month_start(today), previous_quarter_start(today)
    out = []
    for v in villages:
        states = []
        for section, label in BoardSection.choices:
            kinds = kinds_of(section)
            if not kinds:
                states.append(SectionState(section, str(label), tracked=False))
                continue
            dates = [latest[(v.pk, k)] for k in kinds if (v.pk, k) in latest]
            last = max(dates) if dates else None
            if section == BoardSection.FINANCE and v.pk in set_frequency:
                frequency = MONTHLY if set_frequency[v.pk] == MONTHLY else QUARTERLY
            else:
                frequency = MONTHLY if section == BoardSection.FINANCE and last is not None else QUARTERLY
            due = month_due if frequency == MONTHLY else quarter_due
            states.append(SectionState(section, str(label), tracked=True, frequency=frequency, latest=last,
                                       due_since=due, overdue=last is None or last < due))
        out.append(VillageDisclosure(village=v, sections=states))
    return out


def overdue_village_count(*, user: Any) -> int:
    """Villages under the townships (or counties) where the user watches the boards that are overdue in a
    section. Three queries: the villages, their latest publication per kind, their finance frequency."""
    paths = [p for p in (user.scope_paths(Perm.AFFAIRS_VIEW) if user.is_authenticated else []) if 6 <= len(p) <= 9]
    if not paths:
        return 0
    villages = list(Place.objects.filter(path_q("path", paths), level=Level.VILLAGE, is_active=True)
                    .only("id", "path", "name", "code"))
    return sum(1 for d in disclosure_states(villages) if d.overdue)



def home_items(user: Any) -> list[ActionItem]:
    """Home-page provider (A4): for township (or county) staff watching the boards, the villages overdue in a
    section, linking to the overview filtered to them. Three indexed queries; nothing for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return []
    count = overdue_village_count(user=user)
    if not count:
        return []
    return [ActionItem(title="村务公开逾期的村", count=count, url=reverse("board_overview") + "?overdue=1",
                       hint="党务、村务、财务、事务按期公开", level="warning")]

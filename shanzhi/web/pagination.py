"""Pagination that stays fast at county scale: it fetches one row more than a page to know whether
there is a next page, and counts at most ``COUNT_CAP`` rows (shown as "10000+"), so a list of
730,000 persons costs the same as a list of 30."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

COUNT_CAP = 10_000
DEFAULT_PER_PAGE = 50


@dataclass
class Page:
    object_list: list[Any]
    number: int
    per_page: int
    has_next: bool
    count: int
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def num_pages(self) -> int | None:
        if self.count_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def count_display(self) -> str:
        return f"{self.count}+" if self.count_capped else str(self.count)

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(raw: Any) -> int:
    try:
        return max(1, min(int(raw), 100_000))
    except (TypeError, ValueError):
        return 1


def paginate(request: Any, queryset: QuerySet, per_page: int = DEFAULT_PER_PAGE) -> Page:
    number = page_number(request.GET.get("page"))
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if number == 1 and not has_next:
        count, capped = len(rows), False
    else:
        capped_count = queryset.order_by()[: COUNT_CAP + 1].count()
        count, capped = min(capped_count, COUNT_CAP), capped_count > COUNT_CAP
    return Page(object_list=rows, number=number, per_page=per_page, has_next=has_next, count=count, count_capped=capped)

from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from shanzhi.web.pagination import COUNT_CAP


class Pagination(LimitOffsetPagination):
    """limit/offset without an unbounded COUNT: ``count`` stops at 10,000 (``count_capped`` says so)."""

    default_limit = 50
    max_limit = 500

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list:
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.request = request
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        capped = queryset.order_by()[: COUNT_CAP + 1].count()
        self.count, self.count_capped = min(capped, COUNT_CAP), capped > COUNT_CAP
        return rows[: self.limit]

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        from rest_framework.utils.urls import replace_query_param

        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"count": self.count, "count_capped": self.count_capped, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count_capped"] = {"type": "boolean"}
        return base

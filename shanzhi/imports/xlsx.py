"""Excel out (F8): any filtered list exports to xlsx. Cells that would start a formula
(= + - @, and tab / carriage return) are neutralised with a leading apostrophe (CSV/formula injection)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_ROW_LIMIT = 100_000


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def workbook_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "导出") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append([safe_cell(h) for h in headers])
    for i, row in enumerate(rows):
        if i >= EXPORT_ROW_LIMIT:
            break
        ws.append([safe_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "导出") -> HttpResponse:
    response = HttpResponse(workbook_bytes(headers, rows, title=title), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_rows(request: Any, qs: Any, *, perm: str, event: str, what: str, narrow: bool = True) -> Iterable[Any]:
    """A filtered list narrowed to where the user holds ``perm`` (a grid chief who is also a county mediator
    views the county but exports only their village), with the export audited with its filters. ``narrow``
    False: the list's own scope already is the export scope (a household move is seen by both villages)."""
    from shanzhi.audit.services import AuditAction, audit_record
    from shanzhi.core.errors import PermissionDenied
    from shanzhi.core.scoping import path_q

    paths = request.user.scope_paths(perm)
    if not paths:
        raise PermissionDenied("您没有导出的权限。")
    audit_record(actor=request.user, action=AuditAction.EXPORT, event=event, object_type=qs.model._meta.label_lower,
                 detail=f"导出{what}（条件：{request.GET.urlencode()}）")
    if narrow:
        qs = qs.filter(path_q(getattr(qs.model, "SCOPE_FIELD", "place_path"), paths))
    return qs.iterator(chunk_size=2000)

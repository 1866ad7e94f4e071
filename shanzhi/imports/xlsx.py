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

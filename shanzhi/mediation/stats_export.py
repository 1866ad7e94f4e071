"""The monthly report as an Excel workbook in the layout reported upward (人民调解工作统计表): a title, the
reporting unit and period, then rows = dispute types (合计 first), columns = received, accepted (调解), settled,
success rate, failed, refused, withdrawn, agreements, amount involved, amount settled, average days; a second
sheet by source, a third by organisation. The export is audited."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from shanzhi.audit.models import AuditAction
from shanzhi.audit.services import audit_record
from shanzhi.imports.xlsx import safe_cell

from . import stats

COLUMNS = ["纠纷类型", "受理（收案）", "调解", "调解成功", "调解成功率", "调解不成", "当事人拒绝调解", "撤回/不予受理", "在办",
           "书面调解协议", "涉及金额（元）", "达成协议金额（元）", "平均用时（天）"]
EXPORT_ORGS_MAX = 2000
THIN = Side(style="thin", color="999999")


def _line(label: str, r: stats.Row) -> list[Any]:
    return [label, r.received, r.accepted, r.settled, r.success_pct, r.failed, r.refused, r.withdrawn, r.open,
            r.agreements, float(r.amount), float(r.amount_settled), round(r.avg_days, 1) if r.avg_days is not None else "—"]


def _sheet(wb: Workbook, title: str, heading: str, report: stats.Report, first: str, rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title=title[:31])
    width = len(COLUMNS)
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位：{report.place.name}", "", "", "", "", "", "", "", "", f"统计期间：{report.period.label}"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)
    ws.append([first, *COLUMNS[1:]])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=width):
        for cell in row:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            if cell.row == 3:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.column_dimensions["A"].width = 22
    for i in range(2, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 12
    ws.freeze_panes = "B4"


def report_workbook(*, acting_user: Any, report: stats.Report, organisations: list[stats.Row]) -> bytes:
    audit_record(actor=acting_user, action=AuditAction.EXPORT, event="mediation_stats_export",
                 object_type="mediation.case", place_path=report.place.path,
                 detail=f"导出人民调解工作统计表（{report.place.name} {report.period.label}）")
    wb = Workbook()
    wb.remove(wb.active)
    heading = "人民调解工作统计表"
    _sheet(wb, "按纠纷类型", heading, report, "纠纷类型",
           [_line("合计", report.total)] + [_line(r.label, r) for r in report.types])
    _sheet(wb, "按案件来源", f"{heading}（按案件来源）", report, "案件来源", [_line(r.label, r) for r in report.sources])
    _sheet(wb, "按调解组织", f"{heading}（按调解组织）", report, "调解组织",
           [_line(r.label, r) for r in organisations[:EXPORT_ORGS_MAX]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

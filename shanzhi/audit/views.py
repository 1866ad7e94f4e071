from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shanzhi.access.roles import Perm
from shanzhi.imports.xlsx import xlsx_response
from shanzhi.web.pagination import paginate

from .models import AuditAction, AuditEntry
from .services import audit_record


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_entries(*, user, params) -> tuple:
    qs = AuditEntry.objects.visible_to(user, Perm.AUDIT_VIEW)
    f = {k: (params.get(k) or "").strip() for k in ["actor", "action", "event", "object", "start", "end", "failed"]}
    if f["actor"]:
        qs = qs.filter(actor_name__contains=f["actor"])
    if f["action"]:
        qs = qs.filter(action=f["action"])
    if f["event"]:
        qs = qs.filter(event=f["event"])
    if f["object"]:
        qs = qs.filter(object_repr__contains=f["object"])
    start, end = _date(f["start"]), _date(f["end"])
    if start:
        qs = qs.filter(at__date__gte=start)
    if end:
        qs = qs.filter(at__date__lte=end)
    if f["failed"]:
        qs = qs.filter(success=False)
    return qs.order_by("-at", "-id"), f


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    qs, f = audit_entries(user=request.user, params=request.GET)
    if not request.user.has_perm_anywhere(Perm.AUDIT_VIEW):
        from shanzhi.core.errors import NotFound

        raise NotFound()
    if request.GET.get("export") == "xlsx":
        audit_record(actor=request.user, action=AuditAction.EXPORT, event="audit_export", object_type="audit.auditentry",
                     detail=f"导出审计日志（条件：{request.GET.urlencode()}）")
        rows = ([e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.get_action_display(), e.event, e.object_type,
                 e.object_repr, "成功" if e.success else "失败", e.detail, e.ip, e.request_id]
                for e in qs.iterator(chunk_size=2000))
        return xlsx_response(f"审计日志-{dt.date.today():%Y%m%d}.xlsx",
                             ["时间", "操作人", "操作", "事项", "对象类型", "对象", "结果", "说明", "IP", "请求编号"], rows, title="审计日志")
    return render(request, "audit/list.html", {"page_obj": paginate(request, qs), "f": f, "actions": AuditAction.choices})

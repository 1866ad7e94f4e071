from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.web.pagination import paginate

from . import selectors, services
from .people import COLUMNS, MAX_ROWS, people_template
from .xlsx import XLSX_TYPE, xlsx_response

ERRORS_SHOWN = 1000


def _require_import(request: HttpRequest) -> None:
    if not request.user.has_perm_anywhere(Perm.PEOPLE_IMPORT):
        raise NotFound()


@login_required
@require_http_methods(["GET", "POST"])
def import_index(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要导入的 Excel 文件。"
        else:
            job = services.people_import(acting_user=request.user, upload=upload)
            return redirect("import_detail", pk=job.pk)
    return render(request, "imports/index.html", {
        "page_obj": paginate(request, selectors.import_job_list(user=request.user)),
        "error": error, "columns": COLUMNS, "max_rows": MAX_ROWS,
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    })


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    response = HttpResponse(people_template(user=request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('人口台账导入模板.xlsx')}"
    return response


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_detail(user=request.user, pk=pk)
    errors = job.errors or []
    return render(request, "imports/detail.html", {
        "job": job, "errors": errors[:ERRORS_SHOWN], "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "bad_rows": len({e.get("row") for e in errors if e.get("row")}),
    })


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """Every error of a refused import as a sheet, to work through beside the original file."""
    job = selectors.import_job_detail(user=request.user, pk=pk)
    rows = ([e.get("row") or "", e.get("column") or "", e.get("message") or ""] for e in job.errors or [])
    return xlsx_response(f"导入错误-{job.pk}-{dt.date.today():%Y%m%d}.xlsx", ["行号", "列", "原因"], rows, title="错误")

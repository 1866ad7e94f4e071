"""The standard forms of a mediation case as PDF (domain.md M4/M5; 司法部 人民调解文书格式): 受理登记表, 权利义务告知书,
调解记录, 调解协议书 (art. 29), 回访记录 and 卷宗封面 — A4, Noto CJK embedded by WeasyPrint, rendered from the case
data; data: URLs only (``publication.pdf.data_only_fetcher``)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.timezone import localtime

from shanzhi.core.errors import NotFound
from shanzhi.publication.pdf import data_only_fetcher

from . import documents, services
from .choices import DocumentKind, PartyRole
from .models import Agreement, Case

FORMS = {
    DocumentKind.APPLICATION: ("mediation/pdf/application.html", "人民调解申请书及受理登记表"),
    DocumentKind.RIGHTS_NOTICE: ("mediation/pdf/rights_notice.html", "人民调解权利义务告知书"),
    DocumentKind.RECORD: ("mediation/pdf/record.html", "人民调解记录"),
    DocumentKind.AGREEMENT: ("mediation/pdf/agreement.html", "人民调解协议书"),
    DocumentKind.RETURN_VISIT: ("mediation/pdf/return_visit.html", "人民调解回访记录"),
    DocumentKind.COVER: ("mediation/pdf/cover.html", "人民调解卷宗"),
}


def available(case: Case) -> list[tuple[str, str]]:
    """The forms this case can print now (kind, title)."""
    out = [(DocumentKind.APPLICATION, FORMS[DocumentKind.APPLICATION][1])]
    if case.informed_at:
        out.append((DocumentKind.RIGHTS_NOTICE, FORMS[DocumentKind.RIGHTS_NOTICE][1]))
    if case.sessions.exists():
        out.append((DocumentKind.RECORD, FORMS[DocumentKind.RECORD][1]))
    if Agreement.objects.filter(case=case).exists():
        out.append((DocumentKind.AGREEMENT, FORMS[DocumentKind.AGREEMENT][1]))
    if case.visits.exists():
        out.append((DocumentKind.RETURN_VISIT, FORMS[DocumentKind.RETURN_VISIT][1]))
    out.append((DocumentKind.COVER, FORMS[DocumentKind.COVER][1]))
    return out


def form_html(case: Case, kind: str) -> str:
    if kind not in dict(available(case)):
        raise NotFound("该案件暂无此文书。")
    template, title = FORMS[kind]
    parties = list(case.parties.all())
    agreement = Agreement.objects.filter(case=case).first()
    ctx = {
        "case": case, "title": title, "org": case.organisation, "parties": parties,
        "applicants": [p for p in parties if p.role == PartyRole.APPLICANT],
        "respondents": [p for p in parties if p.role == PartyRole.RESPONDENT],
        "sessions": list(case.sessions.select_related("recorded_by")), "agreement": agreement,
        "visits": list(case.visits.select_related("visitor")), "checklist": documents.checklist(case),
        "received": localtime(case.received_at), "accepted": localtime(case.accepted_at) if case.accepted_at else None,
        "closed": localtime(case.closed_at) if case.closed_at else None,
        "mediators": "、".join(m.name for m in (case.mediator, case.co_mediator) if m),
        "judicial_window": services.judicial_window(agreement) if agreement else None,
    }
    return render_to_string(template, ctx)


def form_pdf(case: Case, kind: str) -> bytes:
    from weasyprint import HTML  # late: loading Pango is slow and only the PDF needs it

    return HTML(string=form_html(case, kind), url_fetcher=data_only_fetcher()).write_pdf()


def form_filename(case: Case, kind: str) -> str:
    return f"{case.number}-{FORMS[kind][1]}.pdf"

"""一案一卷 (domain.md M5): which documents a case file must hold and which it holds, and the generated forms.

A document is *present* when the system holds what it records (the registration, the notice given, the sessions,
the return visits: the forms are generated from them) or, for papers that need signatures or come from outside
(the signed agreement, identity papers), when a scan has been uploaded. Identity papers count as present when
every party was taken from the population registry (identity already verified there)."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import DocumentKind, Result

# Forms the system renders as PDF (``pdf.py``), in file order.
GENERATED = (DocumentKind.APPLICATION, DocumentKind.RIGHTS_NOTICE, DocumentKind.RECORD, DocumentKind.AGREEMENT,
             DocumentKind.RETURN_VISIT, DocumentKind.COVER)

REQUIRED_SETTLED = (DocumentKind.APPLICATION, DocumentKind.RIGHTS_NOTICE, DocumentKind.IDENTITY,
                    DocumentKind.INVESTIGATION, DocumentKind.RECORD, DocumentKind.AGREEMENT,
                    DocumentKind.RETURN_VISIT)
REQUIRED_FAILED = (DocumentKind.APPLICATION, DocumentKind.RIGHTS_NOTICE, DocumentKind.IDENTITY,
                   DocumentKind.INVESTIGATION, DocumentKind.RECORD)
OPTIONAL = (DocumentKind.EVIDENCE, DocumentKind.PERFORMANCE, DocumentKind.JUDICIAL, DocumentKind.OTHER)


@dataclass(frozen=True)
class Item:
    kind: str
    label: str
    required: bool
    present: bool
    how: str  # how it is present or what is needed
    uploads: int
    generated: bool


def required_kinds(case) -> tuple[str, ...]:  # noqa: ANN001
    return REQUIRED_FAILED if case.result == Result.FAILED else REQUIRED_SETTLED


def checklist(case) -> list[Item]:  # noqa: ANN001
    """The case file's list: each required and optional document, present or missing, and how."""
    uploads: dict[str, int] = {}
    for kind in case.documents.values_list("kind", flat=True):
        uploads[kind] = uploads.get(kind, 0) + 1
    parties = list(case.parties.all())
    has_sessions = case.sessions.exists()
    has_visits = case.visits.exists()
    required = set(required_kinds(case))
    out = []
    for kind in (*REQUIRED_SETTLED, *OPTIONAL):
        n = uploads.get(kind, 0)
        if kind == DocumentKind.APPLICATION:
            present, how = True, "系统生成（受理登记表）"
        elif kind == DocumentKind.RIGHTS_NOTICE:
            present, how = bool(case.informed_at), "系统生成" if case.informed_at else "尚未告知权利义务"
        elif kind == DocumentKind.IDENTITY:
            all_registry = bool(parties) and all(p.person_id for p in parties)
            present = n > 0 or all_registry
            how = f"已上传 {n} 份" if n else ("当事人均经人口库核验" if all_registry else "须上传当事人身份证明")
        elif kind == DocumentKind.INVESTIGATION:
            present = bool(case.investigation) or n > 0
            how = "已记录调查核实情况" if case.investigation else (f"已上传 {n} 份" if n else "尚未调查核实")
        elif kind == DocumentKind.RECORD:
            present, how = has_sessions, "系统生成" if has_sessions else "尚无调解记录"
        elif kind == DocumentKind.AGREEMENT:
            present = n > 0
            how = f"已上传签署件 {n} 份" if n else "须上传各方签字、调委会盖章的协议书扫描件"
        elif kind == DocumentKind.RETURN_VISIT:
            present, how = has_visits, "系统生成" if has_visits else "尚未回访"
        else:
            present, how = n > 0, f"已上传 {n} 份" if n else "（如有）"
        out.append(Item(kind=kind, label=str(DocumentKind(kind).label), required=kind in required and
                        case.result in (Result.SETTLED, Result.FAILED, ""), present=present, how=how, uploads=n,
                        generated=kind in GENERATED))
    return out

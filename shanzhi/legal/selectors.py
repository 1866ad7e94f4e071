"""Reading the public legal services (domain.md M7). Advisers see the consultations and applications of the
villages where they hold ``legal.answer``; an asker or applicant always sees their own; the library is open to
anyone holding a legal or mediation permission anywhere. Everything else is NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound
from shanzhi.core.home import ActionItem

from .choices import ApplicationKind, ApplicationStatus, ConsultationStatus
from .models import Consultation, ExemplaryCase, LawArticle, LegalApplication

LIBRARY_PERMS = (Perm.LEGAL_ASK, Perm.LEGAL_ANSWER, Perm.MEDIATION_VIEW)


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def consultations_to_answer(*, user: Any) -> QuerySet[Consultation]:
    return Consultation.objects.visible_to(user, Perm.LEGAL_ANSWER)


def consultations_visible(*, user: Any) -> QuerySet[Consultation]:
    if not _signed_in(user):
        return Consultation.objects.none()
    return consultations_to_answer(user=user) | Consultation.objects.filter(asker_id=user.pk)


def consultation_detail(*, user: Any, pk: int) -> Consultation:
    try:
        return consultations_visible(user=user).select_related("place", "asker", "adviser", "answered_by").get(pk=pk)
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise NotFound()


@dataclass(frozen=True)
class QueueFilters:
    status: str = ConsultationStatus.OPEN
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> QueueFilters:
        status = data.get("status", ConsultationStatus.OPEN)
        return cls(status=status if status in ConsultationStatus.values or status == "all" else ConsultationStatus.OPEN,
                   q=(data.get("q") or "").strip()[:50])


def consultation_queue(*, user: Any, filters: QueueFilters) -> QuerySet[Consultation]:
    """The adviser's queue: open questions of their villages, oldest first (first asked, first answered)."""
    qs = consultations_to_answer(user=user).select_related("place", "asker", "adviser")
    if filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(question__icontains=filters.q)
    return qs.order_by("asked_at", "id") if filters.status == ConsultationStatus.OPEN else qs.order_by("-asked_at", "-id")


def my_consultations(*, user: Any) -> QuerySet[Consultation]:
    if not _signed_in(user):
        return Consultation.objects.none()
    return Consultation.objects.filter(asker_id=user.pk).select_related("place").order_by("-asked_at", "-id")


def applications_to_handle(*, user: Any) -> QuerySet[LegalApplication]:
    return LegalApplication.objects.visible_to(user, Perm.LEGAL_ANSWER)


def applications_visible(*, user: Any) -> QuerySet[LegalApplication]:
    if not _signed_in(user):
        return LegalApplication.objects.none()
    return applications_to_handle(user=user) | LegalApplication.objects.filter(applicant_id=user.pk)


def application_detail(*, user: Any, pk: int) -> LegalApplication:
    try:
        return applications_visible(user=user).select_related("place", "applicant", "handled_by").get(pk=pk)
    except (LegalApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound()


@dataclass(frozen=True)
class ApplicationFilters:
    kind: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, data: Any) -> ApplicationFilters:
        kind, status = data.get("kind", ""), data.get("status", "")
        return cls(kind=kind if kind in ApplicationKind.values else "",
                   status=status if status in ApplicationStatus.values else "")


def application_list(*, user: Any, filters: ApplicationFilters) -> QuerySet[LegalApplication]:
    qs = applications_to_handle(user=user).select_related("place", "applicant")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-submitted_at", "-id")


def my_applications(*, user: Any) -> QuerySet[LegalApplication]:
    if not _signed_in(user):
        return LegalApplication.objects.none()
    return LegalApplication.objects.filter(applicant_id=user.pk).order_by("-submitted_at", "-id")


# --- the library -------------------------------------------------------------------------------------------


def may_read_library(user: Any) -> bool:
    return _signed_in(user) and any(user.has_perm_anywhere(p) for p in LIBRARY_PERMS)


def may_write_library(user: Any) -> bool:
    return _signed_in(user) and (user.has_perm_anywhere(Perm.LEGAL_ANSWER)
                                 or user.has_perm_anywhere(Perm.MEDIATION_MANAGE))


def exemplary_cases(*, user: Any, q: str = "", dispute_type: str = "") -> QuerySet[ExemplaryCase]:
    """The case library (anonymised when written, so open to every reader of the library)."""
    if not may_read_library(user):
        return ExemplaryCase.objects.none()
    qs = ExemplaryCase.objects.select_related("place")
    if dispute_type:
        qs = qs.filter(dispute_type=dispute_type)
    for word in q.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(laws_cited__icontains=word))
    return qs.order_by("-created_at", "-id")


def exemplary_case_detail(*, user: Any, pk: int) -> ExemplaryCase:
    try:
        return exemplary_cases(user=user).get(pk=pk)
    except (ExemplaryCase.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def law_articles(*, user: Any, q: str = "", law: str = "") -> QuerySet[LawArticle]:
    """The law library: filter by law; words match the law's title or the article's text; "第十七条" or "17"
    finds the article by number."""
    if not may_read_library(user):
        return LawArticle.objects.none()
    qs = LawArticle.objects.all()
    if law:
        qs = qs.filter(law=law)
    for word in q.split()[:5]:
        number = _article_number(word)
        cond = Q(law__icontains=word) | Q(text__icontains=word)
        if number:
            cond |= Q(number=number)
        qs = qs.filter(cond)
    return qs.order_by("law", "number")


def _article_number(word: str) -> int | None:
    from .anonymise import chinese_numeral

    word = word.strip()
    if word.isdigit():
        return int(word)
    if word.startswith("第") and word.endswith("条"):
        inner = word[1:-1]
        if inner.isdigit():
            return int(inner)
        for n in range(1, 2001):
            if chinese_numeral(n) == inner:
                return n
    return None


def laws(*, user: Any) -> list[str]:
    if not may_read_library(user):
        return []
    return list(LawArticle.objects.order_by("law").values_list("law", flat=True).distinct())


def dispute_types(*, user: Any) -> list[str]:
    if not may_read_library(user):
        return []
    return list(ExemplaryCase.objects.order_by("dispute_type").values_list("dispute_type", flat=True).distinct())


# --- home page -----------------------------------------------------------------------------------------------


def home_items(user: Any) -> list[ActionItem]:
    """Open questions and submitted applications waiting for an adviser; an asker's fresh answers."""
    if not _signed_in(user):
        return []
    items = []
    if user.has_perm_anywhere(Perm.LEGAL_ANSWER):
        n = consultations_to_answer(user=user).filter(status=ConsultationStatus.OPEN).count()
        if n:
            items.append(ActionItem(title="法律咨询待解答", count=n, url=reverse("legal_queue")))
        n = applications_to_handle(user=user).filter(status__in=(ApplicationStatus.SUBMITTED,
                                                                ApplicationStatus.ACCEPTED)).count()
        if n:
            items.append(ActionItem(title="法律援助、公证申请待办理", count=n, url=reverse("legal_applications"),
                                    level="warning"))
    return items

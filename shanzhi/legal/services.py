"""Writing the public legal services (domain.md M7): a villager's question and the adviser's answer, legal-aid
and notarisation applications with their states, and the library of exemplary cases and laws.

Each service validates everything before it writes, writes the audit entry in the same transaction, and sends
inbox messages (which go out with the transaction). Out of scope is NotFound, like a missing record; a record
in the wrong state is a Conflict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.timezone import localtime, now

from shanzhi.access.models import RoleAssignment
from shanzhi.access.roles import Perm, Role
from shanzhi.audit.models import AuditAction
from shanzhi.audit.services import audit_record, snapshot
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.core.identity import validate_phone
from shanzhi.files.choices import AttachmentKind
from shanzhi.files.services import attachment_create
from shanzhi.notify.services import notify_users
from shanzhi.regions.choices import SIGNIFICANT, Level
from shanzhi.regions.models import Place, path_prefixes

from . import selectors
from .anonymise import anonymise, identifying_text
from .choices import AID_MATTERS, NOTARY_MATTERS, ApplicationKind, ApplicationStatus, ConsultationStatus
from .models import Consultation, ExemplaryCase, LawArticle, LegalApplication

QUESTION_MAX = 1000
ANSWER_MAX = 2000
FACTS_MAX = 2000
REASON_MAX = 400
PHOTOS_MAX = 3
MATTERS = {ApplicationKind.AID: AID_MATTERS, ApplicationKind.NOTARY: NOTARY_MATTERS}


def _text(value: Any, label: str, limit: int, *, required: bool = True, minimum: int = 0) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}。", code="required")
    if minimum and len(text) < minimum:
        raise ValidationFailed(f"{label}太短，请至少写 {minimum} 个字。", code="too_short")
    if len(text) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 字。", code="too_long")
    return text


def home_village(user: Any) -> Place:
    """The village where ``user`` asks and applies: the village of their first legal.ask role (a villager's
    household village, a grid worker's grid's village). NotFound when they hold none."""
    paths = sorted(path for _role, perms, path in user.grants() if Perm.LEGAL_ASK in perms
                   and len(path) >= SIGNIFICANT[Level.VILLAGE])
    if not paths:
        raise NotFound("您没有可以咨询或申请的村（社区）。")
    place = Place.objects.filter(path=paths[0][: SIGNIFICANT[Level.VILLAGE]], level=Level.VILLAGE).first()
    if place is None:
        raise NotFound("您没有可以咨询或申请的村（社区）。")
    return place


def advisers_for(village: Place) -> list[Any]:
    """Who answers the village's questions (一村一法律顾问): the adviser mediation assigned to the village if
    there is one, else the holders of the legal-adviser role at the nearest level at or above the village."""
    # mediation (M1) keeps the per-village assignment; asked through its selector, never its models.
    from shanzhi.mediation.selectors import adviser_for_village

    assigned = adviser_for_village(village.path)
    if assigned is not None:
        return [assigned.user]
    holders = (RoleAssignment.objects.filter(role=Role.LEGAL_ADVISER, is_active=True, user__is_active=True,
                                             place_path__in=path_prefixes(village.path))
               .select_related("user").order_by("-place_path", "user_id"))
    nearest: list[Any] = []
    for assignment in holders:
        if nearest and len(assignment.place_path) < len(nearest[0][0]):
            break
        nearest.append((assignment.place_path, assignment.user))
    return [user for _path, user in nearest]


# --- consultations -----------------------------------------------------------------------------------------


@transaction.atomic
def consultation_ask(*, acting_user: Any, question: str, photos: Sequence[Any] = ()) -> Consultation:
    """A villager asks the village's legal adviser (M7). The question goes to the adviser's inbox; photos are
    images only (at most three), kept with the question and seen by whoever may see it."""
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    village = home_village(acting_user)
    question = _text(question, "咨询内容", QUESTION_MAX, minimum=5)
    photos = [p for p in photos if p]
    if len(photos) > PHOTOS_MAX:
        raise ValidationFailed(f"最多上传 {PHOTOS_MAX} 张图片。", code="too_many_photos")
    advisers = advisers_for(village)
    consultation = Consultation.objects.create(
        asker=acting_user, place=village, place_path=village.path, question=question, asked_at=now(),
        adviser=advisers[0] if advisers else None)
    for photo in photos:  # the files kernel checks each (type, size, decodes); a refusal rolls everything back
        attachment_create(acting_user=acting_user, file=photo, place_path=village.path, obj=consultation,
                          kinds=(AttachmentKind.IMAGE,))
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="legal_consultation_ask", obj=consultation,
                 after=snapshot(consultation, ["place_id", "adviser_id", "status"]))
    link = reverse("legal_consultation_detail", args=[consultation.pk])
    notify_users(users=advisers, title=f"{village.name}村民法律咨询待解答", body=question[:200], link=link)
    return consultation


@transaction.atomic
def consultation_answer(*, acting_user: Any, consultation: Consultation, answer: str) -> Consultation:
    """The adviser answers (M7); the asker sees the answer on their phone and gets an inbox message (and an SMS
    saying an answer is waiting). An answered question is not answered again."""
    answer = _text(answer, "解答", ANSWER_MAX, minimum=5)
    locked = selectors.consultations_to_answer(user=acting_user).select_for_update().filter(pk=consultation.pk).first()
    if locked is None:
        raise NotFound()
    if locked.status != ConsultationStatus.OPEN:
        raise Conflict("该咨询已经解答过了。", code="already_answered")
    before = snapshot(locked, ["status"])
    locked.status, locked.answer, locked.answered_at, locked.answered_by = (
        ConsultationStatus.ANSWERED, answer, now(), acting_user)
    locked.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="legal_consultation_answer", obj=locked,
                 before=before, after=snapshot(locked, ["status", "answered_by_id"]))
    notify_users(users=[locked.asker], title="您的法律咨询已有解答", body=answer[:200], sms=True,
                 link=reverse("legal_consultation_detail", args=[locked.pk]))
    return locked


# --- legal aid and notarisation ----------------------------------------------------------------------------


def _next_number(kind: str, at: dt.datetime) -> str:
    prefix = f"{'FY' if kind == ApplicationKind.AID else 'GZ'}{localtime(at):%Y}"
    last = LegalApplication.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


@transaction.atomic
def application_submit(*, acting_user: Any, kind: str, matter: str, facts: str, phone: str) -> LegalApplication:
    """A villager applies for legal aid (法律援助法) or notarisation (公证法): the matter from the statute's list,
    the facts, a phone number to reach them. The advisers of the village are told."""
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    village = home_village(acting_user)
    if kind not in ApplicationKind.values:
        raise ValidationFailed("申请类别无效。", code="application_kind")
    matter = (matter or "").strip()
    if matter not in MATTERS[ApplicationKind(kind)]:
        raise ValidationFailed("请选择申请事项。", code="application_matter")
    facts = _text(facts, "事实与理由", FACTS_MAX, minimum=5)
    phone = validate_phone((phone or "").strip())
    at = now()
    LegalApplication.objects.select_for_update().filter(kind=kind).order_by("-id").first()  # serialise numbering
    application = LegalApplication.objects.create(
        kind=kind, number=_next_number(kind, at), applicant=acting_user, place=village, place_path=village.path,
        matter=matter, facts=facts, phone=phone, submitted_at=at)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="legal_application_submit", obj=application,
                 after=snapshot(application, ["kind", "number", "matter", "status"]))
    notify_users(users=advisers_for(village), title=f"{village.name}{application.get_kind_display()}申请待受理",
                 body=f"{application.number} {matter}", link=reverse("legal_application_detail", args=[application.pk]))
    return application


def _locked_application(acting_user: Any, application: LegalApplication) -> LegalApplication:
    locked = (selectors.applications_to_handle(user=acting_user).select_for_update()
              .filter(pk=application.pk).first())
    if locked is None:
        raise NotFound()
    return locked


@transaction.atomic
def application_reveal_phone(*, acting_user: Any, application: LegalApplication) -> str:
    """The applicant's phone number in full, for the adviser who handles the application (masked by default;
    every reveal is audited)."""
    locked = selectors.applications_to_handle(user=acting_user).filter(pk=application.pk).first()
    if locked is None:
        raise NotFound()
    audit_record(actor=acting_user, action=AuditAction.REVEAL, event="legal_application_reveal_phone", obj=locked,
                 detail="查看申请人联系电话")
    return locked.phone


def _tell_applicant(application: LegalApplication, title: str, body: str) -> None:
    notify_users(users=[application.applicant], title=title, body=body, sms=True,
                 link=reverse("legal_application_detail", args=[application.pk]))


@transaction.atomic
def application_accept(*, acting_user: Any, application: LegalApplication) -> LegalApplication:
    """受理: only a submitted application."""
    locked = _locked_application(acting_user, application)
    if locked.status != ApplicationStatus.SUBMITTED:
        raise Conflict(f"该申请当前为“{locked.get_status_display()}”，不能受理。", code="application_state")
    before = snapshot(locked, ["status"])
    locked.status, locked.accepted_at, locked.handled_by = ApplicationStatus.ACCEPTED, now(), acting_user
    locked.save(update_fields=["status", "accepted_at", "handled_by"])
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event="legal_application_accept", obj=locked,
                 before=before, after=snapshot(locked, ["status", "handled_by_id"]))
    _tell_applicant(locked, f"您的{locked.get_kind_display()}申请已受理", locked.number)
    return locked


@transaction.atomic
def application_refuse(*, acting_user: Any, application: LegalApplication, reason: str) -> LegalApplication:
    """不予受理, always with the reason (told to the applicant): only a submitted application."""
    reason = _text(reason, "不予受理的理由", REASON_MAX, minimum=4)
    locked = _locked_application(acting_user, application)
    if locked.status != ApplicationStatus.SUBMITTED:
        raise Conflict(f"该申请当前为“{locked.get_status_display()}”，不能不予受理。", code="application_state")
    before = snapshot(locked, ["status"])
    locked.status, locked.refused_at, locked.refusal_reason, locked.handled_by = (
        ApplicationStatus.REFUSED, now(), reason, acting_user)
    locked.save(update_fields=["status", "refused_at", "refusal_reason", "handled_by"])
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event="legal_application_refuse", obj=locked,
                 before=before, after=snapshot(locked, ["status", "refusal_reason"]))
    _tell_applicant(locked, f"您的{locked.get_kind_display()}申请不予受理", reason)
    return locked


@transaction.atomic
def application_done(*, acting_user: Any, application: LegalApplication, result: str) -> LegalApplication:
    """办结 with the result (the aid lawyer assigned, the notarial certificate issued…): only an accepted one."""
    result = _text(result, "办理结果", REASON_MAX, minimum=4)
    locked = _locked_application(acting_user, application)
    if locked.status != ApplicationStatus.ACCEPTED:
        raise Conflict(f"该申请当前为“{locked.get_status_display()}”，受理后才能办结。", code="application_state")
    before = snapshot(locked, ["status"])
    locked.status, locked.done_at, locked.result = ApplicationStatus.DONE, now(), result
    locked.save(update_fields=["status", "done_at", "result"])
    audit_record(actor=acting_user, action=AuditAction.TRANSITION, event="legal_application_done", obj=locked,
                 before=before, after=snapshot(locked, ["status", "result"]))
    _tell_applicant(locked, f"您的{locked.get_kind_display()}申请已办结", result)
    return locked


# --- the library -------------------------------------------------------------------------------------------


def _library_place(acting_user: Any, place: Place) -> Place:
    if not (acting_user.has_perm_at(Perm.LEGAL_ANSWER, place.path)
            or acting_user.has_perm_at(Perm.MEDIATION_MANAGE, place.path)):
        raise NotFound()
    return place


@transaction.atomic
def exemplary_case_create(*, acting_user: Any, place: Place, title: str, dispute_type: str, summary: str,
                          resolution: str, commentary: str = "", laws_cited: str = "",
                          party_names: Sequence[str] = (), source_case_id: int | None = None) -> ExemplaryCase:
    """典型案例 (M7, anonymised): ``party_names`` are replaced by 甲方/乙方…; a text carrying an identity or mobile
    number is refused (a case is for learning, not for finding the people in it; the author removes it)."""
    _library_place(acting_user, place)
    fields = {
        "title": _text(title, "标题", 100), "dispute_type": _text(dispute_type, "纠纷类型", 30),
        "summary": _text(summary, "基本案情", 4000, minimum=10), "resolution": _text(resolution, "调处结果", 2000),
        "commentary": _text(commentary, "典型意义", 2000, required=False),
        "laws_cited": _text(laws_cited, "法律依据", 300, required=False),
    }
    for label, key in (("标题", "title"), ("基本案情", "summary"), ("调处结果", "resolution"), ("典型意义", "commentary")):
        if found := identifying_text(fields[key]):
            raise ValidationFailed(f"{label}中含有身份证号或手机号（{found[:3]}…），典型案例须匿名，请删去。",
                                   code="case_identifying")
    if not any((n or "").strip() for n in party_names):
        raise ValidationFailed("请填写当事人姓名（逗号分隔），发布时以甲方、乙方……代替。", code="case_party_names")
    fields = {k: anonymise(v, party_names) for k, v in fields.items()}
    if source_case_id is not None and ExemplaryCase.objects.filter(source_case_id=source_case_id).exists():
        raise Conflict("该调解案件已经编为典型案例。", code="case_exists")
    case = ExemplaryCase.objects.create(place=place, place_path=place.path, created_by=acting_user, created_at=now(),
                                        source_case_id=source_case_id, **fields)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="legal_exemplary_case_create", obj=case,
                 after=snapshot(case, ["title", "dispute_type", "source_case_id"]))
    return case


@transaction.atomic
def law_article_save(*, acting_user: Any, law: str, number: Any, text: str) -> LawArticle:
    """Add or correct one article of the law library (national; kept by advisers and mediation managers)."""
    if not (acting_user is None or acting_user.has_perm_anywhere(Perm.LEGAL_ANSWER)
            or acting_user.has_perm_anywhere(Perm.MEDIATION_MANAGE)):
        raise NotFound()
    law = _text(law, "法律名称", 60).strip("《》")
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise ValidationFailed("条号须为正整数。", code="article_number")
    if not 1 <= number <= 2000:
        raise ValidationFailed("条号须在 1 到 2000 之间。", code="article_number")
    text = _text(text, "条文", 4000, minimum=4)
    article = LawArticle.objects.select_for_update().filter(law=law, number=number).first()
    before = snapshot(article, ["text"]) if article else None
    if article is None:
        article = LawArticle.objects.create(law=law, number=number, text=text, created_at=now())
    elif article.text != text:
        article.text = text
        article.save(update_fields=["text"])
    else:
        return article
    audit_record(actor=acting_user, action=AuditAction.UPDATE if before else AuditAction.CREATE,
                 event="legal_article_save", obj=article, before=before, after=snapshot(article, ["law", "number"]))
    return article

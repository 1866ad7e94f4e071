"""Writing the results of a points scheme (domain.md P4): quarterly stars (每季按分授星), year-end titles and
awards (年终表彰, 100–400 元), and the black list (黑榜) with its path back.

Every score here is the honour score of ``points.ranking`` (approved earning entries in the period), never the
spendable balance. Each service checks scope (out of scope is NotFound; in scope without the right is
PermissionDenied), validates everything before writing, writes its audit entry in the same transaction, and on
any refusal raises with a Chinese message and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.timezone import now

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.people.models import Person
from shanzhi.points import ledger, links
from shanzhi.points.choices import QuarterStatus
from shanzhi.points.models import Account, Entry, Quarter, Scheme
from shanzhi.points.ranking import Period, quarter_end, quarter_label, quarter_start, schemes_visible
from shanzhi.publication.choices import PublicationKind
from shanzhi.publication.services import publication_create

from .models import Listing, ListingNote, ListingStatus, Round, RoundKind, StarAward, TitleAward

ZERO = Decimal("0.0")
AWARD_MIN, AWARD_MAX = Decimal("100"), Decimal("400")  # seed 003: 颁发荣誉证书，发放100—400元奖金
MAX_STARS = 10  # 十星家庭户

# 安家村 (seed 003): 暂停其公益岗位资格、优惠补助政策等. The branch names the ones that apply.
BENEFITS = (
    "低保以外的村集体福利",
    "公益性岗位资格",
    "优惠补助政策",
    "评优评先资格",
    "集体经济分红奖励部分",
)


def _scheme(user: Any, scheme_id: Any, perm: str) -> Scheme:
    """The scheme if the user may read its results (else NotFound) and holds ``perm`` at its village (else
    PermissionDenied: they can see it but this step is not theirs)."""
    try:
        scheme = schemes_visible(user=user).get(pk=int(scheme_id))
    except (Scheme.DoesNotExist, TypeError, ValueError):
        raise NotFound()
    if not user.has_perm_at(perm, scheme.place_path):
        raise PermissionDenied("只有村党组织（支部）可以评定和公示积分结果。", code="points_approve_required")
    return scheme


def _scores(scheme: Scheme, period: Period) -> dict[int, Decimal]:
    """Honour score in the period per account of the scheme (accounts without entries are absent)."""
    rows = (Entry.objects.filter(period.entry_q(), scheme=scheme).values("account_id")
            .annotate(s=Sum("points")).order_by())
    return {r["account_id"]: r["s"] or ZERO for r in rows}


def _quarter_final(scheme: Scheme, first: dt.date) -> None:
    """Stars are given for a quarter the branch has approved (审核锁定), or one that has ended."""
    approved = Quarter.objects.filter(scheme=scheme, starts_on=first).exclude(status=QuarterStatus.OPEN).exists()
    if not approved and quarter_end(first) >= ledger.today():
        raise ValidationFailed(f"{quarter_label(first)}尚未结束，也未经党支部审核，不能评定星级。", code="quarter_open")


def star_rules(scheme: Scheme) -> list[tuple[int, Decimal]]:
    """The scheme's thresholds as (stars, minimum score), most stars first; refuses malformed ones."""
    out = []
    for rule in scheme.star_thresholds or []:
        try:
            stars, low = int(rule["stars"]), Decimal(str(rule["min"]))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ValidationFailed("方案的授星标准格式有误，请先在方案中修正。", code="star_rules")
        if not 1 <= stars <= MAX_STARS:
            raise ValidationFailed(f"星级须在 1 至 {MAX_STARS} 之间。", code="star_rules")
        out.append((stars, low))
    if not out:
        raise ValidationFailed(f"“{scheme.name}”没有设定授星标准（每季按分授星），请先在方案中设定。", code="star_rules_empty")
    return sorted(out, key=lambda r: (-r[0], -r[1]))


def stars_for(score: Decimal, rules: list[tuple[int, Decimal]]) -> int:
    return next((stars for stars, low in rules if score >= low), 0)


@transaction.atomic
def stars_assess(*, acting_user: Any, scheme_id: int, quarter: dt.date) -> Round:
    """评定本季星级: freeze the quarter's stars by score from the scheme's thresholds. Once the round is
    published it is final (Conflict); before that, assessing again replaces it (after a correcting entry)."""
    scheme = _scheme(acting_user, scheme_id, Perm.POINTS_APPROVE)
    first = quarter_start(quarter)
    rules = star_rules(scheme)
    _quarter_final(scheme, first)
    period = Period.quarter(first)
    existing = Round.objects.select_for_update().filter(scheme=scheme, kind=RoundKind.STARS, starts_on=first).first()
    before = None
    if existing is not None:
        if existing.publication_id:
            raise Conflict(f"{quarter_label(first)}的星级已公示，不能再改动。", code="round_published")
        before = {"awards": existing.stars.count()}
        existing.stars.all().delete()
        rnd = existing
    else:
        rnd = Round(scheme=scheme, place_path=scheme.place_path, kind=RoundKind.STARS, starts_on=first,
                    ends_on=period.ends_on)
    scores = _scores(scheme, period)
    accounts = Account.objects.filter(scheme=scheme).only("pk", "name", "place_path")
    awards = []
    subjects = 0
    for acc in accounts.iterator(chunk_size=2000):
        subjects += 1
        score = scores.get(acc.pk, ZERO)
        stars = stars_for(score, rules)
        if stars:
            awards.append(StarAward(account_id=acc.pk, place_path=acc.place_path, name=acc.name, score=score,
                                    stars=stars))
    rnd.rules = [{"stars": s, "min": str(m)} for s, m in rules]
    rnd.subjects, rnd.assessed_by, rnd.assessed_at = subjects, acting_user, now()
    rnd.save()
    for a in awards:
        a.round = rnd
    StarAward.objects.bulk_create(awards, batch_size=2000)
    audit_record(actor=acting_user, action=AuditAction.UPDATE if before else AuditAction.CREATE,
                 event="honours_stars_assess", obj=rnd, place_path=scheme.place_path, before=before,
                 after={"scheme": scheme.pk, "quarter": first, "subjects": subjects, "awards": len(awards)},
                 detail=f"{scheme.name} {quarter_label(first)} 评定星级：{len(awards)} 户/人获星")
    return rnd


def title_rules(scheme: Scheme) -> list[dict[str, Any]]:
    """The scheme's title rules: ``[{"title": "十星家庭户", "min": 40, "top": 10, "award": 200,
    "subject_type": "household"}]`` — at least ``min`` points in the year, the best ``top`` (ties at the
    boundary all included), ``award`` 元 (0, or 100–400), optionally only one subject type."""
    out = []
    for rule in scheme.title_rules or []:
        try:
            title = str(rule["title"]).strip()
            low = Decimal(str(rule.get("min", 0)))
            top = int(rule["top"]) if rule.get("top") not in (None, "") else None
            award = Decimal(str(rule.get("award", 0)))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ValidationFailed("方案的评优规则格式有误，请先在方案中修正。", code="title_rules")
        if not title or len(title) > 40:
            raise ValidationFailed("荣誉称号不能为空（最多40字）。", code="title_rules")
        if award and not AWARD_MIN <= award <= AWARD_MAX:
            raise ValidationFailed(f"“{title}”的奖金须在 100 至 400 元之间（或不发奖金）。", code="title_award")
        if top is not None and top < 1:
            raise ValidationFailed(f"“{title}”的名额须为正数。", code="title_top")
        out.append({"title": title, "min": low, "top": top, "award": award,
                    "subject_type": str(rule.get("subject_type") or "")})
    if not out:
        raise ValidationFailed(f"“{scheme.name}”没有设定年度评优规则（称号、分数线、名额、奖金）。", code="title_rules_empty")
    return out


@transaction.atomic
def titles_assess(*, acting_user: Any, scheme_id: int, year: int) -> Round:
    """年终表彰: titles and awards by the year's honour score from the scheme's title rules, recorded (frozen
    once published, like the stars)."""
    scheme = _scheme(acting_user, scheme_id, Perm.POINTS_APPROVE)
    rules = title_rules(scheme)
    period = Period.year(int(year))
    last = dt.date(period.starts_on.year, 10, 1)
    if period.ends_on >= ledger.today() and not Quarter.objects.filter(
            scheme=scheme, starts_on=last).exclude(status=QuarterStatus.OPEN).exists():
        raise ValidationFailed(f"{period.label}尚未结束，第四季度也未经党支部审核，不能年终评优。", code="year_open")
    existing = Round.objects.select_for_update().filter(scheme=scheme, kind=RoundKind.TITLES,
                                                         starts_on=period.starts_on).first()
    before = None
    if existing is not None:
        if existing.publication_id:
            raise Conflict(f"{period.label}的表彰已公示，不能再改动。", code="round_published")
        before = {"awards": existing.titles.count()}
        existing.titles.all().delete()
        rnd = existing
    else:
        rnd = Round(scheme=scheme, place_path=scheme.place_path, kind=RoundKind.TITLES, starts_on=period.starts_on,
                    ends_on=period.ends_on)
    scores = _scores(scheme, period)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=list(scores)).only(
        "pk", "name", "place_path", "household_id", "person_id", "enterprise_id")}
    ranked = sorted(((s, a) for pk, s in scores.items() if (a := accounts.get(pk))), key=lambda r: (-r[0], r[1].name))
    awards = []
    for rule in rules:
        eligible = [(s, a) for s, a in ranked if s >= rule["min"] and s > 0
                    and (not rule["subject_type"] or a.subject_type == rule["subject_type"])]
        rank, previous = 0, None
        for i, (score, acc) in enumerate(eligible, start=1):
            if score != previous:
                rank, previous = i, score
            if rule["top"] is not None and rank > rule["top"]:
                break
            awards.append(TitleAward(account_id=acc.pk, place_path=acc.place_path, name=acc.name, score=score,
                                     rank=rank, title=rule["title"], award=rule["award"]))
    rnd.rules = [{**r, "min": str(r["min"]), "award": str(r["award"])} for r in rules]
    rnd.subjects = Account.objects.filter(scheme=scheme).count()
    rnd.assessed_by, rnd.assessed_at = acting_user, now()
    rnd.save()
    for a in awards:
        a.round = rnd
    TitleAward.objects.bulk_create(awards)
    audit_record(actor=acting_user, action=AuditAction.UPDATE if before else AuditAction.CREATE,
                 event="honours_titles_assess", obj=rnd, place_path=scheme.place_path, before=before,
                 after={"scheme": scheme.pk, "year": period.starts_on.year, "awards": len(awards),
                        "total_award": str(sum((a.award for a in awards), ZERO))},
                 detail=f"{scheme.name} {period.label} 年终评优：{len(awards)} 项称号")
    return rnd


def _window(starts_on: Any, ends_on: Any) -> tuple[dt.date, dt.date]:
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise ValidationFailed("请填写公示开始和截止日期。", code="period")
    return starts_on, ends_on


@transaction.atomic
def round_publish(*, acting_user: Any, round_id: int, starts_on: dt.date, ends_on: dt.date) -> Round:
    """Publish a round's stars or titles on the village board (kind ``points_honours``), names masked."""
    try:
        rnd = (Round.objects.visible_to(acting_user, Perm.POINTS_VIEW).select_for_update()
               .get(pk=int(round_id)))
    except (Round.DoesNotExist, TypeError, ValueError):
        raise NotFound()
    scheme = _scheme(acting_user, rnd.scheme_id, Perm.POINTS_APPROVE)
    if rnd.publication_id:
        raise Conflict("该评定结果已经公示。", code="round_published")
    starts_on, ends_on = _window(starts_on, ends_on)
    if rnd.kind == RoundKind.STARS:
        columns = ["名称", "季度得分", "星级"]
        rows = [[a.name, f"{a.score:g}", "★" * a.stars] for a in rnd.stars.order_by("-stars", "-score", "name")]
        title = f"{scheme.place.name}{scheme.name}{rnd.period_label}星级评定公示"
        empty = "本季无人达到授星标准，没有可公示的星级。"
    else:
        columns = ["荣誉称号", "名次", "名称", "年度得分", "奖金（元）"]
        rows = [[a.title, a.rank, a.name, f"{a.score:g}", f"{a.award:g}" if a.award else "—"]
                for a in rnd.titles.order_by("title", "rank", "name")]
        title = f"{scheme.place.name}{scheme.name}{rnd.period_label}年终表彰公示"
        empty = "本年度无人达到评优条件，没有可公示的表彰。"
    if not rows:
        raise ValidationFailed(empty, code="rows_empty")
    publication = publication_create(acting_user=acting_user, place=scheme.place, kind=PublicationKind.POINTS_HONOURS,
                                     title=title, columns=columns, rows=rows, starts_on=starts_on, ends_on=ends_on,
                                     mask={"名称": "name"})
    rnd.publication = publication
    rnd.save(update_fields=["publication"])
    audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="honours_round_publish", obj=rnd,
                 place_path=rnd.place_path, after={"publication": publication.public_id})
    return rnd


# ---- the black list ---------------------------------------------------------------------------------------

@transaction.atomic
def blacklist_propose(*, acting_user: Any, scheme_id: int, period: Period) -> list[Listing]:
    """评议: every subject whose honour score for an ended period is below the scheme's ``blacklist_below`` is
    proposed for the black list (the review group or the branch proposes; the branch confirms). Subjects
    already proposed for the same period are not proposed twice."""
    scheme = _scheme_any(acting_user, scheme_id, (Perm.POINTS_REVIEW, Perm.POINTS_APPROVE))
    if scheme.blacklist_below is None:
        raise ValidationFailed(f"“{scheme.name}”没有设定黑榜线。", code="no_threshold")
    if period.ends_on >= ledger.today():
        raise ValidationFailed(f"{period.label}尚未结束，不能按该期得分提出黑榜名单。", code="period_open")
    scores = _scores(scheme, period)
    taken = set(Listing.objects.filter(scheme=scheme, starts_on=period.starts_on, ends_on=period.ends_on)
                .values_list("account_id", flat=True))
    stamp = now()
    out = []
    for acc in Account.objects.filter(scheme=scheme).only("pk", "name", "place_path").order_by("pk"):
        score = scores.get(acc.pk, ZERO)
        if score < scheme.blacklist_below and acc.pk not in taken:
            out.append(Listing(scheme=scheme, account_id=acc.pk, place_path=acc.place_path, name=acc.name,
                               starts_on=period.starts_on, ends_on=period.ends_on, score=score,
                               threshold=scheme.blacklist_below, proposed_by=acting_user, proposed_at=stamp))
    if not out:
        raise ValidationFailed(f"{period.label}没有低于黑榜线（{scheme.blacklist_below:g} 分）且尚未提出的主体。",
                               code="none_below")
    Listing.objects.bulk_create(out)
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="honours_blacklist_propose", obj=scheme,
                 place_path=scheme.place_path,
                 after={"period": period.label, "threshold": str(scheme.blacklist_below), "proposed": len(out)},
                 detail=f"{scheme.name} {period.label} 低于黑榜线 {len(out)} 个，提交支部审核")
    return out


def _scheme_any(user: Any, scheme_id: Any, perms: tuple[str, ...]) -> Scheme:
    try:
        scheme = schemes_visible(user=user).get(pk=int(scheme_id))
    except (Scheme.DoesNotExist, TypeError, ValueError):
        raise NotFound()
    if not any(user.has_perm_at(p, scheme.place_path) for p in perms):
        raise PermissionDenied("只有评议小组或村党组织可以提出黑榜名单。", code="points_review_required")
    return scheme


def _listing(user: Any, listing_id: Any) -> Listing:
    try:
        return (Listing.objects.visible_to(user, Perm.POINTS_VIEW).select_for_update()
                .get(pk=int(listing_id)))
    except (Listing.DoesNotExist, TypeError, ValueError):
        raise NotFound()


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def listing_confirm(
    *, acting_user: Any, listing_id: int, benefits: list[str], helper_id: Any, conditions: str,
    months: Any = 12, clause_id: Any = None, note: str = "",
) -> Listing:
    """支部审核: list the subject on the black list — the benefits suspended (named) for a cycle of ``months``,
    a one-to-one helper (帮扶人, a living person of the same village), the conditions of the way back, and the
    village-rules clause it rests on (optional)."""
    listing = _listing(acting_user, listing_id)
    scheme = _scheme(acting_user, listing.scheme_id, Perm.POINTS_APPROVE)
    if listing.status != ListingStatus.PROPOSED:
        raise Conflict(f"该名单{listing.get_status_display()}，不能再审核。", code="listing_state")
    names = [b.strip() for b in benefits or [] if b and b.strip()]
    if not names:
        raise ValidationFailed("请写明暂停的待遇（如公益性岗位资格）。", code="benefits_required")
    if any(len(b) > 40 for b in names):
        raise ValidationFailed("每项暂停待遇最多40字。", code="benefit_long")
    try:
        months = int(months)
    except (TypeError, ValueError):
        raise ValidationFailed("暂停周期须为月数。", code="months")
    if not 1 <= months <= 24:
        raise ValidationFailed("暂停周期须在 1 至 24 个月之间（一个评议周期）。", code="months")
    conditions = (conditions or "").strip()
    if not conditions:
        raise ValidationFailed("请写明移出黑榜的条件（转化升级的路径）。", code="conditions_required")
    try:
        helper = Person.objects.select_related("household").get(pk=int(helper_id))
    except (Person.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("请选择本村的一名帮扶人（1对1联系帮扶）。", code="helper_required")
    if not helper.place_path.startswith(scheme.place_path) or helper.residence_status in ("deceased", "moved_out"):
        raise ValidationFailed("帮扶人须是本村在册人员。", code="helper_place")
    account = Account.objects.only("household_id", "person_id").get(pk=listing.account_id)
    if helper.pk == account.person_id or (account.household_id and helper.household_id == account.household_id):
        raise ValidationFailed("帮扶人不能是被列入黑榜的户（人）本身。", code="helper_self")
    clause = None
    if clause_id not in (None, ""):
        valid = {cid for cid, _label in links.clause_choices(scheme.place)}
        try:
            clause = int(clause_id)
        except (TypeError, ValueError):
            clause = -1
        if clause not in valid:
            raise ValidationFailed("所选村规民约条款不在本村现行村规民约中。", code="clause")
    today = ledger.today()
    listing.status = ListingStatus.LISTED
    listing.decided_by, listing.decided_at = acting_user, now()
    listing.decision_note = (note or "").strip()[:300]
    listing.benefits = names
    listing.suspended_until = _months_later(today, months)
    listing.helper = helper
    listing.conditions = conditions[:500]
    listing.clause_id = clause
    listing.save()
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="honours_listing_confirm", obj=listing,
                 place_path=listing.place_path, before={"status": ListingStatus.PROPOSED},
                 after={"status": listing.status, "benefits": names, "until": listing.suspended_until,
                        "helper": helper.pk, "clause": clause})
    return listing


@transaction.atomic
def listing_dismiss(*, acting_user: Any, listing_id: int, note: str) -> Listing:
    """支部审核不列入 (e.g. the low score has a reason: illness, absence), with the reason recorded."""
    listing = _listing(acting_user, listing_id)
    _scheme(acting_user, listing.scheme_id, Perm.POINTS_APPROVE)
    if listing.status != ListingStatus.PROPOSED:
        raise Conflict(f"该名单{listing.get_status_display()}，不能再审核。", code="listing_state")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请写明不列入黑榜的理由。", code="note_required")
    listing.status, listing.decided_by, listing.decided_at = ListingStatus.DISMISSED, acting_user, now()
    listing.decision_note = note[:300]
    listing.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="honours_listing_dismiss", obj=listing,
                 place_path=listing.place_path, before={"status": ListingStatus.PROPOSED},
                 after={"status": listing.status, "note": listing.decision_note})
    return listing


@transaction.atomic
def blacklist_publish(*, acting_user: Any, scheme_id: int, starts_on: dt.date, ends_on: dt.date) -> int:
    """黑榜公示: the confirmed, not yet published listings of the scheme, names masked (kind
    ``points_blacklist``). Returns how many were published."""
    scheme = _scheme(acting_user, scheme_id, Perm.POINTS_APPROVE)
    starts_on, ends_on = _window(starts_on, ends_on)
    listings = list(Listing.objects.select_for_update().filter(scheme=scheme, status=ListingStatus.LISTED,
                                                               publication__isnull=True).order_by("starts_on", "name"))
    if not listings:
        raise ValidationFailed("没有已审核、尚未公示的黑榜名单。", code="rows_empty")
    periods = sorted({Period("custom", x.starts_on, x.ends_on).label for x in listings})
    rows = [[x.name, Period("custom", x.starts_on, x.ends_on).label, f"{x.score:g}", f"{x.threshold:g}",
             "、".join(x.benefits), f"{x.suspended_until:%Y-%m-%d}"] for x in listings]
    publication = publication_create(
        acting_user=acting_user, place=scheme.place, kind=PublicationKind.POINTS_BLACKLIST,
        title=f"{scheme.place.name}{scheme.name}黑榜公示（{'、'.join(periods)}）",
        columns=["名称", "评议期", "得分", "黑榜线", "暂停待遇", "暂停至"], rows=rows, mask={"名称": "name"},
        starts_on=starts_on, ends_on=ends_on)
    Listing.objects.filter(pk__in=[x.pk for x in listings]).update(publication=publication)
    audit_record(actor=acting_user, action=AuditAction.PUBLISH, event="honours_blacklist_publish", obj=scheme,
                 place_path=scheme.place_path, after={"publication": publication.public_id, "listings": len(rows)})
    return len(rows)


@transaction.atomic
def listing_note_add(*, acting_user: Any, listing_id: int, text: str) -> ListingNote:
    """帮扶进展: a note on the way back, by the cadres, grid staff or the review group."""
    listing = _listing(acting_user, listing_id)
    if not any(acting_user.has_perm_at(p, listing.place_path)
               for p in (Perm.POINTS_APPROVE, Perm.POINTS_RECORD, Perm.POINTS_REVIEW)):
        raise PermissionDenied("只有村干部、网格员或评议小组可以记录帮扶进展。", code="note_forbidden")
    if listing.status != ListingStatus.LISTED:
        raise Conflict(f"该名单{listing.get_status_display()}，不能再记录帮扶进展。", code="listing_state")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写帮扶进展。", code="text_required")
    if len(text) > 1000:
        raise ValidationFailed("帮扶进展最多1000字。", code="text_long")
    note = ListingNote.objects.create(listing=listing, text=text, author=acting_user, created_at=now())
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="honours_listing_note", obj=listing,
                 place_path=listing.place_path, after={"note": text[:200]})
    return note


@transaction.atomic
def listing_remove(*, acting_user: Any, listing_id: int, reason: str, starts_on: dt.date, ends_on: dt.date) -> Listing:
    """移出黑榜: the conditions are met (转化升级); the benefits resume and the removal is published."""
    listing = _listing(acting_user, listing_id)
    scheme = _scheme(acting_user, listing.scheme_id, Perm.POINTS_APPROVE)
    if listing.status != ListingStatus.LISTED:
        raise Conflict(f"该名单{listing.get_status_display()}，不能移出。", code="listing_state")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请写明移出理由（移出条件如何达到）。", code="reason_required")
    starts_on, ends_on = _window(starts_on, ends_on)
    publication = publication_create(
        acting_user=acting_user, place=scheme.place, kind=PublicationKind.POINTS_BLACKLIST,
        title=f"{scheme.place.name}{scheme.name}移出黑榜公示",
        columns=["名称", "列入评议期", "移出理由", "恢复待遇"],
        rows=[[listing.name, Period("custom", listing.starts_on, listing.ends_on).label, reason[:200],
               "、".join(listing.benefits)]],
        mask={"名称": "name"}, starts_on=starts_on, ends_on=ends_on)
    listing.status, listing.removed_by, listing.removed_at = ListingStatus.REMOVED, acting_user, now()
    listing.removal_reason, listing.removal_publication = reason[:300], publication
    listing.save(update_fields=["status", "removed_by", "removed_at", "removal_reason", "removal_publication"])
    audit_record(actor=acting_user, action=AuditAction.UPDATE, event="honours_listing_remove", obj=listing,
                 place_path=listing.place_path, before={"status": ListingStatus.LISTED},
                 after={"status": listing.status, "reason": reason[:200], "publication": publication.public_id})
    return listing


def listing_counts(*, scheme: Scheme) -> dict[str, int]:
    rows = Listing.objects.filter(scheme=scheme).values("status").annotate(n=Count("pk")).order_by()
    return {r["status"]: r["n"] for r in rows}

"""Demo data of 积分制 (registry order 10): the two real schemes of the seeds on the demo villages, through the
services.

- 济源's 道德积分储蓄站 (seed 000/004: 积孝、积善、积信、积勤、积俭、积美) as a template published by the key township,
  adopted by both demo villages (the first adapts it with one item of its own);
- 安家村's 村民积分 (seed 003: 6 categories, 34 items at 0.4–3 points, a negative list of 10 items at −5 each, the
  black list below 7, quarterly stars, the four titles) adopted by the first demo village by its villagers'
  representatives (四议两公开);
- four months of records in the first village: the grid worker's 一事一记, the cadre's records in other grids, the
  villager's own declarations; the review group's monthly review (a few rejected or adjusted); the party
  branch's approval of the ended quarters and the publication of the last one.

Idempotent: if the first village already has 村民积分, nothing is done. The seeds name the categories and the
counts, not the items; the items below are written after the practice they describe.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from shanzhi.access.models import User
from shanzhi.core.errors import ApplicationError
from shanzhi.people.models import Household
from shanzhi.regions.models import Place

from . import ledger, services
from .choices import EntryStatus, QuarterStatus
from .models import Entry, Quarter, Scheme

KEY_TOWNSHIP = "419001100000"
V1, V2 = "419001100201", "419001100202"

Y, Q, M = "year", "quarter", "month"

# (category, [(code, name, min, max, cap_count, cap_period, evidence)])
MORAL: list[tuple[str, list[tuple[str, str, str, str, int | None, str, bool]]]] = [
    ("积孝", [("X01", "孝敬赡养老人，生活照料到位", "1", "2", 1, Q, False),
             ("X02", "照料患病、失能长辈", "1", "3", 1, M, False),
             ("X03", "获评“好媳妇”“好婆婆”“孝老爱亲模范”", "3", "3", 1, Y, True)]),
    ("积善", [("S01", "扶贫济困、捐款捐物", "1", "3", None, "", False),
             ("S02", "见义勇为", "3", "3", None, "", True),
             ("S03", "参加志愿服务", "1", "1", 4, M, False)]),
    ("积信", [("C01", "诚信经营、按时归还借款", "1", "1", 1, Q, False),
             ("C02", "拾金不昧", "2", "2", None, "", True),
             ("C03", "全年无失信记录", "2", "2", 1, Y, False)]),
    ("积勤", [("Q01", "勤劳致富、发展产业", "1", "3", 1, Q, False),
             ("Q02", "参加村集体义务劳动", "1", "1", 4, M, False),
             ("Q03", "子女考入大中专院校", "2", "2", 1, Y, True)]),
    ("积俭", [("J01", "红白事简办", "2", "2", None, "", True),
             ("J02", "不攀比、不大操大办", "1", "1", 1, Q, False),
             ("J03", "节约用水用电", "0.5", "0.5", 1, M, False)]),
    ("积美", [("M01", "庭院整洁美观", "1", "1", 1, M, False),
             ("M02", "门前三包落实到位", "0.5", "0.5", 2, M, False),
             ("M03", "参加文体活动", "0.5", "0.5", 2, M, False)]),
]

VILLAGER: list[tuple[str, list[tuple[str, str, str, str, int | None, str, bool]]]] = [
    ("遵纪守法", [("Z01", "遵守村规民约，全年无违法违纪", "2", "2", 1, Y, False),
              ("Z02", "主动调解邻里纠纷", "1", "1", None, "", False),
              ("Z03", "参加法治宣传教育活动", "0.5", "0.5", 1, M, False),
              ("Z04", "主动报告安全隐患、治安线索", "1", "1", None, "", False),
              ("Z05", "按时履行兵役登记等法定义务", "1", "1", 1, Y, False),
              ("Z06", "依法理性表达诉求", "0.4", "0.4", 1, Q, False)]),
    ("环境卫生", [("H01", "庭院整洁、物品摆放有序", "0.5", "0.5", 1, M, False),
              ("H02", "门前三包落实到位", "0.5", "0.5", 1, M, False),
              ("H03", "垃圾分类投放", "0.4", "0.4", 2, M, False),
              ("H04", "参加村组环境整治", "1", "1", 4, M, False),
              ("H05", "改厨改厕、人居环境改造", "2", "2", 1, Y, True),
              ("H06", "植树护绿、保护沟渠", "0.5", "1", 2, M, False)]),
    ("日常行为", [("R01", "尊老爱幼、邻里和睦", "0.5", "1", 1, M, False),
              ("R02", "诚实守信、按时履约", "1", "1", 1, Q, False),
              ("R03", "文明用语、不打架斗殴", "0.4", "0.4", 1, M, False),
              ("R04", "按时缴纳医保养老保险", "1", "1", 1, Y, False),
              ("R05", "安全用火用电、不焚烧秸秆", "0.5", "0.5", 1, M, False),
              ("R06", "拾金不昧", "2", "2", None, "", True)]),
    ("社会服务", [("F01", "参加志愿服务", "1", "1", 4, M, False),
              ("F02", "参与村级事务管理、议事协商", "1", "1", 2, M, False),
              ("F03", "见义勇为", "3", "3", None, "", True),
              ("F04", "捐资助学、扶贫济困", "1", "3", None, "", False),
              ("F05", "参加应急抢险", "2", "2", None, "", False),
              ("F06", "提供就业岗位、带动群众致富", "1", "3", 2, Y, False)]),
    ("移风易俗", [("Y01", "红白事简办", "2", "2", None, "", True),
              ("Y02", "不参与封建迷信活动", "0.5", "0.5", 1, Q, False),
              ("Y03", "不收取高额彩礼、不大操大办", "2", "2", 1, Y, False),
              ("Y04", "参加文明新风宣传", "0.5", "0.5", 1, M, False),
              ("Y05", "带头推行殡葬改革", "3", "3", 1, Y, False)]),
    ("家庭美德", [("D01", "孝敬赡养老人", "1", "1", 1, M, False),
              ("D02", "夫妻和睦、家庭和谐", "0.5", "0.5", 1, Q, False),
              ("D03", "重视子女教育", "0.5", "0.5", 1, Q, False),
              ("D04", "获评“好媳妇”“好婆婆”等", "3", "3", 1, Y, True),
              ("D05", "家风家训上墙", "1", "1", 1, Y, False)]),
    ("负面清单", [("N01", "参与封建迷信活动", "-5", "-5", None, "", False),
              ("N02", "故意损坏公共设施", "-5", "-5", None, "", False),
              ("N03", "乱倒垃圾、乱搭乱建", "-5", "-5", None, "", False),
              ("N04", "打架斗殴、寻衅滋事", "-5", "-5", None, "", False),
              ("N05", "缠访闹访、非理性上访", "-5", "-5", None, "", False),
              ("N06", "参与赌博", "-5", "-5", None, "", False),
              ("N07", "不赡养老人", "-5", "-5", None, "", False),
              ("N08", "违规大操大办", "-5", "-5", None, "", False),
              ("N09", "焚烧秸秆", "-5", "-5", None, "", False),
              ("N10", "违反村规民约经教育不改", "-5", "-5", None, "", False)]),
]

REJECT_REASONS = ["事实不清，请补充说明", "与本月已记事项重复", "不属于本细则范围"]


def _items(acting_user: Any, scheme: Scheme, spec: list[Any]) -> None:
    for order, (cat_name, items) in enumerate(spec, start=1):
        cat = services.category_create(acting_user=acting_user, scheme=scheme, name=cat_name, order=order)
        for code, name, lo, hi, cap, period, evidence in items:
            services.item_save(acting_user=acting_user, scheme=scheme, spec=services.ItemSpec(
                category_id=cat.pk, code=code, name=name, points_min=lo, points_max=hi, cap_count=cap,
                cap_period=period, evidence_required=evidence))


def load(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    places = {p.code: p for p in Place.objects.filter(code__in=[KEY_TOWNSHIP, V1, V2])}
    users = {u.username: u for u in User.objects.filter(
        username__in=["dispatcher", "cadre", "cadre2", "gridworker", "reviewer", "villager"])}
    if V1 not in places or KEY_TOWNSHIP not in places or not {"dispatcher", "cadre", "reviewer"} <= set(users):
        say("积分制：演示村或演示账号不存在，跳过")
        return
    v1 = places[V1]
    if Scheme.objects.filter(place=v1, kind="villager", is_template=False).exists():
        say("积分制：已存在，跳过")
        return
    rng = random.Random(f"{seed}:points")
    today = ledger.today()
    start = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=1)
    adopted = dt.date(start.year, 1, 1) if start.month > 1 else start
    cadre, reviewer = users["cadre"], users["reviewer"]

    # 济源 道德积分储蓄站: a township template, adopted by the demo villages.
    template = services.scheme_create(
        acting_user=users["dispatcher"], place=places[KEY_TOWNSHIP], is_template=True,
        spec=services.SchemeSpec(name="道德积分储蓄站", kind="moral", description=(
            "按照“积孝、积善、积信、积勤、积俭、积美”细化积分内容，逐条赋分；积分可在爱心超市兑换商品，"
            "探索“道德积分+银行”“道德积分+商户”模式。"),
            star_thresholds=[{"stars": n, "min": m} for n, m in ((1, 5), (2, 10), (3, 15), (4, 20), (5, 30))]))
    _items(users["dispatcher"], template, MORAL)
    template = services.scheme_adopt(acting_user=users["dispatcher"], scheme=template, adopted_on=adopted)
    moral = services.scheme_copy_template(acting_user=cadre, template=template, village=v1,
                                          name=f"{v1.name}道德积分储蓄站")
    services.item_save(acting_user=cadre, scheme=moral, spec=services.ItemSpec(
        category_id=moral.categories.get(name="积美").pk, code="M04", name="美丽庭院示范户（本村增设）",
        points_min="2", points_max="2", cap_count=1, cap_period=Y))
    moral = services.scheme_adopt(acting_user=cadre, scheme=moral, adopted_on=adopted,
                          decision_note=f"{adopted:%Y年%m月%d}日村民代表大会表决通过（四议两公开）")
    if V2 in places and "cadre2" in users:
        m2 = services.scheme_copy_template(acting_user=users["cadre2"], template=template, village=places[V2])
        services.scheme_adopt(acting_user=users["cadre2"], scheme=m2, adopted_on=adopted,
                              decision_note=f"{adopted:%Y年%m月%d}日村民代表大会表决通过")

    # 安家村 村民积分.
    villager_scheme = services.scheme_create(acting_user=cadre, place=v1, spec=services.SchemeSpec(
        name="村民积分", kind="villager", blacklist_below="7", description=(
            "以村规民约为基础，细化遵纪守法、环境卫生、日常行为、社会服务、移风易俗、家庭美德6大类34个评分项目，"
            "赋予0.4—3分不同分值；负面清单10条，每条扣5分。实时记录+群众申报，一事一记；评议小组每月审核认定，"
            "每季度末月28日经村党总支审定后公示；年度积分低于7分的列入黑名单。"),
        star_thresholds=[{"stars": n, "min": m} for n, m in ((1, 2), (2, 4), (3, 6), (4, 8), (5, 10))],
        title_rules=["十星家庭户", "创业致富能手", "遵纪守法企业", "最佳经营土地能手"]))
    _items(cadre, villager_scheme, VILLAGER)
    villager_scheme = services.scheme_adopt(acting_user=cadre, scheme=villager_scheme, adopted_on=adopted,
                          decision_note=f"{adopted:%Y年%m月%d}日村民代表大会讨论表决通过（四议两公开）")
    say(f"积分制：道德积分储蓄站模板 {sum(len(i) for _, i in MORAL)} 项、村民积分 "
        f"{sum(len(i) for _, i in VILLAGER)} 项")

    # Records: four months, through the services (refused ones — caps, duplicates — are simply skipped).
    worker = users.get("gridworker")
    households = list(Household.objects.filter(village=v1, is_active=True).order_by("number")[:60])
    n_hh = {"small": 40, "county": 60}.get(scale, 40)
    households = households[:n_hh]
    villager = users.get("villager")
    own = villager.person.household if (villager and villager.person_id) else None
    if own is not None and own not in households:
        households.append(own)
    grid_path = {p.pk: p.path for p in Place.objects.filter(pk__in={h.place_id for h in households})}
    items = {s.pk: list(s.items.filter(active=True)) for s in (villager_scheme, moral)}
    made = 0
    day = start
    while day <= today:
        for h in households:
            if rng.random() > 0.12:
                continue
            scheme = villager_scheme if rng.random() < 0.75 else moral
            pool = items[scheme.pk]
            item = rng.choice([i for i in pool if not i.evidence_required and (i.points_max > 0 or rng.random() < 0.08)])
            recorder = worker if (worker and worker.has_perm_at("points.record", grid_path[h.place_id])) else cadre
            points = item.points_min if item.is_fixed else item.points_max
            try:
                services.entry_record(acting_user=recorder, item_id=item.pk, subject_id=h.pk, points=points,
                                      deed_date=day, note="")
                made += 1
            except ApplicationError:
                continue
        day += dt.timedelta(days=1)
    declared = 0
    if own is not None and villager is not None:
        for offset, code in ((40, "F01"), (12, "H04")):
            item = next(i for i in items[villager_scheme.pk] if i.code == code)
            try:
                from django.core.files.uploadedfile import SimpleUploadedFile

                services.entry_declare(acting_user=villager, item_id=item.pk, points=item.points_max,
                                       deed_date=today - dt.timedelta(days=offset), note="参加村里组织的活动",
                                       photos=[SimpleUploadedFile("deed.png", _png())])
                declared += 1
            except ApplicationError:
                continue

    # Monthly review of everything before this month; a few rejected, some adjusted down within the range.
    reviewed = 0
    month_start = today.replace(day=1)
    for entry in Entry.objects.filter(scheme__in=[villager_scheme, moral], status=EntryStatus.PENDING,
                                      deed_date__lt=month_start).select_related("item").order_by("deed_date", "pk"):
        roll = rng.random()
        try:
            if roll < 0.05:
                services.entry_review(acting_user=reviewer, entry_id=entry.pk, decision="reject",
                                      note=rng.choice(REJECT_REASONS))
            elif roll < 0.12 and not entry.item.is_fixed:
                services.entry_review(acting_user=reviewer, entry_id=entry.pk, decision="approve",
                                      points=entry.item.points_min, note="评议小组酌情调整")
            else:
                services.entry_review(acting_user=reviewer, entry_id=entry.pk, decision="approve")
            reviewed += 1
        except ApplicationError:
            continue

    # The branch approves the ended quarters; the last one is published.
    current = ledger.quarter_start(today)
    last = None
    for scheme in (villager_scheme, moral):
        quarters = sorted(set(Entry.objects.filter(scheme=scheme, quarter__lt=current)
                           .values_list("quarter", flat=True)))
        for q in quarters:
            try:
                row = services.quarter_approve(acting_user=cadre, scheme=scheme, starts_on=q,
                                               note="经村党总支部审定")
            except ApplicationError:
                continue
            if scheme == villager_scheme:
                last = row
    if last is not None:
        try:
            services.quarter_publish(acting_user=cadre, quarter_id=last.pk, starts_on=today,
                                     ends_on=today + dt.timedelta(days=6), contact="村委会")
        except ApplicationError as exc:
            say(f"积分制：季度公示未发布（{exc.message}）")
    published = Quarter.objects.filter(scheme=villager_scheme, status=QuarterStatus.PUBLISHED).count()
    say(f"积分制：记录 {made} 条、群众申报 {declared} 条、评议 {reviewed} 条、公示 {published} 个季度")


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 160, 90)).save(buf, "PNG")
    return buf.getvalue()

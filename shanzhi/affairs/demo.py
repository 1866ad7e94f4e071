"""Demo data of 村务决策与议事 (registry order 50): in the two demo villages a representatives' roster and a fixed
deliberation day; in the first village one 四议两公开 matter completed with both publications, one in progress
whose first 党员大会 failed its quorum (so the page shows the arithmetic), and a villager's topic with an open
online vote and comments. Idempotent (what exists by title is left alone); everything through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.timezone import now

from shanzhi.access.models import User
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date

from . import selectors, services, topics
from .choices import MeetingKind
from .models import Decision, DeliberationDay, Topic
from .testing import ensure_bodies, village_cadre, walk_decision

V1, V2 = "419001100201", "419001100202"
DONE_TITLE = "村集体果园对外发包"
OPEN_TITLE = "村东道路硬化工程"
TOPIC_TITLE = "在村口至小学路段安装路灯"


def _roster(village: Place, cadre: Any, today: dt.date, *, size: int) -> None:
    if selectors.representatives(village, today).exists():
        return
    # one representative per several households: the first adult of every n-th household
    seen: set[int] = set()
    picked = []
    for p in selectors.adults(village, today).order_by("household_id", "id").only("id", "household_id", "name")[:size * 12]:
        if p.household_id in seen:
            continue
        seen.add(p.household_id)
        if len(seen) % 3 == 1:
            picked.append(p)
        if len(picked) >= size:
            break
    for p in picked:
        services.representative_add(acting_user=cadre, village=village, person=p, term_start=dt.date(today.year - 1, 1, 1),
                                    term_end=dt.date(today.year + 3, 12, 31))


def load_demo(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    today = local_date(now())
    villages = {p.code: p for p in Place.objects.filter(code__in=[V1, V2])}
    if V1 not in villages:
        say("村务决策：演示村不存在，跳过")
        return
    for code, village in villages.items():
        cadre = User.objects.filter(username="cadre" if code == V1 else "cadre2").first() or village_cadre(village)
        _roster(village, cadre, today, size=12 if scale == "small" else 30)
        ensure_bodies(village, cadre)
        if not DeliberationDay.objects.filter(village=village).exists():
            topics.deliberation_day_set(acting_user=cadre, village=village, day_of_month=10)
    v1 = villages[V1]
    cadre = User.objects.filter(username="cadre").first() or village_cadre(v1)
    made = 0
    if not Decision.objects.filter(village=v1, title=DONE_TITLE).exists():
        d = services.decision_request(acting_user=cadre, place=v1, title=DONE_TITLE,
                                      summary="村北 40 亩集体果园承包期满，拟公开竞价发包，期限 5 年，底价每亩每年 600 元。")
        walk_decision(d, publish=True, acting_user=cadre)
        made += 1
    if not Decision.objects.filter(village=v1, title=OPEN_TITLE).exists():
        d = services.decision_request(acting_user=cadre, place=v1, title=OPEN_TITLE,
                                      summary="硬化村东道路 1.2 公里，宽 4.5 米，预算约 36 万元，申请以奖代补资金并由村集体自筹。")
        services.decision_propose(acting_user=cadre, decision=d, note="村党支部提议硬化村东道路，解决群众雨天出行难。")
        body = list(selectors.two_committee_members(v1, today).values_list("pk", flat=True))
        services.meeting_record(acting_user=cadre, decision=d, kind=MeetingKind.TWO_COMMITTEES, held_on=today,
                                attendee_ids=body, votes_for=len(body), votes_against=0, votes_abstain=0,
                                minutes="两委会议商议，一致同意提交党员大会审议。", venue="村委会会议室")
        members = list(selectors.party_members(v1).values_list("pk", flat=True))
        short = members[: max(0, -(-2 * len(members) // 3) - 1)]
        services.meeting_record(acting_user=cadre, decision=d, kind=MeetingKind.PARTY_CONGRESS, held_on=today,
                                attendee_ids=short, votes_for=len(short), votes_against=0, votes_abstain=0,
                                minutes="因农忙外出党员较多，到会人数不足，改期再开。", venue="村党群服务中心")
        supervisor = User.objects.filter(username="supervisor").first()
        if supervisor is not None:
            services.decision_comment(acting_user=supervisor, decision=d,
                                      text="党员大会到会人数未达三分之二，建议提前通知外出党员，改期召开。")
        made += 1
    if not Topic.objects.filter(village=v1, title=TOPIC_TITLE).exists():
        villager = User.objects.filter(username="villager", person__isnull=False).first()
        text = "村口到小学一段约 800 米没有路灯，学生晚自习放学和老人晚上出行不安全，建议安装太阳能路灯。"
        if villager is not None:
            t = topics.topic_propose(acting_user=villager, title=TOPIC_TITLE, description=text, category="public_works")
        else:
            t = topics.topic_propose(acting_user=cadre, village=v1, title=TOPIC_TITLE, description=text,
                                     category="public_works", body_name="村民议事会")
        topics.topic_step(acting_user=cadre, topic=t, transition="accept", note="列入本月议事清单。")
        at = now()
        topics.topic_review(acting_user=cadre, topic=t, eligibility="households", secret=True,
                            vote_opens_at=at - dt.timedelta(hours=1), vote_closes_at=at + dt.timedelta(days=7),
                            note="每户一票，无记名网上投票 7 天。")
        topics.topic_deliberate(acting_user=cadre, topic=t)
        topics.topic_comment(acting_user=cadre, topic=t, text="初步测算 25 盏太阳能路灯约 5 万元，欢迎大家提意见。")
        made += 1
    say(f"村务决策与议事：{len(villages)} 个村的村民代表和议事日，新增决策/议题 {made} 项")

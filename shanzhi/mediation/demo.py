"""Demo data of 矛盾纠纷调解 (registry order 40, small scale): the county third-party centre and a medical trade
committee, the 克井镇 centre, a committee in each of the two demo villages with members (women included, so the
committee rule holds), an expert pool, the legal adviser of each demo village (account ``lawyer``), and a handful
of cases in different steps — one court referral archived with a complete file, one in mediation, one failed, one
refused, a villager's application waiting for acceptance. Everything through the services; idempotent (what exists
by name or title is left alone). The county-scale bulk history is the statistics' own loader (``bulk.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.utils.timezone import now

from shanzhi.access.models import User
from shanzhi.access.roles import Role
from shanzhi.core.identity import make_id_number
from shanzhi.regions.models import Place
from shanzhi.workflow.calendar import local_date

from . import services
from .models import Case, LegalAdviser, Mediator, Organisation

COUNTY, TOWNSHIP, V1, V2 = "419001000000", "419001100000", "419001100201", "419001100202"


def _admin() -> User | None:
    return User.objects.filter(username="admin").first() or User.objects.filter(is_superuser=True).first()


def _org(admin: Any, place: Place, name: str, kind: str, abbreviation: str, trade: str = "") -> Organisation:
    found = Organisation.objects.filter(place=place, name=name).first()
    return found or services.organisation_create(acting_user=admin, place=place, name=name, kind=kind,
                                                 abbreviation=abbreviation, trade=trade)


def _mediator(admin: Any, place: Place, name: str, sex: str, **kw: Any) -> Mediator:
    found = Mediator.objects.filter(place=place, name=name).first()
    return found or services.mediator_create(acting_user=admin, place=place, name=name, sex=sex, **kw)


def _member(admin: Any, org: Organisation, m: Mediator, post: str, since: dt.date) -> None:
    if not org.memberships.filter(mediator=m, is_active=True).exists():
        services.membership_add(acting_user=admin, organisation=org, mediator=m, post=post, started_on=since)


def _id(n: int, male: bool = True) -> str:
    return make_id_number("419001", dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 27), 700 + n * 2 + (1 if male else 0))


def _scan(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name=name)


def _parties(a: str, an: int, b: str, bn: int, *, b_male: bool = True) -> list[dict[str, Any]]:
    return [{"role": "applicant", "name": a, "id_number": _id(an), "phone": f"1390000{an:04d}"},
            {"role": "respondent", "name": b, "id_number": _id(bn, male=b_male)}]


def _to_mediating(user: Any, case: Case, lead: Mediator, co: Mediator | None, findings: str, minutes: str) -> None:
    services.case_assign(acting_user=user, case=case, mediator=lead.pk, co_mediator=co.pk if co else None)
    services.case_investigate(acting_user=user, case=case, findings=findings)
    services.case_inform(acting_user=user, case=case)
    services.case_start_mediation(acting_user=user, case=case)
    services.session_record(acting_user=user, case=case, held_at=now() - dt.timedelta(hours=2), mode="on_site",
                            location="村人民调解室", attendance="双方当事人、调解员", minutes=minutes)


def load(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    admin = _admin()
    places = {p.code: p for p in Place.objects.filter(code__in=[COUNTY, TOWNSHIP, V1, V2])}
    if admin is None or len(places) < 4:
        say("矛盾调解：演示区划或管理员账号缺失，跳过")
        return
    county, township, v1, v2 = (places[c] for c in (COUNTY, TOWNSHIP, V1, V2))
    since = dt.date(local_date(now()).year - 1, 1, 1)
    centre = _org(admin, county, "济源市矛盾纠纷多元化解中心", "county", "济源")
    medical = _org(admin, county, "济源市医疗纠纷人民调解委员会", "trade", "济医调", trade="medical")
    town = _org(admin, township, f"{township.name}矛盾纠纷调解中心", "township", "济克井")
    c1 = _org(admin, v1, f"{v1.name}人民调解委员会", "village", "济克东")
    c2 = _org(admin, v2, f"{v2.name}人民调解委员会", "village", "济克西")

    account = User.objects.filter(username="mediator").first()
    lead = _mediator(admin, township, "王建国", "M", user=account if account and not Mediator.objects.filter(
        user=account).exists() and account.has_perm_at("mediation.handle", township.path) else None,
        specialties=["neighbour", "land", "marriage"], honours="金牌调解员", phone="13903910001")
    _member(admin, town, lead, "director", since)
    _member(admin, town, _mediator(admin, township, "李秀兰", "F", specialties=["marriage"]), "mediator", since)
    for org, village, names in ((c1, v1, (("张德福", "M", "director"), ("刘桂英", "F", "member"),
                                          ("赵明", "M", "member"))),
                                (c2, v2, (("陈守义", "M", "director"), ("孙玉梅", "F", "member"),
                                          ("周强", "M", "member"), ("吴红", "F", "mediator")))):
        for name, sex, post in names:
            _member(admin, org, _mediator(admin, village, name, sex, specialties=["neighbour"]), post, since)
    experts = [_mediator(admin, county, "郑律师", "F", in_expert_pool=True, profession="律师",
                         specialties=["contract", "labour", "damages"]),
               _mediator(admin, county, "何法官", "M", in_expert_pool=True, profession="退休法官",
                         specialties=["land", "expropriation"], honours="金牌调解员"),
               _mediator(admin, county, "冯医生", "M", in_expert_pool=True, profession="主任医师",
                         specialties=["medical"])]
    _member(admin, centre, experts[0], "mediator", since)
    _member(admin, centre, experts[1], "director", since)
    _member(admin, medical, experts[2], "director", since)

    lawyer = User.objects.filter(username="lawyer").first()
    if lawyer is None:
        from shanzhi.access.services import role_assign, user_create

        lawyer = user_create(acting_user=None, username="lawyer", password="Shanzhi@2026", full_name="周律师",
                             must_change_password=False)
        role_assign(acting_user=None, user=lawyer, role=Role.LEGAL_ADVISER, place=township)
    for village in (v1, v2):
        if not LegalAdviser.objects.filter(village=village, is_active=True).exists():
            services.legal_adviser_appoint(acting_user=admin, village=village, user=lawyer, name="周律师",
                                           firm="河南济源正义律师事务所", started_on=since)

    handler = account if account and account.has_perm_at("mediation.handle", v1.path) else admin
    made = _cases(handler, c1, v1, lead, experts)
    say(f"矛盾调解：5 个调解组织、{Mediator.objects.count()} 名调解员、{made} 件演示案件")


def _cases(user: Any, org: Organisation, village: Place, lead: Mediator, experts: list[Mediator]) -> int:
    made = 0
    today = local_date(now())
    deadline = today + dt.timedelta(days=20)
    title = "房后排水沟改道邻里纠纷"
    if not Case.objects.filter(title=title).exists():
        case = services.case_register(
            acting_user=user, organisation=org, place=village, source="court", referring_body="济源市人民法院",
            referral_reference=f"（{today.year}）豫9001民诉前调218号", dispute_type="neighbour", title=title,
            facts="两户因房后排水沟改道发生争执，致申请人墙基受损。", amount="3000",
            parties=_parties("刘建设", 1, "陈福来", 2))
        _to_mediating(user, case, lead, None, "走访四邻、查看现场，排水沟确于去年改道。", "双方陈述，调解员释法说理，被申请人同意赔偿。")
        services.case_agree(acting_user=user, case=case, disputed_matters="排水沟改道致墙基受损，双方就赔偿与改道发生争议。",
                            responsibilities="被申请人负主要责任。", content="被申请人赔偿申请人修缮费2000元，并于房后另挖排水沟。",
                            performance_manner="现金一次性支付", performance_deadline=deadline)
        services.visit_record(acting_user=user, case=case, visited_on=today, way="home", visited_party="刘建设",
                              performance="done", feedback="已收到赔偿，新沟已挖好。")
        services.document_upload(acting_user=user, case=case, kind="agreement", title="各方签字盖章的协议书",
                                 file=_scan("agreement.pdf"))
        services.document_upload(acting_user=user, case=case, kind="identity", title="双方身份证复印件",
                                 file=_scan("identity.pdf"))
        services.court_report(acting_user=user, case=case, note="已达成调解协议并履行完毕，函告委派法院。")
        services.case_archive(acting_user=user, case=case, retention="10y")
        made += 1
    title = "宅基地边界纠纷"
    if not Case.objects.filter(title=title).exists():
        case = services.case_register(
            acting_user=user, organisation=org, place=village, source="screening", dispute_type="land", title=title,
            facts="两户翻建房屋时对宅基地东西边界认识不一，互不相让。", land_parcel="东坡村三组 宅基地 J-0312",
            parties=_parties("王有田", 3, "李长顺", 4), risk_level="medium", requested_mediator=experts[1].pk)
        _to_mediating(user, case, experts[1], lead, "调取宅基地使用证和1998年确权图。", "双方各执一词，约定下次携带证件现场测量。")
        made += 1
    title = "赡养费纠纷"
    if not Case.objects.filter(title=title).exists():
        case = services.case_register(
            acting_user=user, organisation=org, place=village, source="application", dispute_type="marriage",
            title=title, facts="老人要求三个子女按月给付赡养费，次子不同意分担。", amount="6000",
            parties=_parties("赵老汉", 5, "赵二军", 6))
        _to_mediating(user, case, lead, None, "走访老人及三名子女。", "次子坚持不分担，分歧较大。")
        services.case_fail(acting_user=user, case=case, advice="已告知当事人可向济源市人民法院提起赡养费诉讼，并可申请法律援助。")
        made += 1
    title = "酒后损坏财物纠纷"
    if not Case.objects.filter(title=title).exists():
        case = services.case_register(
            acting_user=user, organisation=org, place=village, source="police", referring_body="克井派出所",
            referral_reference="克警调〔2026〕15号", dispute_type="damages", title=title, facts="酒后砸坏邻居窗户。",
            amount="800", parties=_parties("孙平", 7, "钱多", 8))
        party = case.parties.get(role="respondent")
        services.party_refuse(acting_user=user, case=case, party_id=party.pk, refused_on=today,
                              statement="不同意调解，要求派出所依法处理。")
        made += 1
    villager = User.objects.filter(username="villager").first()
    title = "邻居夜间施工噪音"
    if villager is not None and not Case.objects.filter(title=title).exists():
        services.case_apply(acting_user=villager, place=village, dispute_type="neighbour", title=title,
                            facts="邻居连续一周夜间十点后施工，影响老人休息。",
                            applicant={"name": villager.full_name or "村民", "id_number": _id(9)},
                            respondent={"name": "周大海", "id_number": _id(10)})
        made += 1
    return made

"""Demo data of the public legal services (loader order 45, ``shanzhi/demo/registry.py``): the law library's
key articles of 人民调解法 (and the 民法典's neighbour rule), the demo villager's questions (one answered), a
legal-aid application (accepted) and a notarisation application (submitted), and two exemplary cases — all
through the services. Idempotent: a marker audit entry (``legal_demo_load``) says it was loaded."""

from __future__ import annotations

from collections.abc import Callable

from shanzhi.access.models import User
from shanzhi.access.roles import Role
from shanzhi.access.services import role_assign, user_create
from shanzhi.audit.models import AuditAction, AuditEntry
from shanzhi.audit.services import audit_record
from shanzhi.regions.models import Place

from . import services
from .choices import ApplicationKind

MARKER = "legal_demo_load"
MEDIATION_LAW = "中华人民共和国人民调解法"
CIVIL_CODE = "中华人民共和国民法典"

# 人民调解法 (2010年8月28日通过, 2011年1月1日施行): the articles mediation work cites most.
ARTICLES: list[tuple[str, int, str]] = [
    (MEDIATION_LAW, 1, "为了完善人民调解制度，规范人民调解活动，及时解决民间纠纷，维护社会和谐稳定，根据宪法，制定本法。"),
    (MEDIATION_LAW, 2, "本法所称人民调解，是指人民调解委员会通过说服、疏导等方法，促使当事人在平等协商基础上自愿达成调解协议，"
                       "解决民间纠纷的活动。"),
    (MEDIATION_LAW, 3, "人民调解委员会调解民间纠纷，应当遵循下列原则：\n（一）在当事人自愿、平等的基础上进行调解；\n"
                       "（二）不违背法律、法规和国家政策；\n（三）尊重当事人的权利，不得因调解而阻止当事人依法通过仲裁、行政、"
                       "司法等途径维护自己的权利。"),
    (MEDIATION_LAW, 4, "人民调解委员会调解民间纠纷，不收取任何费用。"),
    (MEDIATION_LAW, 8, "村民委员会、居民委员会设立人民调解委员会。企业事业单位根据需要设立人民调解委员会。\n"
                       "人民调解委员会由委员三至九人组成，设主任一人，必要时，可以设副主任若干人。\n"
                       "人民调解委员会应当有妇女成员，多民族居住的地区应当有人数较少民族的成员。"),
    (MEDIATION_LAW, 17, "当事人可以向人民调解委员会申请调解；人民调解委员会也可以主动调解。当事人一方明确拒绝调解的，不得调解。"),
    (MEDIATION_LAW, 18, "基层人民法院、公安机关对适宜通过人民调解方式解决的纠纷，可以在受理前告知当事人向人民调解委员会申请调解。"),
    (MEDIATION_LAW, 21, "人民调解员调解民间纠纷，应当坚持原则，明法析理，主持公道。\n调解民间纠纷，应当及时、就地进行，防止矛盾激化。"),
    (MEDIATION_LAW, 23, "当事人在人民调解活动中享有下列权利：\n（一）选择或者接受人民调解员；\n（二）接受调解、拒绝调解或者要求终止调解；\n"
                        "（三）要求调解公开进行或者不公开进行；\n（四）自主表达意愿、自愿达成调解协议。"),
    (MEDIATION_LAW, 25, "人民调解员在调解纠纷过程中，发现纠纷有可能激化的，应当采取有针对性的预防措施；对有可能引起治安案件、"
                        "刑事案件的纠纷，应当及时向当地公安机关或者其他有关部门报告。"),
    (MEDIATION_LAW, 26, "人民调解员调解纠纷，调解不成的，应当终止调解，并依据有关法律、法规的规定，告知当事人可以依法通过仲裁、行政、"
                        "司法等途径维护自己的权利。"),
    (MEDIATION_LAW, 28, "经人民调解委员会调解达成调解协议的，可以制作调解协议书。当事人认为无需制作调解协议书的，可以采取口头协议方式，"
                        "人民调解员应当记录协议内容。"),
    (MEDIATION_LAW, 29, "调解协议书可以载明下列事项：\n（一）当事人的基本情况；\n（二）纠纷的主要事实、争议事项以及各方当事人的责任；\n"
                        "（三）当事人达成调解协议的内容，履行的方式、期限。\n"
                        "调解协议书自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。"
                        "调解协议书由当事人各执一份，人民调解委员会留存一份。"),
    (MEDIATION_LAW, 31, "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。\n"
                        "人民调解委员会应当对调解协议的履行情况进行监督，督促当事人履行约定的义务。"),
    (MEDIATION_LAW, 32, "经人民调解委员会调解达成调解协议后，当事人之间就调解协议的履行或者调解协议的内容发生争议的，"
                        "一方当事人可以向人民法院提起诉讼。"),
    (MEDIATION_LAW, 33, "经人民调解委员会调解达成调解协议后，双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院"
                        "申请司法确认，人民法院应当及时对调解协议进行审查，依法确认调解协议的效力。\n"
                        "人民法院依法确认调解协议有效，一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。\n"
                        "人民法院依法确认调解协议无效的，当事人可以通过人民调解方式变更原调解协议或者达成新的调解协议，"
                        "也可以向人民法院提起诉讼。"),
    (CIVIL_CODE, 288, "不动产的相邻权利人应当按照有利生产、方便生活、团结互助、公平合理的原则，正确处理相邻关系。"),
]

CASES = [
    {"title": "宅基地边界砌墙引发的邻里纠纷", "dispute_type": "邻里纠纷", "party_names": ["王建国", "李秀英"],
         "summary": "王建国与李秀英两家宅基地相邻。王建国翻建院墙时将墙基向李秀英一侧外扩约三十厘米，李秀英认为侵占其宅基地，"
                 "双方多次争吵，李秀英向村委会反映。村人民调解委员会受理后，会同镇国土所依据宅基地使用证"
                 "实地测量，确认墙基越界二十八厘米。",
         "resolution": "经调解，王建国同意自费将越界墙基拆除并退回原界线，李秀英同意对方在界线上砌筑共用墙，费用双方各半，"
                    "双方签订调解协议并当场履行。",
         "commentary": "相邻关系纠纷以事实为依据，先测量、后调解，依据民法典“有利生产、方便生活、团结互助、公平合理”的原则提出方案，"
                    "既解决了眼前的纠纷，也修复了邻里关系。",
         "laws_cited": "《中华人民共和国民法典》第二百八十八条；《中华人民共和国人民调解法》第二十九条"},
    {"title": "赡养老人费用分担纠纷", "dispute_type": "婚姻家庭纠纷", "party_names": ["赵大海", "赵二河", "赵桂兰"],
         "summary": "赵桂兰年逾八旬，有两子赵大海、赵二河。兄弟二人因赡养费分担和轮流照料问题长期推诿，赵桂兰向村人民调解委员会"
                 "求助。调解员走访了解到，兄弟二人对父母早年分家时的财产分配心存芥蒂。",
         "resolution": "调解员讲解赡养义务不因分家而免除，兄弟二人达成协议：每人每月给付赡养费五百元，按季度轮流接老人同住，"
                    "医疗费用凭票据均摊。回访时协议已按期履行。",
         "commentary": "家庭纠纷要解开心结。调解员把法理和情理结合起来，明确赡养义务是法定义务，又照顾到兄弟双方的感受。",
         "laws_cited": "《中华人民共和国民法典》第一千零六十七条；《中华人民共和国人民调解法》第三十一条"},
]


def load(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    if AuditEntry.objects.filter(event=MARKER).exists():
        return
    for law, number, text in ARTICLES:
        services.law_article_save(acting_user=None, law=law, number=number, text=text)
    villager = User.objects.filter(username="villager").first()
    village = Place.objects.filter(code="419001100201").first()
    if villager is None or village is None:
        audit_record(actor=None, action=AuditAction.CREATE, event=MARKER, detail="法律服务演示数据（仅法律条文）")
        say(f"法律服务：{len(ARTICLES)} 条法律条文（无演示村民账号，未建咨询与申请）")
        return
    advisers = services.advisers_for(village)
    if not advisers:
        adviser = User.objects.filter(username="lawyer").first() or user_create(
            acting_user=None, username="lawyer", password="Shanzhi@2026", full_name="周律师", must_change_password=False)
        role_assign(acting_user=None, user=adviser, role=Role.LEGAL_ADVISER, place=village)
        advisers = [adviser]
    adviser = advisers[0]
    c1 = services.consultation_ask(acting_user=villager, question="邻居家翻建院墙，把墙基往我家宅基地这边砌了三十多公分，"
                                   "我跟他说他不听，我该怎么办？")
    services.consultation_answer(acting_user=adviser, consultation=c1, answer=(
        "根据《民法典》第二百八十八条，相邻各方应当按照有利生产、方便生活、团结互助、公平合理的原则处理相邻关系。"
        "建议您先带上宅基地使用证，向村人民调解委员会申请调解，由调委会会同国土所实地测量确认边界；调解不成的，"
        "可以向镇政府申请确权，或者向人民法院起诉要求排除妨碍。调解不收取任何费用。"))
    services.consultation_ask(acting_user=villager, question="我在外地工地干活，老板拖欠了三个月工资，回村后能在这里申请法律援助吗？")
    phone = villager.phone or "13912345678"
    aid = services.application_submit(acting_user=villager, kind=ApplicationKind.AID, matter="请求确认劳动关系或者支付劳动报酬",
                                       facts="2026年在某建筑工地务工，包工头拖欠三个月工资共一万八千元，多次讨要未果。", phone=phone)
    services.application_accept(acting_user=adviser, application=aid)
    services.application_submit(acting_user=villager, kind=ApplicationKind.NOTARY, matter="委托",
                                facts="本人长期在外务工，委托妻子办理家中承包地流转合同签订事宜，需办理委托公证。", phone=phone)
    publisher = village.parent if village.parent_id else village
    adviser_place = publisher if adviser.has_perm_at("legal.answer", publisher.path) else village
    for case in CASES:
        services.exemplary_case_create(acting_user=adviser, place=adviser_place, **case)
    audit_record(actor=None, action=AuditAction.CREATE, event=MARKER, detail="法律服务演示数据")
    say(f"法律服务：{len(ARTICLES)} 条法律条文、2 条咨询、2 件申请、{len(CASES)} 个典型案例")

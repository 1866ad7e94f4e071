"""Demo data of 权力清单与村规民约 (registry order 55, after the affairs loader): the key township's four template
lists (乡镇模板), adopted by every village of the township (two of them adapt an item and publish their 小微权力
清单), and the village rules of the two demo villages, drafted, heard (四听) and adopted by a 四议两公开 decision,
then published; the first village also has a second version in hearing, so the diff shows something.
Idempotent: what exists is left alone. Everything goes through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from shanzhi.access.models import User
from shanzhi.publication import clock
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place

from . import services
from .choices import DisclosureDuty as D
from .choices import HearingParty, PowerListKind, RulesStatus
from .models import PowerList, RulesVersion

KEY_TOWNSHIP = "419001100000"
V1, V2 = "419001100201", "419001100202"

DECIDE = ["村党组织提议", "村“两委”会议商议", "党员大会审议", "村民（代表）会议决议", "决议公开", "实施结果公开"]

# (name, legal basis, responsible body, steps, disclosure, disclosure note, risks)
TEMPLATES: dict[str, list[tuple[str, str, str, list[str], str, str, str]]] = {
    PowerListKind.MICRO_POWER: [
        ("村级重大事项决策", "《中华人民共和国村民委员会组织法》第二十四条；“四议两公开”工作法",
         "村党组织、村民委员会", DECIDE, D.BEFORE_AND_AFTER, "决议内容和实施结果在村务公开栏公示不少于7天",
         "未经集体决策由个人说了算\n会议记录不全、参会人数不足法定要求\n决议未公开或公开不及时"),
        ("村级工程项目建设", "《中华人民共和国招标投标法》；《河南省村级小型工程项目管理办法》",
         "村民委员会、村务监督委员会", ["项目申报", "四议两公开决策", "乡镇审核", "公开招标或比选", "签订合同",
                                     "施工监管", "竣工验收", "结算公开"], D.BEFORE_AND_AFTER, "项目、中标单位、金额、验收结果",
         "化整为零规避招标\n指定施工单位、围标串标\n虚报工程量、验收走过场"),
        ("村级财务收支", "《村集体经济组织会计制度》；村账乡代管制度", "村民委员会、乡镇农经站",
         ["经办人取得票据并注明用途", "村务监督委员会审核", "村党组织书记审批", "乡镇代理记账员审核入账", "按月公开"],
         D.MONTHLY, "每月10日前公开上月收支明细", "白条入账、虚开票据\n超标准开支招待费\n未经审核即支付"),
        ("低保、特困对象申请初审", "《社会救助暂行办法》第十一条；《最低生活保障审核确认办法》",
         "村民委员会（协助乡镇人民政府）", ["村民提出申请", "入户调查核实", "村民代表民主评议", "村内公示7天", "报乡镇审核",
                                          "县民政局审批"], D.RESULT, "评议结果和拟保对象名单（姓名脱敏）",
         "优亲厚友、人情保关系保\n隐瞒家庭收入和财产\n评议未经民主程序"),
        ("宅基地申请审查", "《中华人民共和国土地管理法》第六十二条；《农村宅基地审批管理办法》",
         "村民小组、村民委员会", ["农户提出书面申请", "村民小组会议讨论", "村级审查并公示", "报乡镇审批", "乡镇实地放线",
                                  "竣工验收"], D.BEFORE_AND_AFTER, "申请人、位置、面积", "一户多宅、超面积审批\n未批先建\n收受好处费"),
        ("集体资产资源发包租赁", "《中华人民共和国农村土地承包法》；《农村集体经济组织财务制度》",
         "村集体经济组织、村民委员会", ["拟定发包方案", "四议两公开决策", "公开竞价", "签订合同", "合同备案", "收益公开"],
         D.BEFORE_AND_AFTER, "标的、承包方、价格、期限", "低价发包、暗箱操作\n合同期限过长\n租金不入账"),
        ("救灾救济物资发放", "《自然灾害救助条例》第二十条", "村民委员会",
         ["受灾群众申报", "村民代表评议", "公示3天", "发放并签字", "结果公开"], D.RESULT, "受助对象和物资数量",
         "优亲厚友、截留挪用\n发放不签字无凭证"),
        ("村级印章使用管理", "《村民委员会印章管理办法》", "村党组织书记、村文书",
         ["申请人填写用章登记", "村党组织书记审批", "专人用印并登记"], D.ON_REQUEST, "用章登记簿可供查阅",
         "违规出具证明\n空白介绍信盖章"),
    ],
    PowerListKind.AUTONOMY: [
        ("召集村民会议和村民代表会议", "《中华人民共和国村民委员会组织法》第二十一条至第二十六条", "村民委员会",
         ["拟定议题", "提前7日通知", "召开会议并记录", "形成决议", "决议公开"], D.RESULT, "会议议题和决议", ""),
        ("制定和修改村规民约、村民自治章程", "《中华人民共和国村民委员会组织法》第二十七条", "村民会议",
         ["起草", "听取乡贤、人大代表、驻村干部、村民代表意见", "四议两公开表决", "报乡镇备案", "公布施行"],
         D.BEFORE_AND_AFTER, "草案征求意见，通过后全文公布", "内容违反法律或侵犯村民合法权益"),
        ("调解民间纠纷", "《中华人民共和国人民调解法》", "村人民调解委员会",
         ["受理", "调查了解", "调解", "制作调解协议", "回访"], D.ON_REQUEST, "调解员名单和调解程序", "久调不决、矛盾上交"),
        ("兴办村公益事业（一事一议）", "《村民一事一议筹资筹劳管理办法》", "村民委员会",
         ["提出议题", "村民（代表）会议议定", "报乡镇审核", "组织实施", "结果公开"], D.BEFORE_AND_AFTER,
         "筹资筹劳数额和使用情况", "超标准筹资、强行摊派"),
    ],
    PowerListKind.ASSIST: [
        ("协助开展城乡居民基本养老保险和医疗保险征缴", "《中华人民共和国社会保险法》", "村民委员会",
         ["宣传动员", "登记参保信息", "协助缴费", "结果公示"], D.RESULT, "参保人数", ""),
        ("协助开展征兵工作", "《中华人民共和国兵役法》", "村民委员会、民兵连",
         ["宣传政策", "适龄青年登记", "协助体检政审", "欢送入伍"], D.RESULT, "应征青年名单", ""),
        ("协助做好安全生产和防灾减灾巡查", "《中华人民共和国安全生产法》；《中华人民共和国突发事件应对法》",
         "村民委员会、网格员", ["网格员日常巡查", "发现隐患上报", "协助整改", "复查销号"], D.QUARTERLY, "隐患和整改情况",
         "巡查不到位、隐患瞒报"),
        ("协助开展人口信息采集和更新", "《全国人口普查条例》", "村民委员会、网格员",
         ["入户采集", "核对更新", "上报乡镇"], D.ON_REQUEST, "", "泄露个人信息"),
    ],
    PowerListKind.PUBLIC_SERVICE: [
        ("代办社会保障卡和高龄津贴申请", "《河南省高龄津贴发放办法》", "村党群服务中心代办员",
         ["群众申请", "代办员收件", "报乡镇便民服务中心", "办结告知"], D.RESULT, "办理进度", "吃拿卡要、推诿拖延"),
        ("出具居住等事实证明", "《关于改进和规范基层群众性自治组织出具证明工作的指导意见》", "村民委员会",
         ["群众申请", "核实情况", "按保留证明事项清单出具", "登记存档"], D.ON_REQUEST, "证明事项清单",
         "出具清单外证明\n虚假证明"),
        ("残疾人证申领代办", "《中华人民共和国残疾人保障法》", "村党群服务中心代办员",
         ["群众申请", "代办员收件", "协助评残", "送证上门"], D.RESULT, "", ""),
    ],
}

PREAMBLE = ("为推进移风易俗、弘扬社会主义核心价值观，建设文明和谐美丽乡村，根据《中华人民共和国村民委员会组织法》等"
            "法律法规，经全体村民讨论，制定本村规民约。")

CLAUSES: list[tuple[str, str]] = [
    ("总则", "村民应遵守国家法律法规，爱党爱国，维护社会稳定，自觉履行公民义务。"),
    ("社会治安", "村民之间发生矛盾纠纷，应通过协商或申请村人民调解委员会调解解决，不得聚众闹事、打架斗殴，不得越级缠访。"),
    ("社会治安", "严禁赌博、吸毒、封建迷信活动；发现可疑人员和违法行为，应及时向网格员或村委会报告。"),
    ("消防安全", "不在田间地头焚烧秸秆和垃圾，不在林区野外用火；红白喜事燃放烟花爆竹须在指定地点并有人看管。"),
    ("村容村貌", "实行“门前三包”，生活垃圾分类投放到指定地点，不乱倒乱堆、乱搭乱建，不占用道路堆放柴草杂物。"),
    ("村容村貌", "畜禽圈养，粪污及时清理，不得散放家禽家畜污染道路和公共场所。"),
    ("移风易俗", "婚事新办、丧事简办，婚宴不超过15桌，不索要高额彩礼；丧事不大操大办，提倡文明祭祀。"),
    ("移风易俗", "除婚丧嫁娶外，不办升学宴、满月宴、乔迁宴等宴席，不互相攀比、铺张浪费。"),
    ("孝老爱亲", "子女应履行赡养义务，关心老人生活和身体健康，不得虐待、遗弃老人；倡导评选“好媳妇”“好婆婆”。"),
    ("孝老爱亲", "夫妻平等、邻里和睦，反对家庭暴力；适龄儿童应依法接受义务教育，不得辍学。"),
    ("土地与建房", "村民建房须依法申请宅基地，经批准后按规划建设，不得未批先建、超面积占地，不得在耕地上建房。"),
    ("集体财产", "爱护村内道路、路灯、水利、健身器材等公共设施，损坏的照价赔偿；集体资产资源发包须经村民（代表）会议决定。"),
    ("民主管理", "村民有权参加村民会议、参与议事协商，有权对村务公开内容提出质询；村干部应按期公开党务、村务、财务。"),
    ("积分激励", "本村实行积分制管理，遵守本村规民约、热心公益的农户按积分办法加分并兑换奖励；违反本村规民约的按办法扣分。"),
    ("附则", "违反本村规民约的，由村民委员会批评教育、责令改正，并可列入“红黑榜”；构成违法的，移交有关部门依法处理。"
             "本村规民约经村民（代表）会议通过之日起施行。"),
]

# The second version of the first village: a revision in hearing (a changed, an added and a removed clause).
REVISED = {7: ("移风易俗", "婚事新办、丧事简办，婚宴不超过10桌，彩礼不超过3万元；丧事不大操大办，提倡文明祭祀、绿色殡葬。")}
ADDED = ("垃圾分类", "推行农村生活垃圾“二次四分法”，可回收物卖给回收点，厨余垃圾就地堆肥，有害垃圾交村收集点。")
REMOVED_NUMBER = 8

HEARINGS = [
    (HearingParty.SAGES, "退休教师、老党员等乡贤", 6, "建议把红白喜事的桌数和彩礼写具体，便于执行。", "已在第七条写明桌数。"),
    (HearingParty.DEPUTIES, "镇人大代表、县政协委员", 2, "建议增加村民民主权利的条款，和积分制衔接。", "增加第十三条、第十四条。"),
    (HearingParty.CADRES, "驻村第一书记、包村干部、村“两委”成员", 7, "秸秆禁烧要与镇里的网格化巡查结合。", "第四条已采纳。"),
    (HearingParty.REPRESENTATIVES, "各村民小组村民代表", 15, "同意草案，希望张贴到各组公开栏。", "生效后在公开栏公示。"),
]



def _template_title(township: str, label: str) -> str:
    """克井镇村级小微权力清单（模板）; a label that already says 村级 is not given it twice."""
    return f"{township}{'' if label.startswith('村级') else '村级'}{label}（模板）"

def _user(username: str) -> Any:
    return User.objects.filter(username=username, is_active=True).first()


def _items(kind: str) -> list[services.ItemInput]:
    return [services.ItemInput(name=n, legal_basis=b, responsible_body=r, steps=list(s), disclosure=d,
                               disclosure_note=note, risks=risks) for n, b, r, s, d, note, risks in TEMPLATES[kind]]


def _power_lists(township: Place, villages: list[Place], say: Callable[[str], None]) -> None:
    dispatcher = _user("dispatcher")
    if dispatcher is None:
        return
    made = 0
    for kind in TEMPLATES:
        template = PowerList.objects.filter(place=township, kind=kind).first()
        if template is None:
            template = services.power_list_create(acting_user=dispatcher, place=township, kind=kind,
                                                  title=_template_title(township.name, str(PowerListKind(kind).label)))
            for data in _items(kind):
                services.power_item_create(acting_user=dispatcher, power_list=template, data=data)
            made += 1
        for village in villages:
            if not PowerList.objects.filter(place=village, kind=kind).exists():
                services.power_list_adopt(acting_user=dispatcher, template=template, village=village)
    say(f"权力清单：乡镇模板新增 {made} 份，{len(villages)} 个村采用")
    for username, code in (("cadre", V1), ("cadre2", V2)):
        cadre = _user(username)
        if cadre is None:
            continue
        for own in PowerList.objects.filter(place__code=code, publication_id__isnull=True).order_by("kind"):
            _adapt_and_publish(own, cadre)


def _adapt_and_publish(own: PowerList, cadre: Any) -> None:
    """The village adapts one item of its 小微权力清单 to its own practice, then publishes each list."""
    if own.kind == PowerListKind.MICRO_POWER:
        item = own.items.filter(name="村级财务收支").first()
        if item is not None:
            services.power_item_update(acting_user=cadre, item=item, data=services.ItemInput(
                name=item.name, legal_basis=item.legal_basis, responsible_body=item.responsible_body,
                steps=["经办人取得票据并注明用途", "村民主理财小组审核", "村务监督委员会审核", "村党组织书记审批",
                       "乡镇代理记账员审核入账", "按月公开"],
                disclosure=item.disclosure, disclosure_note=item.disclosure_note, risks=item.risks))
    services.power_list_publish(acting_user=cadre, power_list=own)


def _rules(village: Place, cadre: Any, say: Callable[[str], None]) -> None:
    if RulesVersion.objects.filter(village=village).exists():
        return
    version = services.rules_version_create(acting_user=cadre, village=village, title=f"{village.name}村规民约",
                                            preamble=PREAMBLE)
    services.rules_clauses_set(acting_user=cadre, version=version,
                               clauses=[services.ClauseInput(heading=h, text=t) for h, t in CLAUSES])
    services.rules_hearing_open(acting_user=cadre, version=version)
    today = clock.today()
    for n, (party, who, count, opinions, response) in enumerate(HEARINGS):
        services.rules_hearing_record(acting_user=cadre, version=version, party=party,
                                      held_on=today - dt.timedelta(days=20 - 3 * n), participants=who,
                                      participant_count=count, opinions=opinions, response=response)
    version = services.rules_submit(acting_user=cadre, version=version)
    try:
        from shanzhi.affairs import api as affairs
        from shanzhi.affairs.models import Decision
        from shanzhi.affairs.testing import walk_decision
    except ImportError:  # pragma: no cover - affairs is part of the project; kept for a partial install
        return
    walk_decision(Decision.objects.get(pk=version.decision_id), passed=True, acting_user=cadre)
    version.refresh_from_db()
    if version.status == RulesStatus.ADOPTING and affairs.decision_outcome(version.decision_id) == "passed":
        version = services.rules_put_in_force(acting_user=cadre, version=version)
    if version.status == RulesStatus.IN_FORCE and not version.publication_id:
        services.rules_publish(acting_user=cadre, version=version)
    say(f"村规民约：{village.name}第{version.number}版{version.get_status_display()}")


def _revision(village: Place, cadre: Any) -> None:
    if RulesVersion.objects.filter(village=village).count() != 1:
        return
    current = RulesVersion.objects.filter(village=village, status=RulesStatus.IN_FORCE).first()
    if current is None:
        return
    draft = services.rules_version_create(acting_user=cadre, village=village, title=current.title)
    rows = []
    for c in draft.clauses.order_by("number"):
        if c.number == REMOVED_NUMBER:
            continue
        heading, text = REVISED.get(c.number, (c.heading, c.text))
        rows.append(services.ClauseInput(heading=heading, text=text, key=c.key))
        if c.number == 5:
            rows.append(services.ClauseInput(heading=ADDED[0], text=ADDED[1]))
    services.rules_clauses_set(acting_user=cadre, version=draft, clauses=rows)
    services.rules_hearing_open(acting_user=cadre, version=draft)
    party, who, count, _o, _r = HEARINGS[0]
    services.rules_hearing_record(acting_user=cadre, version=draft, party=party, held_on=clock.today(),
                                  participants=who, participant_count=count,
                                  opinions="彩礼上限写具体金额；垃圾分类单列一条。", response="已采纳。")


def load_demo(*, scale: str, seed: int, say: Callable[[str], None]) -> None:
    township = Place.objects.filter(code=KEY_TOWNSHIP, level=Level.TOWNSHIP).first()
    if township is None:
        return
    villages = list(Place.objects.filter(parent=township, level=Level.VILLAGE, is_active=True).order_by("path"))
    _power_lists(township, villages, say)
    for username, code in (("cadre", V1), ("cadre2", V2)):
        cadre = _user(username)
        village = next((v for v in villages if v.code == code), None)
        if cadre is not None and village is not None:
            _rules(village, cadre, say)
    cadre, village = _user("cadre"), next((v for v in villages if v.code == V1), None)
    if cadre is not None and village is not None:
        _revision(village, cadre)

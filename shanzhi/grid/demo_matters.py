"""The demo grid matter list: 44 rural matters, about the size of 罗江's 全科网格 list (seed 003: "网格事项由8项调整至43项").

Written from domain.md G2/G3 and the seeds: who is responsible follows the usual county division of labour
(司法所 and 村调委会 for disputes, 公安 for crime leads, 自然资源 for land, 住建 for housing and gas, 应急 and
林业 for hazards and fire, 生态环境 for pollution, 民政/医保/人社 for social protection). "主体" means the grid
and village hold the primary duty (they act and close it); "配合" means they find, report and assist the
competent department. Time limits are working days from acceptance. Data, not a migration: loaded by
``shanzhi grid_matters_demo --place <county code>`` or ``grid.services.load_demo_matters``."""

from __future__ import annotations

from .choices import MatterCategory as C
from .choices import MatterDuty as D
from .choices import ResponsibleLevel as L
from .services import MatterSpec


def _m(code: int, name: str, category: str, level: str, department: str, duty: str, days: int, settle: bool,
       description: str) -> MatterSpec:
    return MatterSpec(code=f"GM-{code:02d}", name=name, category=category, level=level, department=department,
                      duty=duty, time_limit_days=days, grid_can_settle=settle, description=description)


DEMO_MATTERS: list[MatterSpec] = [
    # 矛盾纠纷: small ones are settled in the grid, the rest go to the village or the township's 司法所.
    _m(1, "邻里纠纷", C.DISPUTE, L.GRID, "村人民调解委员会", D.LEAD, 5, True,
       "相邻关系、通行、滴水、噪音等邻里矛盾，网格员当场调处，调处不成报村调委会。"),
    _m(2, "婚姻家庭纠纷", C.DISPUTE, L.VILLAGE, "村人民调解委员会", D.LEAD, 7, True,
       "婚姻、赡养、抚养、继承等家庭矛盾；有家暴情形的立即报派出所和妇联。"),
    _m(3, "土地承包经营纠纷", C.DISPUTE, L.TOWNSHIP, "乡镇农业农村办（农经站）", D.ASSIST, 15, False,
       "承包地边界、流转合同、流转费用等纠纷，网格员核实情况、配合调解或引导仲裁。"),
    _m(4, "宅基地纠纷", C.DISPUTE, L.TOWNSHIP, "乡镇自然资源所", D.ASSIST, 15, False,
       "宅基地边界、使用权、一户多宅等纠纷，网格员核实现场、配合调处。"),
    _m(5, "山林权属纠纷", C.DISPUTE, L.COUNTY, "林业局", D.ASSIST, 30, False,
       "林地、林木权属及界址争议，由林业主管部门会同乡镇处理，网格员配合调查。"),
    _m(6, "损害赔偿纠纷", C.DISPUTE, L.TOWNSHIP, "乡镇司法所", D.ASSIST, 15, False,
       "人身损害、财产损害、牲畜毁损庄稼等赔偿争议，由司法所组织调解。"),
    _m(7, "拖欠农民工工资", C.DISPUTE, L.COUNTY, "人力资源和社会保障局", D.ASSIST, 10, False,
       "本地务工人员被拖欠工资的线索，网格员登记诉求、收集凭据，配合劳动保障监察。"),
    _m(8, "征地拆迁补偿矛盾", C.DISPUTE, L.COUNTY, "自然资源局", D.ASSIST, 20, False,
       "征地补偿、安置等方面的诉求和矛盾苗头，网格员及时掌握情况并上报。"),
    # 社会治安
    _m(9, "电信网络诈骗线索", C.SECURITY, L.COUNTY, "公安局", D.ASSIST, 1, False,
       "发现群众疑似被骗、涉诈可疑人员和窝点，立即上报；网格员配合入户劝阻、宣传。"),
    _m(10, "非法集资线索", C.SECURITY, L.COUNTY, "地方金融工作局", D.ASSIST, 5, False,
       "高息揽储、养老投资、虚假理财等非法集资线索上报，配合排查和宣传。"),
    _m(11, "黄赌毒线索", C.SECURITY, L.COUNTY, "公安局", D.ASSIST, 1, False,
       "聚众赌博、涉毒、涉黄等违法犯罪线索，注意保护报告人信息。"),
    _m(12, "矛盾激化苗头", C.SECURITY, L.TOWNSHIP, "乡镇综治中心", D.LEAD, 1, False,
       "可能引发个人极端事件、群体性事件的矛盾苗头，网格员盯住人、稳住事，当日上报。"),
    _m(13, "严重精神障碍患者异常", C.SECURITY, L.TOWNSHIP, "乡镇综治中心", D.LEAD, 1, False,
       "在册患者停药、走失、肇事肇祸倾向等异常情况，网格员会同监护人、村医处置并上报。"),
    _m(14, "校园周边安全", C.SECURITY, L.COUNTY, "教育局", D.ASSIST, 3, False,
       "学校周边交通、摊贩、网吧、欺凌等隐患，配合公安、市场监管等部门整治。"),
    # 安全隐患
    _m(15, "地质灾害隐患", C.SAFETY, L.COUNTY, "自然资源局", D.ASSIST, 1, False,
       "滑坡、崩塌、地面裂缝等险情和隐患点变化，专属网格监测员巡查上报，险情先组织群众避让。"),
    _m(16, "森林防火", C.SAFETY, L.TOWNSHIP, "乡镇应急办", D.LEAD, 1, True,
       "野外违规用火、上坟烧纸、烧荒等，网格员当场劝阻制止，发现火情立即报告。"),
    _m(17, "燃气安全隐患", C.SAFETY, L.COUNTY, "住房和城乡建设局", D.ASSIST, 3, False,
       "液化气瓶违规使用、管道燃气泄漏、私接软管等，泄漏险情立即报告并疏散。"),
    _m(18, "农村危房", C.SAFETY, L.COUNTY, "住房和城乡建设局", D.ASSIST, 10, False,
       "疑似危房及仍有人居住的危房，网格员劝离、上报，配合鉴定和改造。"),
    _m(19, "消防通道堵塞", C.SAFETY, L.GRID, "消防救援大队", D.LEAD, 2, True,
       "柴草、杂物、车辆堵占消防通道和安全出口，网格员督促清理。"),
    _m(20, "电动车违规充电", C.SAFETY, L.GRID, "消防救援大队", D.LEAD, 2, True,
       "飞线充电、楼道和室内充电，网格员劝导整改并宣传安全充电。"),
    _m(21, "防汛隐患", C.SAFETY, L.TOWNSHIP, "乡镇应急办", D.ASSIST, 2, False,
       "河道行洪障碍、山塘水库险情、低洼易涝点，汛期加密巡查，险情立即报告。"),
    _m(22, "道路交通安全隐患", C.SAFETY, L.COUNTY, "交通运输局", D.ASSIST, 10, False,
       "农村公路急弯陡坡缺少防护、标志缺失，及农用车违法载人等，配合劝导站工作。"),
    _m(23, "食品安全隐患", C.SAFETY, L.COUNTY, "市场监督管理局", D.ASSIST, 5, False,
       "农村集体聚餐报备、无证食品小作坊、过期食品销售等线索。"),
    # 环境卫生
    _m(24, "河道垃圾", C.ENVIRONMENT, L.VILLAGE, "村级河长", D.LEAD, 3, True,
       "河道、沟渠、坑塘漂浮物和垃圾，村级河长组织清理，网格员巡河上报。"),
    _m(25, "秸秆焚烧", C.ENVIRONMENT, L.TOWNSHIP, "乡镇生态环境办", D.LEAD, 1, True,
       "发现焚烧秸秆立即制止扑灭，并报告；宣传秸秆综合利用。"),
    _m(26, "畜禽养殖污染", C.ENVIRONMENT, L.COUNTY, "生态环境局", D.ASSIST, 10, False,
       "养殖粪污直排、禁养区养殖等，网格员核实上报，配合执法。"),
    _m(27, "生活垃圾乱堆乱放", C.ENVIRONMENT, L.VILLAGE, "村委会", D.LEAD, 3, True,
       "房前屋后、路边垃圾乱堆，垃圾桶满溢未清运，网格员督促清理。"),
    _m(28, "生活污水乱排", C.ENVIRONMENT, L.TOWNSHIP, "乡镇生态环境办", D.ASSIST, 7, False,
       "生活污水直排沟渠河道、化粪池外溢等。"),
    # 基础设施
    _m(29, "道路破损", C.INFRASTRUCTURE, L.COUNTY, "交通运输局", D.ASSIST, 15, False,
       "农村公路坑槽、塌陷、边坡垮塌，网格员拍照定位上报，危险路段先设警示。"),
    _m(30, "路灯损坏", C.INFRASTRUCTURE, L.VILLAGE, "村委会", D.LEAD, 5, True,
       "村内路灯不亮、灯杆倾斜，村委会安排维修。"),
    _m(31, "饮水安全", C.INFRASTRUCTURE, L.COUNTY, "水利局", D.ASSIST, 3, False,
       "农村供水停水、水质浑浊异味、管网漏损，网格员上报并协助送水。"),
    _m(32, "农村电网故障", C.INFRASTRUCTURE, L.COUNTY, "供电公司", D.ASSIST, 2, False,
       "停电、电线低垂、电杆倾斜等，危及安全的先设警示、疏散群众。"),
    # 规划建设与土地
    _m(33, "私搭乱建", C.CONSTRUCTION, L.TOWNSHIP, "乡镇综合行政执法队", D.ASSIST, 7, False,
       "未经批准搭建棚房、圈占公共空间，网格员劝阻并上报。"),
    _m(34, "违法用地", C.CONSTRUCTION, L.COUNTY, "自然资源局", D.ASSIST, 5, False,
       "乱占耕地建房、非法占地、非法采砂取土等，网格员早发现、早劝阻、早报告。"),
    # 民生服务与政策咨询
    _m(35, "低保政策咨询", C.POLICY, L.TOWNSHIP, "乡镇民政办", D.LEAD, 3, True,
       "低保、特困、临时救助的条件和申请，网格员解答并帮助准备材料。"),
    _m(36, "医保缴费", C.LIVELIHOOD, L.VILLAGE, "医疗保障局", D.LEAD, 5, True,
       "城乡居民医保参保缴费提醒、代办和异地就医备案咨询。"),
    _m(37, "养老保险", C.LIVELIHOOD, L.VILLAGE, "人力资源和社会保障局", D.LEAD, 5, True,
       "城乡居民养老保险参保缴费、待遇领取资格认证的提醒和代办。"),
    _m(38, "就业服务", C.LIVELIHOOD, L.COUNTY, "人力资源和社会保障局", D.ASSIST, 10, False,
       "务工需求登记、招聘信息推送、技能培训报名。"),
    _m(39, "防返贫监测", C.LIVELIHOOD, L.TOWNSHIP, "乡镇乡村振兴办", D.LEAD, 7, False,
       "因病、因灾、因意外导致收入骤减或支出骤增的农户，网格员排查上报，纳入监测帮扶。"),
    # 特殊人群关爱
    _m(40, "留守老人探访", C.SPECIAL_GROUPS, L.GRID, "民政局", D.LEAD, 7, True,
       "定期探访独居、留守、高龄老人，发现生活困难或健康异常及时上报。"),
    _m(41, "困境儿童关爱", C.SPECIAL_GROUPS, L.VILLAGE, "民政局", D.LEAD, 5, True,
       "留守儿童、困境儿童的监护状况，村儿童主任跟进，发现监护缺失立即上报。"),
    _m(42, "残疾人帮扶", C.SPECIAL_GROUPS, L.TOWNSHIP, "残疾人联合会", D.ASSIST, 10, False,
       "残疾人证办理、两项补贴、辅具适配等需求登记和代办。"),
    # 农业农村
    _m(43, "农资质量", C.AGRICULTURE, L.COUNTY, "农业农村局", D.ASSIST, 5, False,
       "假劣种子、化肥、农药的投诉和线索，网格员登记并协助留存样品、票据。"),
    _m(44, "动物疫情", C.AGRICULTURE, L.COUNTY, "农业农村局", D.ASSIST, 1, False,
       "病死畜禽、畜禽异常死亡等疫情线索当日上报，配合隔离、无害化处理。"),
]

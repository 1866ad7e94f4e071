"""Choices of 矛盾纠纷调解 (domain.md M1–M5; 人民调解法; 司法部《人民调解工作若干规定》)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    VILLAGE = "village", _("村(居)人民调解委员会")
    TOWNSHIP = "township", _("乡镇(街道)调解中心")
    COUNTY = "county", _("县第三方调解中心")
    TRADE = "trade", _("行业性专业性调委会")
    COURT = "court", _("驻法院调解室")
    POLICE = "police", _("驻派出所调解室")
    PETITION = "petition", _("驻信访调解室")


# Organisations whose membership rule is the committee rule (人民调解法 art. 9: 三至九人, 应当有妇女成员).
COMMITTEE_KINDS = {OrgKind.VILLAGE, OrgKind.TRADE}


class Trade(models.TextChoices):
    MEDICAL = "medical", _("医疗纠纷")
    MARRIAGE = "marriage", _("婚姻家庭")
    PROPERTY = "property", _("物业纠纷")
    TRAFFIC = "traffic", _("交通事故")
    LABOUR = "labour", _("劳动争议")
    OTHER = "other", _("其他行业")


class Post(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")
    MEDIATOR = "mediator", _("调解员")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Source(models.TextChoices):
    APPLICATION = "application", _("当事人申请")
    GRID_EVENT = "grid_event", _("网格上报")
    COURT = "court", _("诉调对接")
    POLICE = "police", _("警调对接")
    PETITION = "petition", _("访调对接")
    SCREENING = "screening", _("主动排查")


REFERRAL_SOURCES = {Source.COURT, Source.POLICE, Source.PETITION}


class DisputeType(models.TextChoices):
    MARRIAGE = "marriage", _("婚姻家庭")
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    LAND = "land", _("土地山林/宅基地")
    LABOUR = "labour", _("劳动争议")
    MEDICAL = "medical", _("医疗纠纷")
    TRAFFIC = "traffic", _("交通事故")
    PROPERTY = "property", _("物业纠纷")
    EXPROPRIATION = "expropriation", _("征地拆迁")
    CONTRACT = "contract", _("合同纠纷")
    DAMAGES = "damages", _("损害赔偿")
    OTHER = "other", _("其他")


class Result(models.TextChoices):
    SETTLED = "settled", _("调解成功")
    FAILED = "failed", _("调解不成")
    REFUSED = "refused", _("当事人拒绝调解")
    WITHDRAWN = "withdrawn", _("撤回申请")
    REJECTED = "rejected", _("不予受理")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")


class SessionMode(models.TextChoices):
    ON_SITE = "on_site", _("现场调解")
    ONLINE = "online", _("线上调解")


class DocumentKind(models.TextChoices):
    """一案一卷 (domain.md M5): what a case file holds."""

    APPLICATION = "application", _("申请书/受理登记表")
    RIGHTS_NOTICE = "rights_notice", _("权利义务告知书")
    IDENTITY = "identity", _("身份证明")
    INVESTIGATION = "investigation", _("调查记录")
    EVIDENCE = "evidence", _("证据材料")
    RECORD = "record", _("调解记录")
    AGREEMENT = "agreement", _("调解协议书")
    PERFORMANCE = "performance", _("履行凭证")
    RETURN_VISIT = "return_visit", _("回访记录")
    JUDICIAL = "judicial", _("司法确认材料")
    COVER = "cover", _("卷宗封面")
    OTHER = "other", _("其他材料")


class PerformanceStatus(models.TextChoices):
    PENDING = "pending", _("待履行")
    PARTIAL = "partial", _("部分履行")
    DONE = "done", _("已履行")
    BREACHED = "breached", _("未履行")


class JudicialResult(models.TextChoices):
    CONFIRMED = "confirmed", _("裁定确认有效")
    REJECTED = "rejected", _("裁定驳回")


class VisitWay(models.TextChoices):
    HOME = "home", _("上门回访")
    PHONE = "phone", _("电话回访")
    ONLINE = "online", _("线上回访")


class Retention(models.TextChoices):
    SHORT = "10y", _("短期（10年）")
    LONG = "30y", _("长期（30年）")
    PERMANENT = "permanent", _("永久")

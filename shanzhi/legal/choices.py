"""Choices of the public legal services (domain.md M7)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("待解答")
    ANSWERED = "answered", _("已解答")


class ApplicationKind(models.TextChoices):
    AID = "aid", _("法律援助")
    NOTARY = "notary", _("公证")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    DONE = "done", _("已办结")


# 法律援助 matters (法律援助法 art. 31) and notarisation matters (公证法 art. 11) a villager picks from.
AID_MATTERS = [
    "请求给予社会保险待遇或者社会救助", "请求发给抚恤金", "请求给付赡养费、抚养费、扶养费", "请求确认劳动关系或者支付劳动报酬",
    "请求认定公民无民事行为能力或者限制民事行为能力", "请求工伤事故、交通事故、食品药品安全事故、医疗事故人身损害赔偿",
    "请求环境污染、生态破坏损害赔偿", "请求农业生产资料损害赔偿", "其他",
]
NOTARY_MATTERS = [
    "委托", "声明", "赠与", "遗嘱", "继承", "财产分割", "合同", "收养关系", "亲属关系", "身份、学历、经历",
    "出生、生存、死亡", "婚姻状况", "有无违法犯罪记录", "保全证据", "其他",
]

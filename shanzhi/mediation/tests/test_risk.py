"""M6: petition-risk grading with reason and history, the warning shared with grid early warning, repeated
disputes between the same households or over the same land, the grid risk card's disputes section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.core.errors import ValidationFailed
from shanzhi.grid import riskcard
from shanzhi.mediation import risk
from shanzhi.notify.models import Message
from shanzhi.warning.models import EarlyWarning

from .conftest import MON, outsider

pytestmark = pytest.mark.django_db


def test_grade_with_reason_history_and_warning(med, register, make_user):
    make_user("leader", med.tree.kejing, username="kejing_leader")
    case = register(land_parcel="东坡村三组 12 号地")
    with pytest.raises(ValidationFailed):
        risk.risk_grade(acting_user=med.med_user, case=case, level="medium", reason="")
    case.refresh_from_db()
    assert case.risk_level == ""
    risk.risk_grade(acting_user=med.med_user, case=case, level="medium", reason="双方情绪激动", now=MON)
    # A mediator may not raise warnings: the township's managers are asked (dispatcher and leader, not the county).
    out = risk.risk_grade(acting_user=med.med_user, case=case, level="high", reason="一方扬言到市里上访", now=MON)
    assert out.warning_action == "notified" and not EarlyWarning.objects.exists()
    asked = set(Message.objects.filter(title__startswith="高风险纠纷待研判预警").values_list("recipient__username", flat=True))
    assert asked == {"kejing_dispatcher", "kejing_leader"}
    assert [(e.before["risk_level"], e.after["risk_level"]) for e in risk.risk_history(case)] == [
        ("", "medium"), ("medium", "high")]

    # Down and up again, this time by the township's dispatcher, who may raise the warning: orange on the place.
    risk.risk_grade(acting_user=med.dispatcher, case=case, level="low", reason="已初步稳控", now=MON)
    out = risk.risk_grade(acting_user=med.dispatcher, case=case, level="high", reason="再次激化，聚集风险", now=MON)
    warning = EarlyWarning.objects.get()
    assert out.warning_action == "raised" and warning.level == "orange" and warning.place_id == case.place_id
    assert case.number in warning.reason
    # Another high case in the same village links the warning in force instead of raising a second one.
    other = register(title="另一起纠纷", parties=[outsider("冯甲", 801, "applicant"), outsider("陈乙", 802, "respondent")])
    out = risk.risk_grade(acting_user=med.dispatcher, case=other, level="high", reason="群体性苗头", now=MON)
    assert out.warning_action == "linked" and out.warning == warning and EarlyWarning.objects.count() == 1


def test_repeats_between_same_households_and_same_land(med, register):
    a = register(parties=[outsider("刘一", 501, "applicant"), outsider("陈二", 502, "respondent")],
                 land_parcel="东坡村三组12号地")
    b = register(title="又因排水争执", parties=[outsider("陈二", 502, "applicant"), outsider("刘一", 501, "respondent")])
    c = register(title="地界纠纷", parties=[outsider("周三", 503, "applicant"), outsider("吴四", 504, "respondent")],
                 land_parcel=" 东坡村三组 12号地")
    d = register(title="无关纠纷", parties=[outsider("刘一", 501, "applicant"), outsider("郑五", 505, "respondent")])
    groups = {g.kind: g for g in risk.repeats_for(user=med.med_user, case=a)}
    assert [x.pk for x in groups["households"].cases] == [b.pk]  # d shares one party only
    assert [x.pk for x in groups["land"].cases] == [c.pk]
    assert risk.repeats_for(user=med.med_user, case=d) == []
    all_groups = risk.repeat_groups(user=med.dispatcher, place=med.tree.kejing, since=MON.replace(year=2025))
    assert sorted((g.kind, sorted(x.pk for x in g.cases)) for g in all_groups) == [
        ("households", sorted([a.pk, b.pk])), ("land", sorted([a.pk, c.pk]))]
    assert risk.repeat_groups(user=med.other_med, place=med.tree.kejing, since=MON.replace(year=2025)) == []


def test_pages_and_risk_card(med, register, client):
    case = register(land_parcel="12号地")
    register(title="同地块", parties=[outsider("周三", 503, "applicant"), outsider("吴四", 504, "respondent")],
             land_parcel="12号地")
    client.force_login(med.med_user)
    url = reverse("mediation_risk_case", args=[case.pk])
    page = client.get(url).content.decode()
    assert "同一地块" in page and "同地块" in page
    r = client.post(url, {"level": "high", "reason": ""})
    assert "请写明评估理由" in r.content.decode()
    r = client.post(url, {"level": "high", "reason": "扬言上访"})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "扬言上访" in page and "未评估 → 高" not in page and "— → 高" in page
    assert "排水沟邻里纠纷" in client.get(reverse("mediation_risk"), {"place": med.tree.v1.code}).content.decode()
    assert "12号地" in client.get(reverse("mediation_risk_repeats"), {"place": med.tree.v1.code}).content.decode()
    client.force_login(med.other_med)
    assert client.get(url).status_code == 404
    assert client.get(reverse("mediation_risk"), {"place": med.tree.v1.code}).status_code == 404

    grid_case = register(place=med.tree.g1, title="网格内纠纷",
                         parties=[outsider("褚七", 505, "applicant"), outsider("卫八", 506, "respondent")])
    risk.risk_grade(acting_user=med.med_user, case=grid_case, level="high", reason="矛盾激化", now=MON)
    sections = {s.key: s for s in riskcard.card_sections(med.tree.g1, med.med_user)}
    disputes = sections["disputes"]
    assert {label: value for label, value, _lv in disputes.figures} == {"未结": 1, "高风险": 1, "中风险": 0}
    assert disputes.rows[0].cells[2] == "网格内纠纷" and disputes.rows[0].level == "danger"
    assert "disputes" not in {s.key for s in riskcard.card_sections(med.tree.g1, med.no_role)}

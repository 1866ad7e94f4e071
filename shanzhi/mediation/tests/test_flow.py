"""The eight steps through the services: order enforced, the limit, refusal, failure, the agreement's contents,
the archive checklist and number."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import id_for
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shanzhi.mediation import services as s
from shanzhi.mediation import workflow as wf
from shanzhi.mediation.models import Case, Party
from shanzhi.workflow.calendar import local_date

from .conftest import MON, outsider, pdf_file

pytestmark = pytest.mark.django_db

AGREEMENT = {"disputed_matters": "排水沟改道致墙基受损，双方就赔偿与改道发生争议。", "responsibilities": "被申请人负主要责任。",
                 "content": "被申请人赔偿申请人修缮费2000元，并于房后另挖排水沟。", "performance_manner": "现金一次性支付",
                 "performance_deadline": "2026-12-31"}


def walk_to_mediating(med, case, at=MON):
    u = med.med_user
    s.case_assign(acting_user=u, case=case, mediator=med.li.pk, co_mediator=med.zhao.pk, now=at)
    s.case_investigate(acting_user=u, case=case, findings="走访四邻，查看现场，排水沟确于去年改道。", now=at)
    s.case_inform(acting_user=u, case=case, now=at)
    s.case_start_mediation(acting_user=u, case=case, now=at)
    s.session_record(acting_user=u, case=case, held_at=at, mode="on_site", location="东坡村调解室",
                     attendance="刘一、陈二、李调解、赵大姐", minutes="双方陈述，调解员释法说理。", now=at + dt.timedelta(hours=1))


def test_register_accepts_with_one_month_limit(med, register):
    case = register()
    assert case.state == wf.ACCEPTED
    assert case.number.startswith("TJ20261116-")
    assert case.limit_at.date() == dt.date(2026, 12, 16)
    assert case.due_at == case.limit_at
    assert case.parties.count() == 2
    assert case.parties.get(role="respondent").sex == "F"


def test_referral_needs_body_and_reference(med, register):
    with pytest.raises(ValidationFailed, match="移送单位"):
        register(referring_body="")
    assert not Case.objects.exists()


def test_outsider_without_identity_refused(med, register):
    with pytest.raises(ValidationFailed, match="身份证号"):
        register(parties=[{"role": "applicant", "name": "刘一"}, outsider("陈二", 502, "respondent")])
    with pytest.raises(ValidationFailed, match="校验码"):
        register(parties=[{"role": "applicant", "name": "刘一", "id_number": "41900119800517001X"},
                          outsider("陈二", 502, "respondent")])
    with pytest.raises(ValidationFailed, match="申请人和一名被申请人"):
        register(parties=[outsider("刘一", 501, "applicant")])
    assert not Case.objects.exists() and not Party.objects.exists()


def test_out_of_scope_is_not_found(med, register):
    with pytest.raises(NotFound):
        register(user=med.other_med)
    case = register()
    with pytest.raises(NotFound):
        s.case_assign(acting_user=med.cadre_v2, case=case, mediator=med.li.pk)


def test_steps_only_in_order(med, register):
    case = register()
    with pytest.raises(Conflict, match="不能“调查核实”"):
        s.case_investigate(acting_user=med.med_user, case=case, findings="跳步")
    case.refresh_from_db()
    assert case.state == wf.ACCEPTED and case.investigation == ""


def test_full_walk_to_archive(med, register):
    case = register()
    walk_to_mediating(med, case)
    with pytest.raises(ValidationFailed, match="缺少法定内容.*履行方式"):
        s.case_agree(acting_user=med.med_user, case=case, **{**AGREEMENT, "performance_manner": ""}, now=MON)
    agreement = s.case_agree(acting_user=med.med_user, case=case, **AGREEMENT, now=MON)
    case.refresh_from_db()
    assert case.state == wf.AGREED and case.settled and case.result == "settled" and case.due_at is None
    assert agreement.copies == 3
    with pytest.raises(Conflict):
        s.case_archive(acting_user=med.med_user, case=case)
    s.visit_record(acting_user=med.med_user, case=case, visited_on="2026-11-16", way="home", visited_party="刘一",
                   performance="done", feedback="已收到赔偿，满意。", now=MON + dt.timedelta(hours=3))
    case.refresh_from_db()
    assert case.state == wf.VISITED
    with pytest.raises(ValidationFailed, match="缺少：身份证明、调解协议书"):
        s.case_archive(acting_user=med.med_user, case=case, now=MON)
    s.document_upload(acting_user=med.med_user, case=case, kind="identity", title="身份证复印件", file=pdf_file())
    with pytest.raises(ValidationFailed, match="签署日期应在协议制作之日"):  # signed before it was made
        s.document_upload(acting_user=med.med_user, case=case, kind="agreement", title="签署的协议书",
                          file=pdf_file(), signed_on="2020-01-01")
    assert not case.documents.filter(kind="agreement").exists()
    s.document_upload(acting_user=med.med_user, case=case, kind="agreement", title="签署的协议书", file=pdf_file())
    agreement.refresh_from_db()
    # signed the day it was made (no date given): art. 33's 30 days run from then, not from the upload
    assert agreement.signed_on == local_date(agreement.made_at)
    with pytest.raises(ValidationFailed, match="反馈法院"):
        s.case_archive(acting_user=med.med_user, case=case, now=MON)
    s.court_report(acting_user=med.med_user, case=case, note="已达成协议，函告法院。")
    s.case_archive(acting_user=med.med_user, case=case, retention="10y", now=MON)
    case.refresh_from_db()
    assert case.state == wf.ARCHIVED
    assert case.archive_number == "（2026）济克东人调字第1号"


def test_party_refusal_ends_case(med, register):
    case = register()
    party = case.parties.get(role="respondent")
    s.party_refuse(acting_user=med.med_user, case=case, party_id=party.pk, refused_on="2026-11-16",
                   statement="不同意调解，要求直接起诉。", now=MON)
    case.refresh_from_db()
    party.refresh_from_db()
    assert case.state == wf.REFUSED and case.result == "refused" and case.closed_at is not None
    assert party.refused_on == dt.date(2026, 11, 16)
    with pytest.raises(Conflict):
        s.case_assign(acting_user=med.med_user, case=case, mediator=med.li.pk)


def test_failure_needs_advice_and_session(med, register):
    case = register()
    u = med.med_user
    s.case_assign(acting_user=u, case=case, mediator=med.li.pk, now=MON)
    s.case_investigate(acting_user=u, case=case, findings="现场查看", now=MON)
    s.case_inform(acting_user=u, case=case, now=MON)
    s.case_start_mediation(acting_user=u, case=case, now=MON)
    with pytest.raises(ValidationFailed, match="尚无调解记录"):
        s.case_fail(acting_user=u, case=case, advice="可向人民法院提起诉讼。", now=MON)
    s.session_record(acting_user=u, case=case, held_at=MON, mode="online", location="微信视频", attendance="双方",
                     minutes="分歧较大", now=MON)
    with pytest.raises(ValidationFailed):
        s.case_fail(acting_user=u, case=case, advice="", now=MON)
    s.case_fail(acting_user=u, case=case, advice="告知双方可向济源市人民法院提起诉讼。", now=MON)
    case.refresh_from_db()
    assert case.state == wf.FAILED and case.result == "failed" and "诉讼" in case.result_note


def test_extension_needs_both_consents(med, register):
    case = register()
    with pytest.raises(ValidationFailed, match="被申请人"):
        s.case_extend(acting_user=med.med_user, case=case, days=15, reason="需鉴定", applicant_consent="刘一同意",
                      respondent_consent="")
    ext = s.case_extend(acting_user=med.med_user, case=case, days=15, reason="需鉴定", applicant_consent="刘一口头同意",
                        respondent_consent="陈二书面同意", now=MON)
    case.refresh_from_db()
    assert ext.new_limit_at == case.limit_at == case.due_at
    assert case.limit_at.date() == dt.date(2026, 12, 31)
    # The sweeper flags it once the limit passes; both parties agree to more time: no longer overdue.
    from shanzhi.workflow import engine

    late = case.limit_at + dt.timedelta(hours=1)
    engine.sweep_overdue(now=late)
    case.refresh_from_db()
    assert case.is_overdue
    s.case_extend(acting_user=med.med_user, case=case, days=10, reason="鉴定未出", applicant_consent="刘一同意",
                  respondent_consent="陈二同意", now=late)
    case.refresh_from_db()
    assert not case.is_overdue and case.overdue_at is None and case.due_at > late


def test_assign_from_pool_only(med, register):
    case = register()
    outsider_mediator = s.mediator_create(acting_user=med.admin, place=med.tree.v3, name="外村", sex="M")
    with pytest.raises(ValidationFailed, match="专家库成员"):
        s.case_assign(acting_user=med.med_user, case=case, mediator=outsider_mediator.pk)
    s.case_assign(acting_user=med.med_user, case=case, mediator=med.expert.pk)
    case.refresh_from_db()
    assert case.mediator == med.expert


def test_villager_applies_and_committee_accepts(med):
    case = s.case_apply(acting_user=med.villager, place=med.tree.v1, dispute_type="land", title="宅基地边界",
                        facts="邻居建房占用我家宅基地约半米。", applicant={"name": "张村民", "id_number": id_for(7)},
                        respondent={"name": "邻居王", "id_number": id_for(8)},
                        requested_mediator=med.li.pk, now=MON)
    assert case.state == wf.APPLIED and case.organisation == med.committee and case.requested_mediator == med.li
    with pytest.raises(PermissionDenied):
        s.case_accept(acting_user=med.villager, case=case)
    s.case_accept(acting_user=med.med_user, case=case, now=MON)
    case.refresh_from_db()
    assert case.state == wf.ACCEPTED and case.limit_at is not None
    with pytest.raises(ValidationFailed, match="选定了调解员"):
        s.case_assign(acting_user=med.med_user, case=case, mediator=med.zhao.pk)


def test_judicial_window(med, register):
    case = register()
    walk_to_mediating(med, case)
    s.case_agree(acting_user=med.med_user, case=case, **AGREEMENT, now=MON)
    with pytest.raises(ValidationFailed, match="三十日内"):
        s.judicial_apply(acting_user=med.med_user, case=case, applied_on="2026-12-20", court="济源市人民法院",
                         now=MON + dt.timedelta(days=40))
    a = s.judicial_apply(acting_user=med.med_user, case=case, applied_on="2026-11-20", court="济源市人民法院",
                         now=MON + dt.timedelta(days=5))
    assert a.judicial_applied_on == dt.date(2026, 11, 20)


def test_committee_warnings(med):
    from shanzhi.mediation.selectors import committee_warnings

    assert committee_warnings(med.committee) == []
    assert any("少于" in w for w in committee_warnings(med.committee, members=2, women=1))
    assert any("多于" in w for w in committee_warnings(med.committee, members=10, women=1))
    assert committee_warnings(med.centre, members=1, women=0) == []  # a township centre is not a committee
    assert any("妇女" in w for w in committee_warnings(med.committee, members=3, women=0))

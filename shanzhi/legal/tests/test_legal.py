from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shanzhi.access.models import User
from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.files.models import Attachment
from shanzhi.legal import selectors, services
from shanzhi.legal.anonymise import anonymise, identifying_text
from shanzhi.legal.choices import ApplicationStatus, ConsultationStatus
from shanzhi.legal.models import Consultation, ExemplaryCase, LawArticle, LegalApplication
from shanzhi.notify.models import Message

from .conftest import jpeg

QUESTION = "邻居把院墙砌到我家宅基地上了，怎么办？"
ANSWER = "建议先向村人民调解委员会申请调解，由调委会会同国土所实地测量确认边界。"

pytestmark = pytest.mark.django_db


def test_question_goes_to_the_village_adviser_and_the_answer_back_to_the_asker(legal):
    c = services.consultation_ask(acting_user=legal.villager, question=QUESTION, photos=[jpeg()])
    assert c.place == legal.tree.v1 and c.adviser == legal.adviser and c.status == ConsultationStatus.OPEN
    assert Attachment.objects.filter(object_id=c.pk).count() == 1
    assert Message.objects.filter(recipient=legal.adviser, link=reverse("legal_consultation_detail", args=[c.pk])).exists()
    # The township adviser sees it in the queue too; the other township's adviser does not.
    assert c in selectors.consultation_queue(user=legal.town_adviser, filters=selectors.QueueFilters())
    assert not selectors.consultation_queue(user=legal.wulong_adviser, filters=selectors.QueueFilters()).exists()
    with pytest.raises(NotFound):
        services.consultation_answer(acting_user=legal.wulong_adviser, consultation=c, answer=ANSWER)
    with pytest.raises(NotFound):
        services.consultation_answer(acting_user=legal.villager, consultation=c, answer=ANSWER)

    services.consultation_answer(acting_user=legal.adviser, consultation=c, answer=ANSWER)
    c.refresh_from_db()
    assert (c.status, c.answer, c.answered_by) == (ConsultationStatus.ANSWERED, ANSWER, legal.adviser)
    assert Message.objects.filter(recipient=legal.villager, title="您的法律咨询已有解答").exists()
    assert AuditEntry.objects.filter(event="legal_consultation_answer", object_id=str(c.pk)).exists()
    with pytest.raises(Conflict):
        services.consultation_answer(acting_user=legal.town_adviser, consultation=c, answer="再答一次的内容")
    # Only the asker and the advisers in scope see it.
    assert selectors.consultation_detail(user=legal.villager, pk=c.pk) == c
    for outsider in (legal.villager2, legal.wulong_adviser, legal.nobody):
        with pytest.raises(NotFound):
            selectors.consultation_detail(user=outsider, pk=c.pk)


def test_nearest_adviser_answers_and_bad_questions_write_nothing(legal):
    # 西岭村 has no adviser of its own: the township's takes its questions.
    c = services.consultation_ask(acting_user=legal.villager2, question=QUESTION)
    assert c.adviser == legal.town_adviser
    before = (Consultation.objects.count(), Attachment.objects.count(), Message.objects.count())
    with pytest.raises(ValidationFailed):
        services.consultation_ask(acting_user=legal.villager, question="短")
    with pytest.raises(ValidationFailed):
        services.consultation_ask(acting_user=legal.villager, question=QUESTION,
                                  photos=[SimpleUploadedFile("a.txt", b"not an image at all", "text/plain")])
    with pytest.raises(NotFound):  # no village to ask in
        services.consultation_ask(acting_user=legal.nobody, question=QUESTION)
    with pytest.raises(NotFound):  # an adviser is not a villager
        services.consultation_ask(acting_user=legal.adviser, question=QUESTION)
    assert (Consultation.objects.count(), Attachment.objects.count(), Message.objects.count()) == before


def test_application_states(legal):
    aid = services.application_submit(acting_user=legal.villager, kind="aid", matter="请求确认劳动关系或者支付劳动报酬",
                                      facts="工地拖欠三个月工资未付。", phone="13912340001")
    assert aid.status == ApplicationStatus.SUBMITTED and aid.number.startswith("FY") and aid.place == legal.tree.v1
    assert Message.objects.filter(recipient=legal.adviser, link=reverse("legal_application_detail", args=[aid.pk])).exists()
    with pytest.raises(Conflict):
        services.application_done(acting_user=legal.adviser, application=aid, result="已指派律师")
    with pytest.raises(NotFound):
        services.application_accept(acting_user=legal.wulong_adviser, application=aid)
    services.application_accept(acting_user=legal.adviser, application=aid)
    with pytest.raises(Conflict):
        services.application_refuse(acting_user=legal.adviser, application=aid, reason="不符合经济困难条件")
    services.application_done(acting_user=legal.adviser, application=aid, result="已指派律师代理")
    aid.refresh_from_db()
    assert (aid.status, aid.result, aid.handled_by) == (ApplicationStatus.DONE, "已指派律师代理", legal.adviser)
    assert Message.objects.filter(recipient=legal.villager, title="您的法律援助申请已办结").exists()

    notary = services.application_submit(acting_user=legal.villager, kind="notary", matter="委托",
                                         facts="委托妻子办理土地流转。", phone="13912340001")
    second = services.application_submit(acting_user=legal.villager, kind="notary", matter="声明",
                                         facts="声明放弃继承权利。", phone="13912340001")
    assert int(second.number[-6:]) == int(notary.number[-6:]) + 1
    with pytest.raises(ValidationFailed):  # a refusal needs its reason
        services.application_refuse(acting_user=legal.adviser, application=notary, reason=" ")
    services.application_refuse(acting_user=legal.adviser, application=notary, reason="委托事项须本人到公证处办理")
    notary.refresh_from_db()
    assert notary.status == ApplicationStatus.REFUSED and notary.refusal_reason == "委托事项须本人到公证处办理"
    with pytest.raises(Conflict):
        services.application_accept(acting_user=legal.adviser, application=notary)

    count = LegalApplication.objects.count()
    for kwargs in ({"kind": "aid", "matter": "买房", "facts": "事实与理由写清楚", "phone": "13912340001"},
                   {"kind": "loan", "matter": "委托", "facts": "事实与理由写清楚", "phone": "13912340001"},
                   {"kind": "notary", "matter": "委托", "facts": "事实与理由写清楚", "phone": "12345"}):
        with pytest.raises(ValidationFailed):
            services.application_submit(acting_user=legal.villager, **kwargs)
    assert LegalApplication.objects.count() == count


def test_phone_masked_for_staff_and_reveal_audited(legal, client):
    aid = services.application_submit(acting_user=legal.villager, kind="aid", matter="请求发给抚恤金",
                                      facts="抚恤金一直没有发放。", phone="13912340001")
    client.force_login(legal.adviser)
    url = reverse("legal_application_detail", args=[aid.pk])
    page = client.get(url).content.decode()
    assert "139****0001" in page and "13912340001" not in page
    assert "13912340001" in client.get(url + "?reveal=phone").content.decode()
    assert AuditEntry.objects.filter(event="legal_application_reveal_phone", object_id=str(aid.pk),
                                     actor=legal.adviser).exists()
    client.force_login(legal.wulong_adviser)
    assert client.get(url).status_code == 404


def test_anonymise_and_exemplary_cases(legal):
    text = anonymise("张三丰与张三因宅基地争执，张三丰电话13912345678，身份证410881198005170011。",
                     ["张三丰", "张三"])
    assert text == "甲方与乙方因宅基地争执，甲方电话[电话已隐去]，身份证[身份证号已隐去]。"
    assert identifying_text("联系13912345678") == "13912345678" and identifying_text("调解成功") == ""
    for written in ("139-1234-5678", "139 1234 5678", "+8613912345678", "86 13912345678", "410881800517001"):
        assert identifying_text(f"电话或证件：{written}。"), written
        assert written not in anonymise(f"电话或证件：{written}。")
    assert identifying_text("赔偿 2000 元，面积 120.5 平方米，2026年11月16日") == ""

    case = services.exemplary_case_create(
        acting_user=legal.adviser, place=legal.tree.v1, title="王五与赵六的排水纠纷", dispute_type="邻里纠纷",
        summary="王五家的排水沟经过赵六家门前，赵六堵塞排水沟。", resolution="王五改道排水，赵六疏通。",
        party_names=["王五", "赵六"])
    assert case.title == "甲方与乙方的排水纠纷" and "王五" not in case.summary and "赵六" not in case.resolution
    with pytest.raises(ValidationFailed):
        services.exemplary_case_create(acting_user=legal.adviser, place=legal.tree.v1, title="纠纷",
                                       dispute_type="邻里纠纷", summary="当事人电话13912345678，反映排水问题。",
                                       resolution="调解成功", party_names=["王五"])
    with pytest.raises(ValidationFailed, match="当事人姓名"):  # names are needed to hide them
        services.exemplary_case_create(acting_user=legal.adviser, place=legal.tree.v1, title="纠纷",
                                       dispute_type="邻里纠纷", summary="张三与李四因排水问题发生争执。",
                                       resolution="调解成功")
    with pytest.raises(NotFound):  # villagers read the library, they do not write it
        services.exemplary_case_create(acting_user=legal.villager, place=legal.tree.v1, title="纠纷",
                                       dispute_type="邻里纠纷", summary="一段足够长的案情描述。", resolution="调解成功")
    assert ExemplaryCase.objects.count() == 1
    assert list(selectors.exemplary_cases(user=legal.villager3, q="排水")) == [case]
    assert not selectors.exemplary_cases(user=legal.nobody).exists()


def test_law_library_search_and_demo_load(legal):
    from shanzhi.legal import demo

    demo.load(scale="small", seed=1, say=lambda line: None)
    n = LawArticle.objects.count()
    assert n == len(demo.ARTICLES)
    demo.load(scale="small", seed=1, say=lambda line: None)  # idempotent
    assert LawArticle.objects.count() == n
    art29 = LawArticle.objects.get(law=demo.MEDIATION_LAW, number=29)
    assert art29.article_label == "第二十九条" and "当事人各执一份" in art29.text
    assert list(selectors.law_articles(user=legal.villager, q="第二十九条")) == [art29]
    assert list(selectors.law_articles(user=legal.villager, q="29", law=demo.MEDIATION_LAW)) == [art29]
    assert {a.number for a in selectors.law_articles(user=legal.villager, q="司法确认")} == {33}
    assert not selectors.law_articles(user=legal.nobody).exists()
    with pytest.raises(ValidationFailed):
        services.law_article_save(acting_user=legal.adviser, law="人民调解法", number="abc", text="条文内容")
    with pytest.raises(NotFound):
        services.law_article_save(acting_user=legal.villager, law="人民调解法", number=5, text="条文内容")
    services.law_article_save(acting_user=legal.adviser, law=demo.MEDIATION_LAW, number=29, text="更正后的条文")
    art29.refresh_from_db()
    assert art29.text == "更正后的条文" and LawArticle.objects.count() == n


def test_the_adviser_mediation_appointed_for_the_village_comes_first(legal, make_user):
    from shanzhi.mediation.services import legal_adviser_appoint

    admin = make_user("admin", legal.tree.county, username="county_admin")
    # 西岭村's appointed adviser is the township's second adviser, not the first one found by role.
    second = make_user("legal_adviser", legal.tree.kejing, username="adviser_kejing2", full_name="克井顾问二")
    legal_adviser_appoint(acting_user=admin, village=legal.tree.v2, user=second, name="克井顾问二",
                          started_on="2026-01-01")
    assert services.advisers_for(legal.tree.v2) == [second]
    c = services.consultation_ask(acting_user=legal.villager2, question=QUESTION)
    assert c.adviser == second and Message.objects.filter(recipient=second).exists()
    assert not Message.objects.filter(recipient=legal.town_adviser).exists()


def test_demo_loader_makes_the_villagers_questions_and_applications(tree, make_user):
    from shanzhi.legal import demo

    villager = make_user("villager", tree.v1, username="villager", full_name="演示村民")
    demo.load(scale="small", seed=1, say=lambda line: None)
    adviser = User.objects.get(username="lawyer")
    assert adviser.has_perm_at("legal.answer", tree.v1.path)
    assert Consultation.objects.filter(asker=villager).count() == 2
    assert Consultation.objects.filter(asker=villager, status=ConsultationStatus.ANSWERED).count() == 1
    assert set(LegalApplication.objects.filter(applicant=villager).values_list("kind", "status")) == {
        ("aid", "accepted"), ("notary", "submitted")}
    assert ExemplaryCase.objects.count() == len(demo.CASES)
    assert not ExemplaryCase.objects.filter(summary__contains="王建国").exists()
    demo.load(scale="small", seed=1, say=lambda line: None)
    assert Consultation.objects.count() == 2 and ExemplaryCase.objects.count() == len(demo.CASES)

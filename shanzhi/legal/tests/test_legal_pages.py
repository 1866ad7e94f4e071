from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.legal import services
from shanzhi.legal.models import Consultation, LegalApplication
from shanzhi.web.context import MENU

from .conftest import jpeg

pytestmark = pytest.mark.django_db
QUESTION = "承包地被邻居多占了一垄，可以怎么解决？"


def test_villager_asks_on_the_phone_and_reads_the_answer(legal, client):
    client.force_login(legal.villager)
    index = client.get(reverse("legal_index")).content.decode()
    assert "我要咨询法律顾问" in index and "法律咨询待解答" not in index
    assert "东坡顾问" in client.get(reverse("legal_ask")).content.decode()
    r = client.post(reverse("legal_ask"), {"question": "短"})
    assert "咨询内容太短" in r.content.decode() and not Consultation.objects.exists()
    r = client.post(reverse("legal_ask"), {"question": QUESTION, "photos": [jpeg()]})
    c = Consultation.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("legal_consultation_detail", args=[c.pk])
    assert "等待法律顾问东坡顾问解答" in client.get(r["Location"]).content.decode()

    client.force_login(legal.adviser)
    queue = client.get(reverse("legal_queue")).content.decode()
    assert QUESTION in queue
    r = client.post(reverse("legal_consultation_detail", args=[c.pk]), {"answer": "可以申请村调委会调解，依承包合同确认地界。"})
    assert r.status_code == 302
    client.force_login(legal.villager)
    page = client.get(reverse("legal_consultation_detail", args=[c.pk])).content.decode()
    assert "依承包合同确认地界" in page and "东坡顾问" in page
    assert "依承包合同确认地界" in client.get(reverse("legal_mine")).content.decode()


def test_applications_pages(legal, client):
    client.force_login(legal.villager)
    r = client.post(reverse("legal_apply", args=["notary"]), {"matter": "继承", "facts": "父亲去世，办理房屋继承。",
                                                                "phone": "13912340001"})
    a = LegalApplication.objects.get()
    assert r.status_code == 302 and a.kind == "notary"
    assert client.get(reverse("legal_apply", args=["bogus"])).status_code == 404
    client.force_login(legal.adviser)
    assert a.number in client.get(reverse("legal_applications")).content.decode()
    client.post(reverse("legal_application_act", args=[a.pk, "refuse"]), {"reason": ""})
    a.refresh_from_db()
    assert a.status == "submitted"
    client.post(reverse("legal_application_act", args=[a.pk, "accept"]))
    client.post(reverse("legal_application_act", args=[a.pk, "done"]), {"result": "已出具继承公证书"})
    a.refresh_from_db()
    assert a.status == "done"
    client.force_login(legal.villager)
    assert "已出具继承公证书" in client.get(reverse("legal_application_detail", args=[a.pk])).content.decode()


def test_library_pages_and_menu(legal, client):
    from shanzhi.legal import demo

    demo.load(scale="small", seed=1, say=lambda line: None)
    services.exemplary_case_create(acting_user=legal.town_adviser, place=legal.tree.kejing, **demo.CASES[0])
    assert any(name == "legal_index" for name, _label, _perm in MENU)
    client.force_login(legal.villager3)
    page = client.get(reverse("legal_laws"), {"q": "拒绝调解"}).content.decode()
    assert "》第十七条" in page and "》第二十九条" not in page
    cases = client.get(reverse("legal_cases")).content.decode()
    assert "宅基地边界砌墙" in cases and "王建国" not in cases
    client.force_login(legal.adviser)
    r = client.post(reverse("legal_case_new"), {"title": "刘某与陈某借款纠纷", "dispute_type": "合同纠纷",
                                                "place": legal.tree.v1.code, "party_names": "刘某，陈某",
                                                "summary": "刘某向陈某借款两万元逾期未还。", "resolution": "分期还款。"})
    assert r.status_code == 302
    assert "甲方与乙方借款纠纷" in client.get(r["Location"]).content.decode()
    client.force_login(legal.nobody)
    for name in ("legal_index", "legal_cases", "legal_laws", "legal_queue", "legal_ask", "legal_case_new"):
        assert client.get(reverse(name)).status_code == 404, name


def test_lists_query_counts_stay_flat(legal, client, django_assert_max_num_queries):
    def grow(n):
        for i in range(n):
            services.consultation_ask(acting_user=legal.villager, question=f"{QUESTION}{i}")
            services.application_submit(acting_user=legal.villager, kind="aid", matter="请求发给抚恤金",
                                        facts=f"事实与理由{i}", phone="13912340001")

    urls = [(legal.adviser, reverse("legal_queue")), (legal.adviser, reverse("legal_applications")),
            (legal.villager, reverse("legal_mine")), (legal.villager, reverse("legal_my_applications")),
            (legal.villager, reverse("legal_index"))]
    grow(2)
    counts = {}
    for user, url in urls:
        client.force_login(user)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    grow(8)
    for user, url in urls:
        client.force_login(user)
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200

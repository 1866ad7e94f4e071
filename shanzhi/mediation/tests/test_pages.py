"""Pages: each list and detail answers, out of scope is 404, lists keep a flat query count, the step forms post."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.core.errors import Conflict
from shanzhi.mediation import services as s
from shanzhi.mediation.models import Case

from .conftest import MON, outsider, pdf_file
from .test_flow import AGREEMENT, walk_to_mediating

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_pages_answer(client, med, register):
    case = register()
    login(client, med.med_user)
    for name, args in (("mediation_case_list", []), ("mediation_case_new", []), ("mediation_case_detail", [case.pk]),
                       ("mediation_org_list", []), ("mediation_org_detail", [med.committee.pk]),
                       ("mediation_mediator_list", []), ("mediation_mediator_detail", [med.li.pk]),
                       ("mediation_experts", []), ("mediation_advisers", [])):
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, name
    r = client.get(reverse("mediation_case_detail", args=[case.pk]))
    assert "排水沟邻里纠纷" in r.content.decode() and "济源市人民法院" in r.content.decode()
    full = outsider("刘一", 501, "applicant")["id_number"]
    assert full not in r.content.decode()  # masked by default
    r = client.get(reverse("mediation_case_detail", args=[case.pk]) + "?reveal=1")
    assert full in r.content.decode()
    from shanzhi.audit.models import AuditEntry

    assert AuditEntry.objects.filter(event="mediation.party_reveal").count() == 1


def test_out_of_scope_404(client, med, register):
    case = register()
    login(client, med.other_med)
    assert client.get(reverse("mediation_case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("mediation_org_detail", args=[med.committee.pk])).status_code == 404
    assert client.get(reverse("mediation_case_pdf", args=[case.pk, "application"])).status_code == 404
    login(client, med.no_role)
    assert client.get(reverse("mediation_case_list")).status_code == 404


def test_list_queries_flat(client, med, register, django_assert_max_num_queries):
    for i in range(3):
        register(title=f"纠纷{i}")
    login(client, med.med_user)
    with django_assert_max_num_queries(12):
        client.get(reverse("mediation_case_list"))
    for i in range(6):
        register(title=f"纠纷b{i}")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("mediation_case_list"))
    assert "纠纷b5" in r.content.decode()
    with django_assert_max_num_queries(12):
        client.get(reverse("mediation_org_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("mediation_mediator_list"))


def test_intake_form_registers(client, med):
    login(client, med.med_user)
    data = {"organisation": med.committee.pk, "place": med.tree.v1.pk, "source": "police",
            "referring_body": "克井派出所", "referral_reference": "克警调〔2026〕12号", "dispute_type": "damages",
            "title": "酒后损坏财物", "facts": "酒后砸坏邻居窗户", "amount": "800",
            "applicant0_name": "刘一", "applicant0_id_number": outsider("刘一", 601, "applicant")["id_number"],
            "respondent0_name": "陈二", "respondent0_id_number": outsider("陈二", 602, "respondent")["id_number"]}
    r = client.post(reverse("mediation_case_new"), data)
    case = Case.objects.get()
    assert r.status_code == 302 and r.url == reverse("mediation_case_detail", args=[case.pk])
    assert case.source == "police" and case.referring_body == "克井派出所" and case.parties.count() == 2
    r = client.post(reverse("mediation_case_new"), {**data, "respondent0_id_number": "123"})
    assert "身份证号应为18位" in r.content.decode() and Case.objects.count() == 1


def test_step_out_of_order_shows_reason(client, med, register):
    case = register()
    login(client, med.med_user)
    r = client.post(reverse("mediation_case_act", args=[case.pk]), {"step": "investigate", "findings": "x"},
                    follow=True)
    assert "不能“调查核实”" in r.content.decode()


def test_villager_phone_application(client, med, make_household):
    from conftest import id_for
    from shanzhi.people.models import Person

    # the villager's account is linked to the registry (as villagers' accounts are)
    household = make_household(med.admin, med.tree.v1, head_name="张村民")
    med.villager.person = Person.objects.get(household=household, name="张村民")
    med.villager.save(update_fields=["person"])
    login(client, med.villager)
    assert client.get(reverse("mediation_apply")).status_code == 200
    r = client.post(reverse("mediation_apply"), {
        "place": med.tree.v1.pk, "dispute_type": "neighbour", "title": "噪音", "facts": "邻居夜间施工",
        "applicant_name": "张村民", "applicant_id_number": id_for(31), "respondent_name": "李四",
        "respondent_id_number": id_for(32)})
    case = Case.objects.get()
    assert r.status_code == 302 and case.state == "applied" and case.applied_by == med.villager
    applicant = case.parties.get(role="applicant")
    assert applicant.person_id == med.villager.person_id and applicant.household_id == med.villager.person.household_id
    r = client.get(reverse("mediation_mine_detail", args=[case.pk]))
    assert "待受理" in r.content.decode()
    assert client.get(reverse("mediation_case_list")).status_code == 404
    # The applicant follows the steps, not the internal work: no findings, no work notes, no risk assessment.
    s.case_accept(acting_user=med.med_user, case=case, note="予以受理")
    s.case_assign(acting_user=med.med_user, case=case, mediator=med.li.pk)
    s.case_investigate(acting_user=med.med_user, case=case, findings="证人王五称对方夜间施工至凌晨")
    s.case_note(acting_user=med.med_user, case=case, note="内部研判：申请人情绪激动")
    page = client.get(reverse("mediation_mine_detail", args=[case.pk])).content.decode()
    assert "调查核实" in page and "证人王五" not in page and "内部研判" not in page
    assert client.get(reverse("mediation_risk_case", args=[case.pk])).status_code == 404


def test_pdf_download(client, med, register):
    case = register()
    walk_to_mediating(med, case)
    s.case_agree(acting_user=med.med_user, case=case, **AGREEMENT, now=MON)
    login(client, med.med_user)
    r = client.get(reverse("mediation_case_pdf", args=[case.pk, "agreement"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_upload_and_checklist(client, med, register):
    case = register()
    login(client, med.med_user)
    r = client.post(reverse("mediation_case_act", args=[case.pk]),
                    {"step": "upload", "kind": "identity", "title": "身份证", "file": pdf_file()}, follow=True)
    assert "材料已上传" in r.content.decode()
    assert case.documents.filter(kind="identity").count() == 1


def test_event_turned_into_case(client, med):
    from shanzhi.events.services import event_report
    from shanzhi.grid.services import MatterSpec, matter_admit

    matter = matter_admit(acting_user=med.admin, place=med.tree.county, reason="县委政法委文件", spec=MatterSpec(
        code="GM-01", name="邻里纠纷", category="dispute", level="grid", department="村人民调解委员会",
        time_limit_days=1, grid_can_settle=True))
    event = event_report(acting_user=med.villager, place=med.tree.v1, matter_id=matter.pk, text="两户因排水沟争执",
                         address="东坡村三组", now=MON)
    login(client, med.dispatcher)  # sees the event (event.view) and registers cases (mediation.handle)
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    assert f"/mediation/cases/new?event={event.pk}" in page
    r = client.get(reverse("mediation_case_new") + f"?event={event.pk}")
    assert "两户因排水沟争执" in r.content.decode()
    r = client.post(reverse("mediation_case_new"), {
        "organisation": med.committee.pk, "event": event.pk, "dispute_type": "neighbour", "title": "排水沟纠纷",
        "applicant0_name": "刘一", "applicant0_id_number": outsider("刘一", 801, "applicant")["id_number"],
        "respondent0_name": "陈二", "respondent0_id_number": outsider("陈二", 802, "respondent")["id_number"]})
    case = Case.objects.get()
    assert r.status_code == 302 and case.event_id == event.pk and case.source == "grid_event"
    assert case.facts == "两户因排水沟争执"
    assert case.number in client.get(reverse("event_detail", args=[event.pk])).content.decode()
    with pytest.raises(Conflict, match="已转为调解案件"):
        s.case_from_event(acting_user=med.dispatcher, event_id=event.pk, organisation=med.committee,
                          dispute_type="neighbour", title="再转一次", parties=[])


def test_deadline_sweep_and_home_items(med, register):
    import datetime as dt

    from shanzhi.core.home import action_items
    from shanzhi.workflow.engine import sweep_overdue

    case = register()
    titles = {i.title: i.count for i in action_items(med.med_user)}
    assert titles.get("在办的调解案件") == 1 and "临近调解期限的案件" not in titles
    sweep_overdue(now=case.limit_at + dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.is_overdue
    titles = {i.title: i.count for i in action_items(med.med_user)}
    assert titles.get("超过调解期限的案件") == 1
    assert action_items(med.other_med) == [] or "在办的调解案件" not in {i.title for i in action_items(med.other_med)}

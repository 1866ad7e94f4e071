"""Issue 5's "done means", as the people involved take it: a mediator registers a neighbour dispute referred by the
court (诉调对接), takes it through the eight steps — assigns mediators, records the investigation, gives the notice
of rights and duties, holds a session, makes the agreement (whose PDF holds the art. 29 contents and the parties'
names), uploads the signed scan, records the return visit, reports back to the court and archives it with a
complete file; a second case ends when the respondent refuses mediation (art. 17)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import id_for
from shanzhi.mediation.models import Case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def register(pg, med, title: str, n: int) -> Case:
    pg.goto("/mediation/cases/new")
    pg.get_by_label("纠纷发生地").select_option(label="东坡村")
    pg.get_by_label("案件来源").select_option(label="诉调对接")
    pg.get_by_label("移送单位（诉调/警调/访调）").fill("济源市人民法院")
    pg.get_by_label("移送文号").fill(f"（2026）豫9001民诉前调{n}号")
    pg.get_by_label("纠纷类型").select_option(label="邻里纠纷")
    pg.get_by_label("案由").fill(title)
    pg.get_by_label("涉及金额（元）").fill("3000")
    pg.get_by_label("纠纷事实").fill("两户因房后排水沟改道发生争执，致申请人墙基受损。")
    pg.locator("[name=applicant0_name]").fill("刘一")
    pg.locator("[name=applicant0_id_number]").fill(id_for(n))
    pg.locator("[name=applicant0_phone]").fill("13800000001")
    pg.locator("[name=respondent0_name]").fill("陈二")
    pg.locator("[name=respondent0_id_number]").fill(id_for(n + 1, male=False))
    pg.get_by_role("button", name="登记受理", exact=True).click()
    pg.get_by_test_id("case-state").wait_for()
    return Case.objects.get(title=title)


def state(pg) -> str:
    return pg.get_by_test_id("case-state").inner_text()


def test_court_referral_through_eight_steps_and_a_refusal(page, login, med, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pg = page
    login(pg, "v1_mediator")

    # 1. 受理: registered from the court's referral, accepted at once with a one-month limit.
    register(pg, med, "排水沟邻里纠纷", 701)
    assert "待确定调解人员" in state(pg)
    assert "济源市人民法院" in pg.content()

    # 2. 确定调解人员
    form = pg.get_by_test_id("form-assign")
    form.get_by_label("主办调解员").select_option(label="李调解（金牌调解员）")
    form.get_by_label("协办调解员").select_option(label="赵大姐")
    form.get_by_role("button", name="确定调解人员").click()
    assert "待调查核实" in state(pg)
    # 3. 调查核实
    pg.get_by_label("调查核实情况（走访、现场查看、证人、书证）").fill("走访四邻，查看现场，排水沟确于去年改道。")
    pg.get_by_role("button", name="调查核实", exact=True).click()
    assert "待告知权利义务" in state(pg)
    # 4. 告知权利义务 / 5. 开展调解 (the kernel's buttons)
    pg.get_by_role("button", name="告知权利义务", exact=True).click()
    assert "待开展调解" in state(pg)
    pg.get_by_role("button", name="开展调解", exact=True).click()
    assert "调解中" in state(pg)
    # The agreement without a session or without its contents is refused with the reason.
    agree = pg.get_by_test_id("form-agree")
    agree.get_by_label("达成协议的内容").fill("被申请人赔偿申请人修缮费2000元。")
    agree.get_by_role("button", name="制作调解协议").click()
    assert "缺少法定内容" in pg.locator(".alert-danger").inner_text()
    session = pg.get_by_test_id("form-session")
    session.get_by_label("地点/平台").fill("东坡村调解室")
    session.get_by_label("参加人员").fill("刘一、陈二、李调解、赵大姐")
    session.get_by_label("调解记录").fill("双方陈述事实，调解员释法说理，双方同意赔偿并改沟。")
    session.get_by_role("button", name="保存调解记录").click()
    assert "已记录本次调解" in pg.content()
    # 6. 制作调解协议
    agree = pg.get_by_test_id("form-agree")
    agree.get_by_label("纠纷主要事实、争议事项").fill("排水沟改道致墙基受损，双方就赔偿与改道发生争议。")
    agree.get_by_label("各方当事人的责任").fill("被申请人负主要责任。")
    agree.get_by_label("达成协议的内容").fill("被申请人赔偿申请人修缮费2000元，并于房后另挖排水沟。")
    agree.get_by_label("履行方式").fill("现金一次性支付")
    agree.get_by_label("履行期限").fill("2099-12-31")
    agree.get_by_role("button", name="制作调解协议").click()
    assert "待回访" in state(pg)
    # The agreement PDF holds the art. 29 contents and both parties.
    href = pg.get_by_role("link", name="人民调解协议书（PDF）").get_attribute("href")
    pdf = pg.request.get(href)
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "agreement.pdf").write_bytes(pdf.body())
        text = "".join(subprocess.run(["pdftotext", str(tmp_path / "agreement.pdf"), "-"], capture_output=True,
                                      check=True).stdout.decode().split())
        for needle in ("人民调解协议书", "刘一", "陈二", "被申请人负主要责任", "赔偿申请人修缮费2000元", "现金一次性支付",
                       "2099年12月31日", "本协议一式3份", "调解委员会留存一份", "东坡村人民调解委员会"):
            assert needle in text, needle
    # The signed scan and the identity papers are uploaded into the case file.
    for kind, title in (("调解协议书", "各方签字盖章的协议书"), ("身份证明", "双方身份证复印件")):
        up = pg.get_by_test_id("form-upload")
        up.get_by_label("材料类别").select_option(label=kind)
        up.get_by_label("材料名称").fill(title)
        up.get_by_label("扫描件").set_input_files(str(scan))
        up.get_by_role("button", name="上传扫描件").click()
        assert "材料已上传" in pg.content()
    # 7. 回访
    visit = pg.get_by_test_id("form-visit")
    visit.get_by_label("回访对象").fill("刘一")
    visit.get_by_label("协议履行情况").select_option(label="已履行")
    visit.get_by_label("当事人意见").fill("已收到赔偿，新沟已挖好，满意。")
    visit.get_by_role("button", name="记录回访").click()
    assert "待整理卷宗" in state(pg)
    assert pg.get_by_test_id("performance").inner_text() == "已履行"
    # Archiving before the court has been told is refused; then the report back, then 8. 整理卷宗.
    pg.get_by_role("button", name="第八步：整理卷宗，归档").click()
    assert "须先反馈法院" in pg.locator(".alert-danger").inner_text()
    court = pg.get_by_test_id("form-court")
    court.get_by_label("反馈情况").fill("已达成调解协议并履行完毕，函告委派法院。")
    court.get_by_role("button", name="记录反馈").click()
    checklist = pg.get_by_test_id("checklist")
    assert checklist.locator("[data-present='0']").count() == 0
    pg.get_by_label("保管期限").select_option(label="短期（10年）")
    pg.get_by_role("button", name="第八步：整理卷宗，归档").click()
    assert "已归档" in state(pg)
    assert "人调字第1号" in pg.get_by_test_id("archive-number").inner_text()
    steps = pg.get_by_test_id("steps").locator("li")
    assert steps.count() == 8 and all("bg-success-subtle" in (steps.nth(i).get_attribute("class") or "")
                                      for i in range(8))

    # The second case: the respondent refuses mediation; the case ends there.
    second = register(pg, med, "宅基地滴水纠纷", 711)
    pg.get_by_text("当事人拒绝调解（人民调解法第十七条）").click()
    refuse = pg.get_by_test_id("form-refuse")
    refuse.get_by_label("拒绝的当事人").select_option(label="被申请人 陈二")
    refuse.get_by_label("拒绝调解的表示").fill("不同意调解，要求直接诉讼。")
    refuse.get_by_role("button", name="记录拒绝调解并终结案件").click()
    assert "当事人拒绝调解" in state(pg)
    assert "陈二明确拒绝调解" in pg.get_by_test_id("case-history").inner_text()
    second.refresh_from_db()
    assert second.result == "refused" and second.parties.get(name="陈二").refused_on is not None
    assert pg.get_by_test_id("form-assign").count() == 0

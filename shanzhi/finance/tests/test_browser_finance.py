"""Issue 6's finance journey (done means): the township's bookkeeper enters an expense with its voucher photo; the
chain's signers walk it in order on their pages, the democratic finance group sends it back once, the bookkeeper
corrects and resubmits, all six sign, it is posted; the village publishes the month; a villager questions the entry
on the public page from a phone and sees the village's answer published with it."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shanzhi.finance.models import Entry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def voucher() -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (220, 220, 200)).save(buf, "JPEG")
    return {"name": "fapiao.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


def test_expense_chain_rejection_statement_question_answer(fin, browser, live_server, phone_page):
    def session(username):
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        pg = ctx.new_page()
        pg.set_default_timeout(15_000)
        pg.goto("/accounts/login/")
        pg.get_by_label("用户名或手机号").fill(username)
        pg.get_by_label("密码").fill("Passw0rd!x")
        pg.get_by_role("button", name="登录").click()
        pg.wait_for_url(lambda url: "/accounts/login" not in url)
        return pg

    # The bookkeeper enters the expense from the menu.
    keeper = session("kejing_bookkeeper")
    keeper.get_by_role("link", name="村级财务").click()
    keeper.get_by_role("link", name="东坡村").click()
    keeper.get_by_role("link", name="记一笔").click()
    keeper.get_by_label("发生日期").fill(f"{fin.start:%Y-%m}-12")
    keeper.get_by_label("科目").select_option(label="支出 · 公益支出")
    keeper.get_by_label("金额（元）").fill("3200")
    keeper.get_by_label("收付对象", exact=True).fill("济源市宏达建材店")
    keeper.get_by_label("摘要").fill("修缮村小学围墙")
    keeper.locator("#id_vouchers").set_input_files(voucher())
    keeper.get_by_role("button", name="保存").click()
    keeper.locator("#entry-state").filter(has_text="审批中").wait_for()
    assert keeper.locator("#vouchers img").count() == 1
    entry = Entry.objects.get(summary="修缮村小学围墙")
    # Posting now is refused and says why.
    assert "审批链全部签批" in keeper.locator("#post-refusal").inner_text()

    def sign(username, *, reject: str = ""):
        pg = session(username)
        pg.goto("/finance/approvals/")
        pg.locator("#queue").get_by_role("link", name=entry.number).click()
        if reject:
            pg.get_by_label("退回原因").fill(reject)
            pg.get_by_role("button", name="退回修改").click()
        else:
            pg.get_by_role("button", name="同意", exact=True).click()
        pg.locator(".alert-success").wait_for()
        pg.context.close()

    # Out of order: the township leader has nothing waiting yet.
    leader = session("kejing_leader")
    leader.goto("/finance/approvals/")
    assert entry.number not in leader.locator("#queue").inner_text()
    leader.context.close()

    sign("v1_clerk")
    sign("v1_secretary")
    sign("v1_reviewer", reject="缺少施工方报价单，金额请按报价核实")
    keeper.reload()
    keeper.locator("#entry-state").filter(has_text="退回修改").wait_for()
    assert "缺少施工方报价单" in keeper.locator("#history").inner_text()
    keeper.locator("#id_r_amount").fill("3000")
    keeper.locator("#id_r_vouchers").set_input_files(voucher())
    keeper.get_by_label("修改说明").fill("补充报价单，按报价调整为3000元")
    keeper.get_by_role("button", name="重新提交").click()
    keeper.locator("#entry-state").filter(has_text="审批中").wait_for()
    for username in ("v1_clerk", "v1_secretary", "v1_reviewer", "v1_supervisor", "kejing_staff", "kejing_leader"):
        sign(username)
    keeper.reload()
    keeper.locator("#entry-state").filter(has_text="审批通过").wait_for()
    chain_text = keeper.locator("#chain").inner_text()
    for name in ("村文书", "村支书", "理财小组", "监委会主任", "包村干部", "镇长"):
        assert name in chain_text
    keeper.get_by_role("button", name="入账").click()
    keeper.locator("#entry-state").filter(has_text="已入账").wait_for()

    # The village publishes the month.
    clerk = session("v1_clerk")
    clerk.goto(f"/finance/ledgers/{fin.ledger.pk}/statements/")
    clerk.locator("#months").get_by_role("link", name=f"{fin.start.year}年{fin.start.month}月").click()
    clerk.get_by_role("button", name="公开本月财务收支").click()
    clerk.locator("#month-state").filter(has_text="已公开").wait_for()
    statement_text = clerk.locator("#statement").inner_text()
    assert entry.number in statement_text and "3,000.00" in statement_text
    public_url = clerk.locator("#public-link").get_attribute("href")

    # A villager questions the entry on the public page, on a phone, without logging in.
    phone_page.goto(public_url)
    row = phone_page.locator("#publication-content tr", has_text=entry.number)
    assert "修缮村小学围墙" in row.inner_text()
    row.get_by_role("link", name="对此提问").click()
    assert entry.number in phone_page.get_by_label("异议内容").input_value()
    phone_page.get_by_label("异议内容").press("End")
    phone_page.get_by_label("异议内容").type("围墙修了多长？为什么要3000元？")
    phone_page.get_by_label("您的姓名").fill("赵小满")
    phone_page.get_by_label("手机号").fill("13912345678")
    phone_page.get_by_role("button", name="提交异议").click()
    phone_page.locator("#receipt").wait_for()

    # The village answers; the question shows on the entry's page with it.
    clerk.reload()
    clerk.get_by_role("link", name="答复提问").click()
    clerk.locator("textarea[name=reply]").fill("围墙共 42 米，按施工方报价单每米约71元，报价单已附凭证。")
    clerk.get_by_role("button", name="异议不成立").click()
    clerk.goto(f"/finance/entries/{entry.pk}/")
    assert "围墙修了多长" in clerk.locator("#questions").inner_text()

    # The villager sees the answer published with the statement.
    phone_page.goto(public_url)
    answers = phone_page.locator("#answers ~ .answer").first
    text = answers.inner_text()
    assert "围墙修了多长" in text and "每米约71元" in text and "赵小满" not in text and "赵" in text

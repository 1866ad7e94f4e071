"""Journeys of the publication kernel in a browser: a village cadre publishes a group's household list; a
villager on a phone checks the fingerprint from the paper notice and files an objection; the cadre answers."""

import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_verify_object_and_answer(page, phone_page, login, tree, make_user, make_household, tmp_path):
    from shanzhi.publication.models import Objection, Publication

    cadre = make_user("village_cadre", tree.v1, username="cadre_pub", full_name="王书记")
    make_household(cadre, tree.g1, head_name="张三丰", members=["李四"], group=tree.grp1)
    make_household(cadre, tree.g1, head_name="欧阳娜娜", group=tree.grp1)

    # the cadre publishes from the villager group's page
    login(page, "cadre_pub")
    page.goto(f"/places/{tree.grp1.code}/")
    page.get_by_role("link", name="公示本组户籍名单").click()
    assert page.locator("#preview-table").get_by_text("张**").is_visible()
    page.get_by_label("异议受理联系方式（选填）").fill("村委会办公室 0391-6612345")
    page.get_by_role("button", name="发布公示").click()
    page.get_by_text("已发布公示").wait_for()
    publication = Publication.objects.get()

    # a villager scans the QR code: the public page, no login, names masked
    villager = phone_page
    villager.goto(f"/p/{publication.public_id}/")
    table = villager.locator("#publication-content")
    assert "张**" in table.inner_text() and "张三丰" not in villager.content()
    villager.get_by_label("输入或粘贴纸质公示单上的指纹").fill(publication.fingerprint_grouped)
    villager.get_by_role("button", name="核验").click()
    assert "一致" in villager.locator("#verify-result").inner_text()
    if os.environ.get("SCREENSHOT_DIR"):
        villager.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "publication_public_phone.png"), full_page=True)
    villager.get_by_label("输入或粘贴纸质公示单上的指纹").fill("0" * 64)
    villager.get_by_role("button", name="核验").click()
    assert "不一致" in villager.locator("#verify-result").inner_text()

    # … and downloads the printable notice, still without logging in
    href = villager.get_by_role("link", name="下载打印版公示单（PDF）").get_attribute("href")
    response = villager.request.get(href)  # the browser shows PDFs inline; fetch it as the link does
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "notice.pdf"
    pdf_path.write_bytes(response.body())
    from pypdf import PdfReader

    text = "".join(pg.extract_text() for pg in PdfReader(pdf_path).pages).replace(" ", "").replace("\n", "")
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert publication.fingerprint[:16] in text

    villager.get_by_label("您的姓名").fill("李大爷")
    villager.get_by_label("手机号").fill("139 1234 5678")
    villager.get_by_label("异议内容").fill("第2户实际有3口人，名单少了一人。")
    villager.get_by_role("button", name="提交异议").click()
    villager.get_by_text("已收到您的异议").wait_for()
    receipt = villager.locator("#receipt").inner_text().strip()
    assert Objection.objects.get().receipt == receipt

    # the cadre sees it on the home page and answers it
    page.goto("/")
    page.get_by_text("待处理的公示异议").click()
    page.get_by_role("link", name=publication.title).click()
    page.get_by_label("答复").fill("经核实，第2户另有一人在外务工，已补登，将发布更正公示。")
    page.get_by_role("button", name="异议成立").click()
    page.get_by_text(f"已答复异议 {receipt}").wait_for()

    villager.reload()
    assert "异议成立" in villager.locator("#objection-status").inner_text()

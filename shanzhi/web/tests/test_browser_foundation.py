"""Journeys of the foundation issue's "done means", in a browser, as the people who use the platform would:
an Excel import refused for one bad row and accepted once fixed; a revealed ID number showing in the audit log;
a household moved between villages by two cadres; the password policy and lockout; a grid worker on a phone
registering a newborn."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from openpyxl import load_workbook

from conftest import id_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp")


def shot(pg, name):
    pg.screenshot(path=os.path.join(SHOTS, f"shot-{name}.png"), full_page=True)


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def menu(pg, label):
    """An entry of the main menu (the breadcrumb is a navigation too)."""
    return pg.locator("#mainnav").get_by_role("link", name=label, exact=True)


def search_people(pg, text):
    menu(pg, "人口台账").click()
    pg.get_by_placeholder("姓名、拼音、首字母").fill(text)
    pg.get_by_role("button", name="查询").click()
    return pg.locator("#person-table")


# --- 1. Excel import: one bad row refuses the whole file; fixed, it imports -----------------------------------

def test_import_refused_for_one_bad_row_then_accepted(page, login, tree, make_user, tmp_path):
    make_user("village_cadre", tree.v1, username="cadre_imp", full_name="王书记")
    login(page, "cadre_imp")

    menu(page, "人口台账").click()
    page.get_by_role("link", name="导入 Excel").click()
    page.get_by_role("heading", name="导入户与人员（Excel）").wait_for()
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载导入模板").click()
    template = tmp_path / dl.value.suggested_filename
    dl.value.save_as(template)
    assert template.name.endswith(".xlsx")

    wb = load_workbook(template)
    ws = wb["人员"]
    headers = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(headers)}
    # the template lists the codes of the cadre's own places
    codes = [r[0] for r in wb["区划代码"].iter_rows(min_row=2, values_only=True)]
    assert tree.g1.code in codes and tree.v2.code not in codes

    head_id, wife_id, son_id = id_for(901), id_for(902, male=False), id_for(903, birth=dt.date(2008, 9, 1))
    people = [
        {"姓名": "欧阳明远", "公民身份号码": head_id, "与户主关系": "户主", "住址": "东坡村3组18号", "手机号": "13912345678"},
        {"姓名": "林秀兰", "公民身份号码": wife_id, "与户主关系": "配偶", "户主身份证号": head_id},
        {"姓名": "欧阳小川", "公民身份号码": bad_check_digit(son_id), "与户主关系": "子女", "户主身份证号": head_id},
    ]

    def write(path, rows):
        ws.delete_rows(2, ws.max_row)  # the example row goes
        for person in rows:
            line = [""] * len(headers)
            line[col["网格/村代码"]] = tree.g1.code
            for header, value in person.items():
                line[col[header]] = value
            ws.append(line)
        wb.save(path)

    first = tmp_path / "东坡村人口.xlsx"
    write(first, people)
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(first)
    page.get_by_role("button", name="检查并导入").click()

    result = page.locator("#import-result")
    result.wait_for()
    assert "文件有错误，未导入任何数据" in result.inner_text()
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[0] == "第 4 行"  # the header is row 1: the third person is on row 4
    assert cells[1] == "公民身份号码"
    assert "校验码错误" in cells[2]
    shot(page, "import-refused")

    # nobody from the file is in the registry, not even the good rows
    for name in ("欧阳明远", "林秀兰", "欧阳小川"):
        table = search_people(page, name)
        assert "没有符合条件的人员" in table.inner_text(), name

    # fix the row and upload again through the 导入 menu
    people[2]["公民身份号码"] = son_id
    fixed = tmp_path / "东坡村人口-改.xlsx"
    write(fixed, people)
    menu(page, "导入").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(fixed)
    page.get_by_role("button", name="检查并导入").click()
    result = page.locator("#import-result")
    result.wait_for()
    text = result.inner_text()
    assert "已导入，共 3 行" in text
    assert "新增户：1" in text and "新增人员：3" in text and "更新人员：0" in text
    shot(page, "import-accepted")

    # the import history lists both attempts
    menu(page, "导入").click()
    jobs = page.locator("#import-jobs tbody tr")
    assert jobs.count() == 2

    table = search_people(page, "oymy")
    assert table.get_by_role("link", name="欧阳明远").is_visible()
    assert table.get_by_text("欧阳小川").count() == 0
    table.get_by_role("link", name="欧阳明远").click()
    page.get_by_role("heading", name="欧阳明远").wait_for()
    assert "户主" in page.locator("main").inner_text()
    # the household has all three
    page.get_by_role("main").get_by_role("link", name=re.compile(r"^户 ")).click()
    members = page.locator("main table").first.inner_text()
    assert "欧阳明远" in members and "林秀兰" in members and "欧阳小川" in members
    assert "东坡村3组18号" in page.locator("main").inner_text()


# --- 2. Revealing an ID number, and the audit log showing it -------------------------------------------------

def test_reveal_id_number_shows_in_audit_log(page, browser, live_server, login, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1, username="cadre_rev", full_name="王书记")
    make_user("admin", tree.county, username="admin_a", full_name="刘管理")
    household = make_household(cadre, tree.g1, head_name="赵铁柱")
    from shanzhi.people.models import Person

    person = Person.objects.get(household=household, name="赵铁柱")

    login(page, "cadre_rev")
    table = search_people(page, "赵铁柱")
    table.get_by_role("link", name="赵铁柱").click()
    id_cell = page.locator("#id-cell")
    masked = id_cell.inner_text()
    assert "*" in masked and person.id_number not in page.content()
    page.get_by_role("button", name="查看完整").first.click()
    page.locator("#id-cell .fw-bold").wait_for()
    assert id_cell.inner_text().strip() == person.id_number
    assert page.get_by_role("button", name="查看完整").count() == 1  # the ID's button is gone; the phone's stays
    shot(page, "person-revealed")

    # the administrator sees the reveal in the audit log
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    admin = context.new_page()
    try:
        login(admin, "admin_a")
        menu(admin, "审计日志").click()
        admin.get_by_label("操作", exact=True).select_option(label="查看敏感信息")
        admin.get_by_role("button", name="查询").click()
        rows = admin.locator("#audit-table tbody tr")
        assert rows.count() == 1
        cells = rows.first.locator("td").all_inner_texts()
        assert cells[1] == "王书记"
        assert cells[2] == "查看敏感信息"
        assert "赵铁柱" in cells[4]
        assert cells[5] == "成功"
        # the full number itself is not written into the log page
        assert person.id_number not in admin.content()
        shot(admin, "audit-log")
    finally:
        context.close()


# --- 3. A household moves from one village to another --------------------------------------------------------

def test_household_move_between_villages(page, browser, live_server, login, tree, make_user, make_household):
    cadre1 = make_user("village_cadre", tree.v1, username="cadre_v1", full_name="王书记")
    make_user("village_cadre", tree.v2, username="cadre_v2", full_name="陈主任")
    household = make_household(cadre1, tree.g1, head_name="孙大海", members=["周小梅"])

    login(page, "cadre_v1")
    menu(page, "户").click()
    page.get_by_label("搜索户").fill("孙大海")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=household.number).click()
    assert "东坡村" in page.locator("main p.text-muted").first.inner_text()
    page.get_by_role("link", name="申请迁往他村").click()
    page.get_by_label("迁入村/社区").select_option(label="西岭村")
    # the grids of the chosen village load into the second list
    page.get_by_label("迁入网格").locator("option", has_text="西岭村第一网格").wait_for(state="attached")
    page.get_by_label("迁入网格").select_option(label="西岭村第一网格")
    page.get_by_label("迁移原因").fill("户主在西岭村购房，全家迁入。")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("已提交迁移申请").wait_for()
    assert page.get_by_test_id("move-state").inner_text().startswith("待迁入村审批")
    # the requester cannot approve their own request
    assert page.get_by_role("button", name="同意迁入").count() == 0

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    other = context.new_page()
    try:
        login(other, "cadre_v2")
        card = other.get_by_role("link", name=re.compile("待我审批的户迁移"))
        assert card.inner_text().strip().startswith("1")
        card.click()
        other.get_by_role("link", name=household.number).click()
        assert "户主在西岭村购房" in other.locator("main").inner_text()
        other.get_by_label("同意迁入意见").fill("同意。")
        other.get_by_role("button", name="同意迁入").click()
        other.get_by_text("已同意迁入。").wait_for()
        assert other.get_by_test_id("move-state").inner_text().strip() == "已迁入"
        shot(other, "move-approved")
        other.get_by_role("main").get_by_role("link", name=household.number).click()
        # 住址 · 村 · 网格: the address stays as written, the village and grid are the new ones
        _address, village, grid = other.locator("main p.text-muted").first.inner_text().split(" · ")[:3]
        assert (village, grid) == ("西岭村", "西岭村第一网格")
        assert "周小梅" in other.locator("main table").first.inner_text()
    finally:
        context.close()

    # the sending village no longer has the household
    menu(page, "户").click()
    page.get_by_label("搜索户").fill("孙大海")
    page.get_by_role("button", name="查询").click()
    assert "没有符合条件的户" in page.locator("main table").inner_text()
    # but sees its request as done in the 户迁移 list
    menu(page, "户迁移").click()
    page.get_by_role("link", name="本村申请").click()
    assert "已迁入" in page.locator("main table").inner_text()


# --- 4. Password policy and lockout ---------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account(page, tree, make_user):
    make_user("village_cadre", tree.v1, username="cadre_lock")
    page.goto("/accounts/login/")
    for i in range(5):
        page.get_by_label("用户名或手机号").fill("cadre_lock")
        page.get_by_label("密码").fill(f"wrong-{i}")
        page.get_by_role("button", name="登录").click()
        alert = page.get_by_role("alert")
        if i < 4:
            assert alert.inner_text().strip() == "用户名或密码错误。"
    assert "账号已锁定" in alert.inner_text() and "30 分钟" in alert.inner_text()
    shot(page, "login-locked")
    # even the right password is refused now
    page.get_by_label("用户名或手机号").fill("cadre_lock")
    page.get_by_label("密码").fill("Passw0rd!x")
    page.get_by_role("button", name="登录").click()
    assert "账号已锁定" in page.get_by_role("alert").inner_text()
    assert "/accounts/login" in page.url


def test_initial_password_must_be_changed_first(page, login, tree, make_user):
    user = make_user("village_cadre", tree.v1, username="cadre_new", password="Chushi#2024")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])

    login(page, "cadre_new", "Chushi#2024")
    assert page.url.endswith("/accounts/password/")
    assert page.get_by_text("首次登录须修改初始密码").is_visible()
    # the registry is out of reach until the password is changed
    page.goto("/people/")
    assert page.url.endswith("/accounts/password/")
    assert page.get_by_role("link", name="人口台账").count() == 0  # no menu to wander off into

    page.get_by_label("原密码").fill("Chushi#2024")
    page.get_by_label("新密码", exact=True).fill("abc12345")
    page.get_by_label("再次输入新密码").fill("abc12345")
    page.get_by_role("button", name="保存").click()
    assert "至少 3 类" in page.get_by_role("alert").inner_text()
    shot(page, "password-weak")
    assert page.url.endswith("/accounts/password/")

    page.get_by_label("原密码").fill("Chushi#2024")
    page.get_by_label("新密码", exact=True).fill("Dongpo#2025x")
    page.get_by_label("再次输入新密码").fill("Dongpo#2025x")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("密码已修改").wait_for()
    menu(page, "人口台账").click()
    page.get_by_role("heading", name="人口台账").wait_for()
    assert page.url.endswith("/people/")


# --- 5. A grid worker on a phone registers a newborn ----------------------------------------------------------

def test_grid_worker_on_phone_registers_newborn(phone_page, login, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    make_user("grid_worker", tree.g1, username="grid_w", full_name="李网格")
    make_household(cadre, tree.g1, head_name="马建国", members=["何丽"])
    make_household(cadre, tree.g1, head_name="马建军")
    pg = phone_page

    login(pg, "grid_w")
    pg.get_by_role("button", name="菜单").click()
    menu(pg, "户").click()
    pg.get_by_label("搜索户").fill("马建国")
    pg.get_by_role("button", name="查询").click()
    rows = pg.locator("main table tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link").click()
    pg.get_by_role("heading", name=re.compile("马建国")).wait_for()

    pg.get_by_role("link", name="登记人员/出生").click()
    pg.get_by_label("登记类型").select_option(label="出生")
    pg.get_by_label("姓名").fill("马小宝")
    birth = dt.date.today() - dt.timedelta(days=20)
    pg.get_by_label("出生日期").fill(birth.isoformat())
    pg.get_by_label("性别").select_option(label="女")
    # 与户主关系 opens on 户主; a birth left so is refused (see the xfail test below), so the worker picks 子女
    pg.get_by_label("与户主关系").select_option(label="子女")
    shot(pg, "phone-birth-form")
    pg.get_by_role("button", name="保存").click()
    pg.get_by_text("已登记 马小宝").wait_for()

    members = pg.locator("main table").first.inner_text()
    assert "马小宝" in members and "子女" in members
    assert "出生" in pg.locator("main ul.list-group").inner_text()
    shot(pg, "phone-household")
    pg.get_by_role("link", name="马小宝").click()
    assert str(birth.year) in pg.locator("main").inner_text()
    assert "女" in pg.locator("main table").first.inner_text()


def test_birth_left_at_default_relation_is_registered_as_child(phone_page, login, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    make_user("grid_worker", tree.g1, username="grid_w2")
    household = make_household(cadre, tree.g1, head_name="马建国")
    pg = phone_page
    login(pg, "grid_w2")
    pg.goto(f"/people/households/{household.pk}/")
    pg.get_by_role("link", name="登记人员/出生").click()
    pg.get_by_label("登记类型").select_option(label="出生")
    pg.get_by_label("姓名").fill("马小宝")
    pg.get_by_label("出生日期").fill((dt.date.today() - dt.timedelta(days=3)).isoformat())
    pg.get_by_role("button", name="保存").click()
    assert pg.locator(".alert-danger").count() == 0
    pg.get_by_text("已登记 马小宝").wait_for(timeout=3000)

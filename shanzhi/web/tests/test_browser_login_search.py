import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_and_find_person_by_initials(page, login, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1, username="cadre_a", full_name="王书记")
    make_household(cadre, tree.g1, head_name="张三")
    make_household(cadre, tree.g1, head_name="李四")
    login(page, "cadre_a")
    page.get_by_role("link", name="人口台账").click()
    page.get_by_placeholder("姓名、拼音、首字母").fill("zs")
    page.get_by_role("button", name="查询").click()
    table = page.locator("#person-table")
    assert table.get_by_role("link", name="张三").is_visible()
    assert table.get_by_text("李四").count() == 0
    # identity numbers are masked in the list
    assert "********" in table.inner_text()

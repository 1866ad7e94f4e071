import datetime as dt

import pytest

from conftest import id_for
from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.people import services
from shanzhi.people.models import Household, Person, RegistryChange

pytestmark = pytest.mark.django_db


def counts():
    return (Household.objects.count(), Person.objects.count(), RegistryChange.objects.count(), AuditEntry.objects.count())


def test_bad_person_input_changes_nothing(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    household = make_household(cadre, tree.g1)
    before = counts()
    bad_inputs = [
        {"name": "", "id_number": id_for(900)},
        {"name": "李四", "id_number": "419001198005170010"},  # wrong check character
        {"name": "李四", "id_number": id_for(901), "phone": "123"},
        {"name": "李四", "id_number": id_for(902), "birth_date": dt.date(1990, 1, 1)},  # disagrees with the ID
        {"name": "李四", "id_number": id_for(903), "relation": "head"},  # the household already has a head
        {"name": "李四", "id_number": household.head.id_number},  # already registered
        {"name": "李四", "tags": ["unknown"]},
    ]
    for data in bad_inputs:
        with pytest.raises(ValidationFailed) as exc:
            services.person_create(acting_user=cadre, household=household, data=data)
        assert exc.value.message
    assert counts() == before


def test_out_of_scope_write_is_not_found(tree, make_user, make_household):
    cadre_a = make_user("village_cadre", tree.v1)
    cadre_b = make_user("village_cadre", tree.v2)
    household = make_household(cadre_a, tree.g1)
    with pytest.raises(NotFound):
        services.person_create(acting_user=cadre_b, household=household, data={"name": "王五"})
    with pytest.raises(NotFound):
        services.household_create(acting_user=cadre_b, place=tree.g1, address="x")


def test_birth_death_and_move_out_are_history(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    household = make_household(cadre, tree.g1, members=["李梅"])
    baby = services.person_record_birth(acting_user=cadre, household=household,
                                        data={"name": "张小宝", "birth_date": dt.date(2026, 3, 1)})
    assert baby.relation == "child"
    wife = household.members.get(name="李梅")
    services.person_record_move_out(acting_user=cadre, person=wife, date=dt.date(2026, 6, 1), note="婚迁")
    services.person_record_death(acting_user=cadre, person=household.head, date=dt.date(2026, 7, 1))
    kinds = list(household.changes.values_list("kind", flat=True))
    assert {"birth", "move_out", "death"} <= set(kinds)
    with pytest.raises(ValidationFailed):
        services.person_record_death(acting_user=cadre, person=Person.objects.get(pk=household.head_id), date=dt.date(2026, 7, 2))
    household.refresh_from_db()
    assert household.member_count == 1  # head + wife + baby, less the one moved out and the one dead


def test_move_between_grids_keeps_scope_paths(tree, make_user, make_place, make_household):
    cadre = make_user("village_cadre", tree.v1)
    other_grid = make_place(tree.v1, "grid", "东坡村第二网格")
    household = make_household(cadre, tree.g1, members=["李梅"])
    services.household_move_grid(acting_user=cadre, household=household, place=other_grid)
    household.refresh_from_db()
    assert household.place_path == other_grid.path
    assert set(household.members.values_list("place_path", flat=True)) == {other_grid.path}
    with pytest.raises(NotFound):  # another village's grid is outside a village cadre's scope
        services.household_move_grid(acting_user=cadre, household=household, place=tree.g2)
    dispatcher = make_user("dispatcher", tree.kejing)
    with pytest.raises(ValidationFailed):  # across villages it takes the move workflow
        services.household_move_grid(acting_user=dispatcher, household=household, place=tree.g2)


def test_reveal_is_a_permission_and_audited(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    assistant_place = tree.g1
    leader = make_user("township_staff", tree.kejing)
    household = make_household(cadre, assistant_place)
    value = services.person_reveal(acting_user=cadre, person=household.head, field="id_number")
    assert value == household.head.id_number
    assert AuditEntry.objects.filter(action="reveal", success=True, object_id=str(household.head_id)).count() == 1
    with pytest.raises(PermissionDenied):
        services.person_reveal(acting_user=leader, person=household.head, field="phone")
    assert AuditEntry.objects.filter(action="reveal", success=False).count() == 1


def test_reveal_through_the_page(client, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    household = make_household(cadre, tree.g1)
    client.force_login(cadre)
    page = client.get(f"/people/persons/{household.head_id}/").content.decode()
    assert household.head.id_number not in page
    response = client.post(f"/people/persons/{household.head_id}/reveal/id_number")
    assert household.head.id_number in response.content.decode()


def test_person_list_queries_do_not_grow_with_rows(client, tree, make_user, make_household, django_assert_max_num_queries):
    cadre = make_user("village_cadre", tree.v1)
    make_household(cadre, tree.g1, members=["李梅"])
    client.force_login(cadre)
    with django_assert_max_num_queries(12) as small:
        client.get("/people/")
    for i in range(6):
        make_household(cadre, tree.g1, head_name=f"王{i}", members=["赵六", "孙七"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/people/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/people/households/")


def test_export_neutralises_formulas(client, tree, make_user, make_household):
    import io

    from openpyxl import load_workbook

    cadre = make_user("village_cadre", tree.v1)
    household = make_household(cadre, tree.g1)
    services.person_update(acting_user=cadre, person=household.head, data={"name": "=HYPERLINK(1)"})
    client.force_login(cadre)
    response = client.get("/people/", {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names
    assert AuditEntry.objects.filter(action="export").exists()


def test_pages_never_show_full_id_phone_or_birth_date_unrevealed(client, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    household = make_household(cadre, tree.g1)
    head = household.head
    client.force_login(cadre)
    for url in ("/people/", f"/people/persons/{head.pk}/", f"/people/persons/{head.pk}/edit", f"/people/households/{household.pk}/"):
        body = client.get(url).content.decode()
        assert head.id_number not in body, url
        assert head.phone not in body, url
        assert head.birth_date.strftime("%Y-%m-%d") not in body, url
    # editing with the ID and phone left blank keeps them
    response = client.post(f"/people/persons/{head.pk}/edit", {"name": "张三丰", "relation": "head", "residence_status": "resident",
                                                              "political_status": "masses", "id_number": "", "phone": ""})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.name == "张三丰" and head.id_number and head.phone


def test_search_by_full_id_is_a_reveal(client, tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    leader = make_user("township_staff", tree.kejing)  # may view, may not reveal
    household = make_household(cadre, tree.g1, head_name="钱多多")
    number = household.head.id_number
    client.force_login(leader)
    assert "钱多多" not in client.get("/people/", {"q": number}).content.decode()
    client.force_login(cadre)
    assert "钱多多" in client.get("/people/", {"q": number}).content.decode()
    assert AuditEntry.objects.filter(event="person_search_id").count() == 2


def test_export_is_limited_to_the_export_scope(client, tree, make_user, make_household):
    import io

    from openpyxl import load_workbook

    from shanzhi.access.services import role_assign

    cadre_v3 = make_user("village_cadre", tree.v3)
    make_household(cadre_v3, tree.g3, head_name="赵六")
    chief = make_user("grid_chief", tree.v1)  # exports in 东坡村 only …
    role_assign(acting_user=None, user=chief, role="mediator", place=tree.county)  # … but views the county
    make_household(make_user("village_cadre", tree.v1), tree.g1, head_name="张三")
    client.force_login(chief)
    assert "赵六" in client.get("/people/households/").content.decode()
    ws = load_workbook(io.BytesIO(client.get("/people/households/", {"export": "xlsx"}).content)).active
    heads = [row[1].value for row in ws.iter_rows(min_row=2)]
    assert heads == ["张三"]


def test_death_goes_through_the_status_change_and_counts(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1)
    household = make_household(cadre, tree.g1, members=["李梅"])
    wife = household.members.get(name="李梅")
    with pytest.raises(ValidationFailed):
        services.person_update(acting_user=cadre, person=wife, data={"residence_status": "deceased"})
    services.person_update(acting_user=cadre, person=wife, data={"residence_status": "away"})
    services.person_record_death(acting_user=cadre, person=wife, date=dt.date(2026, 1, 5))
    household.refresh_from_db()
    assert household.member_count == 1

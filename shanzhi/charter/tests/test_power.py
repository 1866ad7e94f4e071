"""小微权力清单 (domain.md A1): township templates, villages adopting and adapting them, publication, the public
pages with each item's process drawn as a flow."""

from __future__ import annotations

import pytest

from shanzhi.charter import selectors, services
from shanzhi.charter.models import PowerItem, PowerList
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.publication.models import Publication

from .conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(world):
    t = services.power_list_create(acting_user=world.dispatcher, place=world.tree.kejing, kind="micro_power")
    services.power_item_create(acting_user=world.dispatcher, power_list=t, data=item())
    services.power_item_create(acting_user=world.dispatcher, power_list=t, data=item(
        name="宅基地申请审查", steps=("农户申请", "小组讨论", "村级审查公示", "乡镇审批")))
    return t


def test_template_adopted_adapted_and_published(world, template):
    assert template.is_template and template.title == "克井镇小微权力清单"
    # The village cadre sees the township's template (it applies downward) and adopts it.
    assert template in selectors.power_lists(user=world.cadre)
    assert [v.code for v in selectors.adoptable_villages(user=world.cadre, template=template)] == [world.tree.v1.code]
    own = services.power_list_adopt(acting_user=world.cadre, template=template, village=world.tree.v1)
    assert own.template_id == template.pk and not own.is_template
    items = list(own.items.order_by("number"))
    assert [i.name for i in items] == ["低保申请初审", "宅基地申请审查"]
    assert all(i.template_item_id for i in items) and not any(selectors.item_is_adapted(i) for i in items)
    with pytest.raises(Conflict, match="不能重复采用"):
        services.power_list_adopt(acting_user=world.cadre, template=template, village=world.tree.v1)
    # Adapting: one item changed, another added; the template is untouched.
    services.power_item_update(acting_user=world.cadre, item=items[0], data=item(
        steps=("村民申请", "入户调查", "村民代表评议", "公示7天", "报乡镇审核")))
    services.power_item_create(acting_user=world.cadre, power_list=own, data=item(name="村级印章使用",
                                                                                  steps=("申请", "审批", "用印登记")))
    items = selectors.power_items(own)
    assert [selectors.item_is_adapted(i) for i in items] == [True, False, False]
    assert template.items.get(number=1).steps == ["村民申请", "入户调查", "民主评议", "公示"]
    # Publishing puts the list on the village board.
    own = services.power_list_publish(acting_user=world.cadre, power_list=own)
    p = Publication.objects.get(pk=own.publication_id)
    assert p.kind == "power_list" and p.village_id == world.tree.v1.pk and len(p.rows) == 3
    assert p.rows[0][4] == "村民申请 → 入户调查 → 村民代表评议 → 公示7天 → 报乡镇审核"
    with pytest.raises(ValidationFailed, match="乡镇模板不在村务公开栏公示"):
        services.power_list_publish(acting_user=world.dispatcher, power_list=template)
    # Deleting renumbers.
    services.power_item_delete(acting_user=world.cadre, item=items[0])
    assert list(own.items.order_by("number").values_list("number", "name")) == [(1, "宅基地申请审查"), (2, "村级印章使用")]


def test_refusals_and_scope(world, template):
    before = PowerItem.objects.count()
    with pytest.raises(ValidationFailed, match="至少要有两个步骤"):
        services.power_item_create(acting_user=world.dispatcher, power_list=template, data=item(steps=("申请",)))
    with pytest.raises(ValidationFailed, match="公开要求"):
        bad = item()
        bad.disclosure = "never"
        services.power_item_create(acting_user=world.dispatcher, power_list=template, data=bad)
    assert PowerItem.objects.count() == before
    with pytest.raises(Conflict):
        services.power_list_create(acting_user=world.dispatcher, place=world.tree.kejing, kind="micro_power")
    # A village cadre cannot change the township's template, nor another village adopt for 东坡村.
    with pytest.raises(NotFound):
        services.power_item_create(acting_user=world.cadre, power_list=template, data=item())
    with pytest.raises(NotFound):
        services.power_list_adopt(acting_user=world.cadre_v2, template=template, village=world.tree.v1)
    # 五龙口镇 neither sees nor adopts 克井镇's template.
    assert template not in selectors.power_lists(user=world.cadre_v3)
    assert template not in selectors.power_lists(user=world.other_dispatcher)
    with pytest.raises(NotFound):
        services.power_list_adopt(acting_user=world.cadre_v3, template=template, village=world.tree.v3)
    with pytest.raises(ValidationFailed, match="没有事项"):
        services.power_list_publish(acting_user=world.cadre, power_list=services.power_list_create(
            acting_user=world.cadre, place=world.tree.v1, kind="autonomy"))
    own = services.power_list_adopt(acting_user=world.cadre, template=template, village=world.tree.v1)
    assert own not in selectors.power_lists(user=world.cadre_v2)
    assert set(selectors.power_lists(user=world.township)) >= {template, own}


def test_pages_and_public_flow(client, world, template):
    own = services.power_list_adopt(acting_user=world.cadre, template=template, village=world.tree.v1)
    client.force_login(world.cadre_v2)
    assert client.get(f"/charter/lists/{own.pk}/").status_code == 404
    item_pk = own.items.first().pk
    assert client.get(f"/charter/items/{item_pk}/edit/").status_code == 404
    assert client.post(f"/charter/items/{item_pk}/delete/").status_code == 404
    client.force_login(world.cadre)
    body = client.get(f"/charter/lists/{template.pk}/").content.decode()
    assert "乡镇模板" in body and "采用模板" not in body  # 东坡村 already adopted
    body = client.get(f"/charter/lists/{own.pk}/").content.decode()
    assert "低保申请初审" in body and 'class="flow-step"' in body
    response = client.post(f"/charter/items/{item_pk}/edit/", {
        "name": "低保申请初审", "legal_basis": "依据", "responsible_body": "村委会", "disclosure": "result",
        "step": ["申请", "", "调查", "评议"], "risks": ""})
    assert response.status_code == 302
    assert PowerItem.objects.get(pk=item_pk).steps == ["申请", "调查", "评议"]
    response = client.post(f"/charter/lists/{own.pk}/items/new/", {"name": "", "step": ["一"]})
    assert response.status_code == 400
    client.logout()
    assert client.get(f"/charter/public/{world.tree.v1.code}/lists/micro_power/").status_code == 404  # unpublished
    client.force_login(world.cadre)
    client.post(f"/charter/lists/{own.pk}/publish/")
    own.refresh_from_db()
    assert own.publication_id
    client.logout()
    body = client.get(f"/charter/public/{world.tree.v1.code}/lists/").content.decode()
    assert "小微权力清单" in body
    body = client.get(f"/charter/public/{world.tree.v1.code}/lists/micro_power/").content.decode()
    assert body.count('class="flow-step"') == 7 and 'id="item-1"' in body and "优亲厚友" in body
    assert "查看公示原件" in body and "有调整" not in body
    services.power_item_update(acting_user=world.cadre, item=own.items.get(number=2), data=item(name="宅基地审查"))
    assert "有调整" in client.get(f"/charter/public/{world.tree.v1.code}/lists/micro_power/").content.decode()
    assert client.get(f"/charter/public/{world.tree.v2.code}/lists/micro_power/").status_code == 404
    assert client.get(f"/charter/public/{world.tree.v1.code}/lists/bogus/").status_code == 404
    assert not PowerList.objects.filter(place=world.tree.v2).exists()


def test_list_pages_queries_flat(client, world, template, make_place, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import draft_rules

    client.force_login(world.dispatcher)
    draft_rules(world)
    services.power_list_adopt(acting_user=world.cadre, template=template, village=world.tree.v1)
    with CaptureQueriesContext(connection) as lists_first:
        assert client.get("/charter/lists/").status_code == 200
    with CaptureQueriesContext(connection) as rules_first:
        assert client.get("/charter/").status_code == 200
    for n in range(6):
        village = make_place(world.tree.kejing, "village", f"新村{n}")
        services.power_list_adopt(acting_user=world.dispatcher, template=template, village=village)
        draft_rules(world, village=village, cadre=world.dispatcher, title=f"新村{n}村规民约")
    with django_assert_max_num_queries(len(lists_first.captured_queries)):
        body = client.get("/charter/lists/").content.decode()
    assert body.count("小微权力清单") >= 8
    with django_assert_max_num_queries(len(rules_first.captured_queries)):
        body = client.get("/charter/").content.decode()
    assert "新村5村规民约" in body

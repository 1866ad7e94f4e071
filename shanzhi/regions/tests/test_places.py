import pytest

from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.regions.models import Place, path_prefixes
from shanzhi.regions.services import place_create, regions_load

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_keeps_the_tree():
    created = regions_load(under="419001")
    assert created == 18  # 河南省, 济源市 and its 16 townships
    assert regions_load(under="419001") == 0
    kejing = Place.objects.get(code="419001100000")
    assert kejing.path == "419001100" and kejing.parent.code == "419001000000"
    assert kejing.parent.parent.code == "410000000000"  # 济源 hangs directly under the province
    assert kejing.initials == "kjz"


def test_child_codes_are_paths(tree, make_user):
    admin = make_user("admin", tree.county)
    grid2 = place_create(acting_user=admin, parent=tree.v1, level="grid", name="第二网格")
    micro = place_create(acting_user=admin, parent=grid2, level="microgrid", name="一号微网格")
    assert grid2.code == "419001100201W002"
    assert micro.code == grid2.code + "01"
    assert path_prefixes(micro.path)[-3:] == [tree.v1.path, grid2.path, micro.path]
    assert micro.is_within(tree.kejing)


@pytest.mark.parametrize(
    ("level", "name", "code", "message"),
    [
        ("village", "新村", "419001100", "12位"),
        ("village", "新村", "419001101205", "开头"),  # another township's code
        ("village", "新村", "419001100500", "001–399"),
        ("village", "", "419001100210", "名称"),
        ("grid", "x", "", "不能建在"),  # a grid under a township
    ],
)
def test_bad_places_refused(tree, make_user, level, name, code, message):
    admin = make_user("admin", tree.county)
    before = Place.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        place_create(acting_user=admin, parent=tree.kejing, level=level, name=name, code=code)
    assert message in exc.value.message
    assert Place.objects.count() == before


def test_out_of_scope_parent_is_not_found(tree, make_user):
    cadre = make_user("village_cadre", tree.v2)
    with pytest.raises(NotFound):
        place_create(acting_user=cadre, parent=tree.v1, level="grid", name="越权网格")


def test_search_by_initials_and_pinyin(client, tree, make_user):
    client.force_login(make_user("dispatcher", tree.kejing))
    assert "东坡村" in client.get("/places/", {"q": "dpc"}).content.decode()
    assert "东坡村" in client.get("/places/", {"q": "dongpo"}).content.decode()
    assert "南河村" not in client.get("/places/", {"q": "nhc"}).content.decode()  # another township

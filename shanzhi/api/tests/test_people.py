"""Registry endpoints: masking, audited reveal, creates and updates through the services."""

from __future__ import annotations

import datetime as dt

from shanzhi.audit.models import AuditEntry
from shanzhi.core.identity import make_id_number
from shanzhi.people.models import Household, Person, Subject
from shanzhi.regions.models import Place

from .conftest import token_client


def id_for(n: int) -> str:
    return make_id_number("419001", dt.date(1985, 3, 9), n)


def counts() -> tuple[int, int, int, int, int]:
    return (Household.objects.count(), Person.objects.count(), Subject.objects.count(), Place.objects.count(),
            AuditEntry.objects.count())


def test_identity_numbers_and_phones_are_masked_everywhere(world):
    client = token_client(world.cadre)
    p1 = world.p1
    assert p1.id_number and p1.phone
    urls = ["/api/v1/persons/", f"/api/v1/persons/{p1.pk}/", "/api/v1/households/", f"/api/v1/households/{world.h1.pk}/",
            "/api/v1/subjects/", f"/api/v1/subjects/{world.s1.pk}/", "/api/v1/memberships/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for person in Person.objects.all():
            assert person.id_number not in text, url
            assert not person.phone or person.phone not in text, url
            # the birth date with the masked number would spell the number out
            assert person.birth_date.isoformat() not in text, url
        assert "13912345678" not in text, url
    detail = client.get(f"/api/v1/persons/{p1.pk}/").json()
    assert detail["id_number_masked"] == p1.id_number[:6] + "********" + p1.id_number[-4:]
    assert detail["phone_masked"] == p1.phone[:3] + "****" + p1.phone[-4:]
    assert detail["birth_year"] == p1.birth_date.year
    assert "id_number" not in detail and "phone" not in detail
    members = client.get(f"/api/v1/households/{world.h1.pk}/").json()["members"]
    assert [m["name"] for m in members] == ["张三", "李四"]
    assert members[0]["id_number_masked"] == p1.id_number_masked


def test_reveal_is_audited(world):
    client = token_client(world.cadre)
    response = client.post(f"/api/v1/persons/{world.p1.pk}/reveal/", {"field": "id_number"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": world.p1.id_number}
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(event="person_reveal")
    assert (entry.actor, entry.action, entry.success, entry.object_id) == (world.cadre, "reveal", True, str(world.p1.pk))
    phone = client.post(f"/api/v1/persons/{world.p1.pk}/reveal/", {"field": "phone"}, format="json")
    assert phone.json()["value"] == world.p1.phone
    assert AuditEntry.objects.filter(event="person_reveal", success=True).count() == 2


def test_reveal_without_permission_is_403_with_message_and_audited(world, make_user):
    chief = make_user("grid_chief", world.tree.v1)  # may see people, may not reveal
    response = token_client(chief).post(f"/api/v1/persons/{world.p1.pk}/reveal/", {"field": "id_number"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "您没有查看完整公民身份号码的权限。"}
    assert world.p1.id_number not in response.content.decode()
    assert AuditEntry.objects.filter(event="person_reveal", actor=chief, success=False).count() == 1


def test_reveal_unknown_field(world):
    response = token_client(world.cadre).post(f"/api/v1/persons/{world.p1.pk}/reveal/", {"field": "name"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "该字段不可查看。"


def test_create_household_and_person(world):
    client = token_client(world.cadre)
    response = client.post("/api/v1/households/", {"place": world.tree.g1.code, "address": "东坡村8号",
                                                   "group": world.tree.grp1.code}, format="json")
    assert response.status_code == 201, response.content
    household = response.json()
    assert household["place"] == world.tree.g1.code and household["group"] == world.tree.grp1.code
    assert household["members"] == []
    number = id_for(901)
    person = client.post("/api/v1/persons/", {"household": household["id"], "name": "陈七", "id_number": number,
                                              "relation": "head", "phone": "13600001234", "tags": ["veteran"]},
                         format="json")
    assert person.status_code == 201, person.content
    body = person.json()
    assert body["name"] == "陈七" and body["relation"] == "head" and body["tag_labels"] == ["退役军人"]
    assert number not in person.content.decode() and "13600001234" not in person.content.decode()
    assert Person.objects.get(pk=body["id"]).id_number == number
    assert AuditEntry.objects.filter(event="person_create", object_id=str(body["id"])).exists()
    assert Household.objects.get(pk=household["id"]).head_name == "陈七"


def test_register_a_birth(world):
    client = token_client(world.cadre)
    born = dt.date.today() - dt.timedelta(days=30)
    response = client.post("/api/v1/persons/", {"household": world.h1.pk, "name": "张小宝", "kind": "birth",
                                                "birth_date": born.isoformat(), "sex": "M"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["relation"] == "child"
    assert world.h1.changes.filter(kind="birth").exists()


def test_update_person(world):
    client = token_client(world.cadre)
    response = client.patch(f"/api/v1/persons/{world.p1.pk}/", {"note": "独居", "tags": ["left_behind_elder"]},
                            format="json")
    assert response.status_code == 200, response.content
    assert response.json()["note"] == "独居" and response.json()["tags"] == ["left_behind_elder"]
    world.p1.refresh_from_db()
    assert world.p1.note == "独居" and world.p1.id_number  # untouched fields stay
    assert AuditEntry.objects.filter(event="person_update", object_id=str(world.p1.pk)).exists()


def test_update_with_bad_id_number_writes_nothing(world):
    before = counts()
    response = token_client(world.cadre).patch(f"/api/v1/persons/{world.p1.pk}/", {"id_number": "12345"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "身份证号应为18位：前17位为数字，最后一位为数字或X。"
    assert counts() == before
    assert Person.objects.get(pk=world.p1.pk).id_number == world.p1.id_number


def test_create_person_with_malformed_id_number_is_400_and_writes_nothing(world):
    before = counts()
    client = token_client(world.cadre)
    bad_checksum = id_for(902)[:17] + ("0" if id_for(902)[-1] != "0" else "1")
    for number, message in [("41900119800517", "身份证号应为18位：前17位为数字，最后一位为数字或X。"),
                            (bad_checksum, "身份证号校验码错误，请核对后重新输入。")]:
        response = client.post("/api/v1/persons/", {"household": world.h1.pk, "name": "错号", "id_number": number},
                               format="json")
        assert response.status_code == 400
        assert response.json() == {"code": response.json()["code"], "message": message}
        assert response.json()["code"].startswith("id_number")
    assert counts() == before


def test_create_person_bad_inputs(world):
    before = counts()
    client = token_client(world.cadre)
    cases = [
        ({"household": world.h2.pk, "name": "越界"}, "所填的户不存在，或不在您的管辖范围内。"),
        ({"household": world.h1.pk, "name": ""}, "姓名不能为空。"),
        ({"household": world.h1.pk, "name": "某", "relation": "cousin"}, "与户主关系“cousin”无效"),
        ({"household": world.h1.pk, "name": "某", "phone": "12345"}, "手机号应为11位"),
        ({"household": world.h1.pk, "name": "某", "birth_date": "1990-13-45"}, "birth_date："),
        ({"household": "x", "name": "某"}, "household："),
    ]
    for data, message in cases:
        response = client.post("/api/v1/persons/", data, format="json")
        assert response.status_code == 400, (data, response.content)
        assert message in response.json()["message"], response.json()
    assert counts() == before


def test_create_household_with_unknown_place_is_400_and_writes_nothing(world):
    before = counts()
    client = token_client(world.cadre)
    for code in ["419001100299", world.tree.v2.code]:  # not there; not theirs
        response = client.post("/api/v1/households/", {"place": code, "address": "某地"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"code": "unknown_place", "message": f"区划代码“{code}”不存在，或不在您的管辖范围内。"}
    response = client.post("/api/v1/households/", {"place": world.tree.g1.code, "address": " "}, format="json")
    assert response.status_code == 400 and response.json()["message"] == "住址不能为空。"
    response = client.post("/api/v1/households/", {"place": world.tree.grp1.code, "address": "某地"}, format="json")
    assert response.status_code == 400 and response.json()["message"] == "户只能登记在村/社区、网格或微网格。"
    assert counts() == before


def test_create_place(world):
    client = token_client(world.cadre)
    response = client.post("/api/v1/places/", {"parent": world.tree.v1.code, "level": "grid", "name": "东坡村第二网格"},
                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == world.tree.v1.code and response.json()["level"] == "grid"
    assert AuditEntry.objects.filter(event="place_create", object_repr="东坡村第二网格", actor=world.cadre).exists()


def test_create_place_bad_inputs(world, make_user):
    viewer = make_user("supervisor", world.tree.v1)  # sees the village, may not change the tree
    before = counts()
    client = token_client(world.cadre)
    cases = [
        ({"parent": "419001100299", "level": "grid", "name": "x"}, 400, "上级区划代码“419001100299”不存在"),
        ({"parent": world.tree.v2.code, "level": "grid", "name": "x"}, 400, "不在您的管辖范围内"),
        ({"parent": world.tree.v1.code, "level": "village", "name": "x"}, 400, "村/社区不能建在村/社区之下。"),
        ({"parent": world.tree.v1.code, "level": "grid", "name": ""}, 400, "名称不能为空。"),
    ]
    for data, status, message in cases:
        response = client.post("/api/v1/places/", data, format="json")
        assert response.status_code == status, response.content
        assert message in response.json()["message"]
    response = token_client(viewer).post("/api/v1/places/", {"parent": world.tree.v1.code, "level": "grid", "name": "y"},
                                         format="json")
    assert response.status_code == 404
    assert counts() == before


def test_subjects_create(world):
    client = token_client(world.cadre)
    response = client.post("/api/v1/subjects/", {"place": world.tree.v1.code, "kind": "enterprise", "name": "东坡农业公司",
                                                 "credit_code": "91410000MA12345678", "phone": "13912340000"},
                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["phone_masked"] == "139****0000"
    before = counts()
    bad = client.post("/api/v1/subjects/", {"place": world.tree.v1.code, "kind": "bank", "name": "x"}, format="json")
    assert bad.status_code == 400 and "主体类型“bank”无效" in bad.json()["message"]
    assert counts() == before


def test_view_only_role_cannot_write(world, make_user):
    leader = make_user("leader", world.tree.kejing)
    client = token_client(leader)
    before = counts()
    assert client.get(f"/api/v1/persons/{world.p1.pk}/").status_code == 200
    response = client.post("/api/v1/households/", {"place": world.tree.g1.code, "address": "某地"}, format="json")
    assert response.status_code == 404
    assert client.patch(f"/api/v1/persons/{world.p1.pk}/", {"note": "x"}, format="json").status_code == 404
    assert counts() == before


def test_subject_detail_reads_through_the_selector_and_the_model_mask(world):
    """One place for the subject scope (people.selectors.subject_list) and one for the phone mask
    (Subject.phone_masked): the API repeats neither."""
    from unittest import mock

    from rest_framework import serializers as drf

    from shanzhi.api.serializers import SubjectSerializer
    from shanzhi.people import selectors

    client = token_client(world.cadre)
    with mock.patch("shanzhi.api.views.people_selectors.subject_list", wraps=selectors.subject_list) as spy:
        response = client.get(f"/api/v1/subjects/{world.s1.pk}/")
        assert client.get(f"/api/v1/subjects/{world.s2.pk}/").status_code == 404
    assert response.status_code == 200
    assert [c.kwargs["user"] for c in spy.call_args_list] == [world.cadre, world.cadre]
    assert response.json()["phone_masked"] == world.s1.phone_masked == "139****5678"
    field = SubjectSerializer().fields["phone_masked"]
    assert isinstance(field, drf.ReadOnlyField) and field.source == "phone_masked"

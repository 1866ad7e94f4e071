"""The generic scope suite for the API: anonymous → 401; in scope → rows; out of scope → absent from lists and
404 on detail, with the same body as a row that does not exist."""

from __future__ import annotations

import pytest

from shanzhi.audit.models import AuditEntry

from .conftest import token_client

LISTS = ["places", "households", "persons", "subjects", "organisations", "memberships"]
NOT_FOUND = {"code": "not_found", "message": "未找到该记录，或您无权查看。"}


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def scope_path(row: dict) -> str:
    return row.get("place_path") or row["path"]


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/audit/", "/api/v1/auth/token/", "/api/v1/events/",
                                 "/api/v1/matters/"] + [f"/api/v1/{name}/" for name in LISTS])
def test_anonymous_is_401(anon, db, url):
    response = anon.get(url) if "token" not in url else anon.delete(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_endpoint_is_json_404(anon, db):
    response = anon.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_bad_token_is_401(anon, db):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert anon.get("/api/v1/persons/").status_code == 401


@pytest.mark.parametrize("name", LISTS)
def test_village_cadre_lists_only_their_village(world, name):
    v1 = world.tree.v1.path
    mine = rows(token_client(world.cadre).get(f"/api/v1/{name}/"))
    assert mine, f"{name}: the cadre should see their own village's rows"
    assert all(scope_path(r).startswith(v1) for r in mine), mine
    everything = rows(token_client(world.admin).get(f"/api/v1/{name}/", {"limit": 500}))
    assert any(not scope_path(r).startswith(v1) for r in everything), f"{name}: no out-of-scope rows to test against"


def test_no_role_sees_nothing(world, make_user):
    nobody = make_user()
    client = token_client(nobody)
    for name in LISTS:
        assert rows(client.get(f"/api/v1/{name}/")) == []
    assert client.get(f"/api/v1/persons/{world.p1.pk}/").status_code == 404


def detail_urls(w, *, mine: bool) -> list[str]:
    if mine:
        return [f"/api/v1/places/{w.tree.g1.code}/", f"/api/v1/households/{w.h1.pk}/", f"/api/v1/persons/{w.p1.pk}/",
                f"/api/v1/subjects/{w.s1.pk}/", f"/api/v1/organisations/{w.o1.pk}/", f"/api/v1/memberships/{w.m1.pk}/"]
    return [f"/api/v1/places/{w.tree.v2.code}/", f"/api/v1/households/{w.h2.pk}/", f"/api/v1/persons/{w.p2.pk}/",
            f"/api/v1/subjects/{w.s2.pk}/", f"/api/v1/organisations/{w.o2.pk}/", f"/api/v1/memberships/{w.m2.pk}/"]


def test_detail_in_scope_200_out_of_scope_404_like_missing(world):
    client = token_client(world.cadre)
    for url in detail_urls(world, mine=True):
        assert client.get(url).status_code == 200, url
    for url in detail_urls(world, mine=False):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND
    for url in ["/api/v1/places/419001999999/", "/api/v1/households/999999/", "/api/v1/persons/999999/",
                "/api/v1/persons/abc/", "/api/v1/places/a-b.c/", "/api/v1/subjects/999999/", "/api/v1/organisations/999999/",
                "/api/v1/memberships/999999/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND


def test_writes_out_of_scope_are_404(world):
    client = token_client(world.cadre)
    assert client.patch(f"/api/v1/persons/{world.p2.pk}/", {"note": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/persons/{world.p2.pk}/reveal/", {"field": "phone"}, format="json").status_code == 404
    assert not AuditEntry.objects.filter(event="person_reveal").exists()


def test_place_filters(world):
    client = token_client(world.cadre)
    children = rows(client.get("/api/v1/places/", {"parent": world.tree.v1.code}))
    assert {r["code"] for r in children} == {world.tree.g1.code, world.tree.grp1.code}
    grids = rows(client.get("/api/v1/places/", {"level": "grid"}))
    assert [r["code"] for r in grids] == [world.tree.g1.code]
    found = rows(client.get("/api/v1/places/", {"q": "dp"}))  # 东坡 → dp
    assert found and all(r["path"].startswith(world.tree.v1.path) for r in found)
    assert rows(client.get("/api/v1/places/", {"q": "西岭"})) == []  # exists, but not theirs
    bad = client.get("/api/v1/places/", {"level": "planet"})
    assert bad.status_code == 400 and "未知层级" in bad.json()["message"]


def test_person_and_household_filters(world):
    client = token_client(world.admin)
    assert [r["name"] for r in rows(client.get("/api/v1/persons/", {"q": "zs"}))] == ["张三"]
    assert [r["name"] for r in rows(client.get("/api/v1/persons/", {"q": "李"}))] == ["李四"]
    in_v2 = rows(client.get("/api/v1/persons/", {"place": world.tree.v2.code}))
    assert [r["name"] for r in in_v2] == ["王五"]
    township = rows(client.get("/api/v1/persons/", {"place": world.tree.kejing.code}))
    assert {r["name"] for r in township} == {"张三", "李四", "王五"}
    assert rows(client.get("/api/v1/persons/", {"status": "deceased"})) == []
    bad_tag = client.get("/api/v1/persons/", {"tag": "astronaut"})
    assert bad_tag.status_code == 400 and "未知标签" in bad_tag.json()["message"]
    unknown_place = token_client(world.cadre).get("/api/v1/households/", {"place": world.tree.v2.code})
    assert unknown_place.status_code == 400
    assert unknown_place.json()["code"] == "unknown_place"
    households = rows(client.get("/api/v1/households/", {"q": "王五"}))
    assert [h["id"] for h in households] == [world.h2.pk]


def test_membership_filters(world):
    client = token_client(world.admin)
    assert [r["id"] for r in rows(client.get("/api/v1/memberships/", {"organisation": world.o1.pk}))] == [world.m1.pk]
    assert client.get("/api/v1/memberships/", {"person": "x"}).status_code == 400


def test_audit_needs_audit_permission_and_is_scoped(world):
    assert token_client(world.cadre).get("/api/v1/audit/").status_code == 404
    entries = rows(token_client(world.dispatcher).get("/api/v1/audit/", {"limit": 500}))
    kejing = world.tree.kejing.path
    assert entries and all(e["place_path"].startswith(kejing) for e in entries)
    assert AuditEntry.objects.exclude(place_path__startswith=kejing).exists()
    assert all("before" not in e and "after" not in e for e in entries)


def test_audit_filters(world):
    client = token_client(world.dispatcher)
    created = rows(client.get("/api/v1/audit/", {"event": "household_create"}))
    assert {e["object_id"] for e in created} == {str(world.h1.pk), str(world.h2.pk)}
    assert rows(client.get("/api/v1/audit/", {"action": "reveal"})) == []
    assert rows(client.get("/api/v1/audit/", {"end": "2000-01-01"})) == []
    assert rows(client.get("/api/v1/audit/", {"start": "2000-01-01", "actor": world.cadre.display_name}))


def test_pagination_limit_offset(world):
    client = token_client(world.admin)
    first = client.get("/api/v1/persons/", {"limit": 2}).json()
    assert first["count"] == 4 and first["count_capped"] is False and len(first["results"]) == 2
    assert "offset=2" in first["next"]
    rest = client.get("/api/v1/persons/", {"limit": 2, "offset": 2}).json()
    assert rest["next"] is None
    assert {p["id"] for p in first["results"]}.isdisjoint(p["id"] for p in rest["results"])

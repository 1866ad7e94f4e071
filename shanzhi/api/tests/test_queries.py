"""No N+1 on list endpoints: the number of queries for 2 rows and for 10 rows is the same."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import token_client


@pytest.fixture
def grow(tree, make_user, make_place, make_household, make_subject, make_org):
    cadre = make_user("village_cadre", tree.v1)
    dispatcher = make_user("dispatcher", tree.kejing)
    head = make_household(cadre, tree.g1, head_name="甲").members.get()
    adders = {
        "places": lambda: make_place(tree.g1, "microgrid"),
        "households": lambda: make_household(cadre, tree.g1, head_name="乙"),
        "persons": lambda: make_household(cadre, tree.g1, head_name="丙"),
        "subjects": lambda: make_subject(cadre, tree.v1),
        "organisations": lambda: make_org(tree.v1),
        "memberships": lambda: make_org(tree.v1, head),
        "audit": lambda: make_household(cadre, tree.g1, head_name="丁"),  # two entries each
    }

    def viewer(name):
        return dispatcher if name == "audit" else cadre

    def add(name, n):
        for _ in range(n):
            adders[name]()

    return type("Grow", (), {"viewer": staticmethod(viewer), "add": staticmethod(add)})


def measure(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"limit": 500})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("name", ["places", "households", "persons", "subjects", "organisations", "memberships",
                                  "audit"])
def test_list_query_count_does_not_grow_with_rows(grow, name):
    client = token_client(grow.viewer(name))
    url = f"/api/v1/{name}/"
    grow.add(name, 2)
    few_queries, few_rows = measure(client, url)
    grow.add(name, 8)
    many_queries, many_rows = measure(client, url)
    assert many_rows >= few_rows + 8
    assert many_queries == few_queries, f"{name}: {few_queries} queries for {few_rows} rows, {many_queries} for {many_rows}"
    assert few_queries <= 5  # token + user, the user's roles, the page, the count (+ nothing per row)


def test_filtered_person_list_query_count(grow, tree):
    client = token_client(grow.viewer("persons"))
    url = f"/api/v1/persons/?place={tree.g1.code}&q=b&tag=dibao"
    grow.add("persons", 2)
    few, _ = measure(client, url)
    grow.add("persons", 8)
    many, _ = measure(client, url)
    assert few == many

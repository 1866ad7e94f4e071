"""API fixtures: a token client, and a small world with rows inside and outside a village cadre's scope."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from rest_framework.test import APIClient

_seq = itertools.count(1)


def token_client(user=None) -> APIClient:
    """A client that authenticates as an API client would: ``Authorization: Token <key>``."""
    from rest_framework.authtoken.models import Token

    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_login_throttle():
    """The per-IP login throttle counts in Django's cache, which outlives a test; start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def as_user():
    return token_client


@pytest.fixture
def make_subject(db):
    from shanzhi.people.services import subject_create

    def make(actor, place, name=None):
        return subject_create(acting_user=actor, place=place, kind="family_farm", name=name or f"家庭农场{next(_seq)}",
                              phone="13912345678")

    return make


@pytest.fixture
def make_org(db):
    """Organisations and memberships have no write services yet (F3 pages are still being built), so these two
    rows are written directly, with the place path a service would set."""
    from shanzhi.orgs.models import Membership, Organisation

    def make(place, person=None, name=None):
        org = Organisation.objects.create(kind="villagers_council", name=name or f"村民议事会{next(_seq)}", place=place,
                                          place_path=place.path)
        membership = None
        if person is not None:
            membership = Membership.objects.create(organisation=org, person=person, place_path=org.place_path,
                                                   post="member", term_start=dt.date(2024, 1, 1))
        return org, membership

    return make


@pytest.fixture
def world(tree, make_user, make_household, make_subject, make_org):
    """A village cadre of 东坡村 (v1) and a dispatcher of 克井镇; rows in v1 (in scope) and in v2/v3 (out)."""
    admin = make_user("admin", tree.county, username="county_admin")
    cadre = make_user("village_cadre", tree.v1, username="cadre1", phone="13700000001")
    dispatcher = make_user("dispatcher", tree.kejing, username="dispatcher1")
    h1 = make_household(cadre, tree.g1, head_name="张三", members=["李四"])
    h2 = make_household(admin, tree.g2, head_name="王五")
    h3 = make_household(admin, tree.g3, head_name="赵六")
    s1 = make_subject(cadre, tree.v1)
    s2 = make_subject(admin, tree.v2)
    p1 = h1.members.order_by("id").first()
    p2 = h2.members.order_by("id").first()
    o1, m1 = make_org(tree.v1, p1)
    o2, m2 = make_org(tree.v2, p2)
    return type("World", (), dict(tree=tree, admin=admin, cadre=cadre, dispatcher=dispatcher, h1=h1, h2=h2, h3=h3,
                                  p1=p1, p2=p2, s1=s1, s2=s2, o1=o1, o2=o2, m1=m1, m2=m2))

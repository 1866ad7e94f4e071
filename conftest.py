"""Shared fixtures: places, users with roles, households and persons, created through the services."""

from __future__ import annotations

import datetime as dt
import itertools
import os

import pytest

os.environ.setdefault("TESTING", "1")

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _event_classifier_path(settings, tmp_path):
    """Each test its own (absent) triage model file, never the deployment's under var/ (events.classifier)."""
    settings.EVENT_CLASSIFIER_PATH = tmp_path / "event_triage.joblib"


@pytest.fixture
def make_place(db):
    from shanzhi.regions.models import Place
    from shanzhi.regions.services import place_create

    def make(parent=None, level="village", name=None, code=""):
        if parent is None:
            return Place.objects.get(code="419001100000")
        n = next(_seq)
        if level == "village" and not code:
            code = f"{parent.path}{200 + n % 199:03d}"
            while Place.objects.filter(code=code).exists():
                n = next(_seq)
                code = f"{parent.path}{200 + n % 199:03d}"
        return place_create(acting_user=None, parent=parent, level=level, name=name or f"测试{level}{n}", code=code)

    return make


@pytest.fixture
def tree(db, make_place):
    """济源市 → 克井镇 → 两个村（各一网格）；五龙口镇 → 一个村。"""
    from shanzhi.regions.services import regions_load

    regions_load(under="419001")
    from shanzhi.regions.models import Place

    county = Place.objects.get(code="419001000000")
    kejing = Place.objects.get(code="419001100000")
    wulong = Place.objects.get(code="419001101000")
    v1 = make_place(kejing, "village", "东坡村", code="419001100201")
    v2 = make_place(kejing, "village", "西岭村", code="419001100202")
    v3 = make_place(wulong, "village", "南河村", code="419001101201")
    g1 = make_place(v1, "grid", "东坡村第一网格")
    g2 = make_place(v2, "grid", "西岭村第一网格")
    g3 = make_place(v3, "grid", "南河村第一网格")
    grp1 = make_place(v1, "group", "东坡村一组")
    return type("Tree", (), dict(county=county, kejing=kejing, wulong=wulong, v1=v1, v2=v2, v3=v3, g1=g1, g2=g2,
                                 g3=g3, grp1=grp1))


@pytest.fixture
def make_user(db):
    from shanzhi.access.services import role_assign, user_create

    def make(role=None, place=None, username=None, password="Passw0rd!x", **kwargs):
        n = next(_seq)
        user = user_create(acting_user=None, username=username or f"user{n}", password=password,
                           full_name=kwargs.pop("full_name", f"用户{n}"), must_change_password=False, **kwargs)
        if role:
            role_assign(acting_user=None, user=user, role=role, place=place)
        return user

    return make


def id_for(n: int, birth: dt.date = dt.date(1980, 5, 17), male: bool = True) -> str:
    from shanzhi.core.identity import make_id_number

    seq = (n * 2 + (1 if male else 0)) % 1000
    return make_id_number("419001", birth, seq)


@pytest.fixture
def make_household(db):
    from shanzhi.people.services import household_create, person_create

    def make(actor, place, head_name="张三", members=(), **kwargs):
        household = household_create(acting_user=actor, place=place, address=f"{place.name}{next(_seq)}号", **kwargs)
        n = next(_seq)
        person_create(acting_user=actor, household=household,
                      data={"name": head_name, "id_number": id_for(n), "relation": "head", "phone": f"138{n:08d}"})
        for name in members:
            m = next(_seq)
            person_create(acting_user=actor, household=household,
                          data={"name": name, "id_number": id_for(m, male=False), "relation": "spouse"})
        household.refresh_from_db()
        return household

    return make


# --- browser tests: Playwright driving Debian's Chromium (never `playwright install`) -------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url,
                                  accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized window (a grid worker or a villager)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  base_url=live_server.url, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def login(db):
    """Log a browser page in as a user, through the login form as a person would."""

    def do(pg, username, password="Passw0rd!x"):
        pg.goto("/accounts/login/")
        pg.get_by_label("用户名或手机号").fill(username)
        pg.get_by_label("密码").fill(password)
        pg.get_by_role("button", name="登录").click()
        pg.wait_for_url(lambda url: "/accounts/login" not in url)
        return pg

    return do

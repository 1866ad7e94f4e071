"""One generic scope suite (conventions, after NetBox): for every scoped model and page, anonymous,
no role, role in scope and role out of scope. Out of scope is 404 — never 403, never data.

Capabilities add their pages to PAGE_CASES; every model with a scoped manager is checked by
test_every_scoped_model_filters_by_place without being listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from shanzhi.access.roles import Perm
from shanzhi.affairs.tests import scope as affairs_cases
from shanzhi.charter.tests import scope as charter_cases
from shanzhi.core.scoping import ScopedQuerySet
from shanzhi.finance.tests import scope as finance_cases
from shanzhi.grid.tests import scope_cases as grid_cases
from shanzhi.honours.tests import scope as results_cases
from shanzhi.mediation.tests import scope as mediation_cases
from shanzhi.points.tests import scope as points_cases
from shanzhi.rewards.tests import scope as rewards_cases
from shanzhi.warning.tests import scope as warning_cases

pytestmark = pytest.mark.django_db



# name → function(ctx) returning the URL of an object that belongs to village 1 (东坡村)
PAGE_CASES = {
    "place_detail": lambda c: f"/places/{c.tree.g1.code}/",
    "place_children": lambda c: f"/places/{c.tree.g1.code}/children",
    "household_detail": lambda c: f"/people/households/{c.household.pk}/",
    "person_create_form": lambda c: f"/people/households/{c.household.pk}/persons/new",
    "person_detail": lambda c: f"/people/persons/{c.household.head_id}/",
    "person_edit": lambda c: f"/people/persons/{c.household.head_id}/edit",
    "organisation_detail": lambda c: f"/orgs/{c.org.pk}/",
    "publication_detail": lambda c: f"/publications/{c.publication.pk}/",
    "publication_group_publish": lambda c: f"/publications/new/group/{c.tree.grp1.code}/",
    "move_detail": lambda c: f"/people/moves/{c.move.pk}/",
    "move_request_form": lambda c: f"/people/households/{c.household.pk}/move",
    "grid_card": lambda c: f"/grid/grids/{c.tree.g1.code}/",
    "grid_edit": lambda c: f"/grid/grids/{c.tree.g1.code}/edit",
    "grid_map": lambda c: f"/grid/map/{c.tree.v1.code}/",
    "grid_map_json": lambda c: f"/grid/map/{c.tree.v1.code}/data.json",
    "assistant_card": lambda c: grid_cases.assistant_card(c),
    "assistant_card_pdf": lambda c: grid_cases.assistant_card_pdf(c),
    "assistant_edit": lambda c: grid_cases.assistant_edit(c),
    "assistant_duties": lambda c: grid_cases.assistant_duties(c),
    "hazard_edit": lambda c: grid_cases.hazard_edit(c),
    "event_assessment": lambda c: f"/events/assessment/?place={c.tree.v1.code}",
    "event_assessment_events": lambda c: f"/events/assessment/events?place={c.tree.v1.code}&measure=accept_due",
    "warning_detail": lambda c: f"/warning/{warning_cases.scope_warning(c).pk}/",
    "warning_place": lambda c: f"/warning/place/{c.tree.g1.code}/",
    "charter_rules_detail": lambda c: f"/charter/rules/{charter_cases.rules_version(c).pk}/",
    "charter_rules_diff": lambda c: f"/charter/rules/{charter_cases.rules_version(c).pk}/diff/",
    "charter_rules_clauses": lambda c: f"/charter/rules/{charter_cases.rules_version(c).pk}/clauses/",
    "charter_power_list": lambda c: f"/charter/lists/{charter_cases.power_list(c).pk}/",
    "charter_power_item_edit": lambda c: f"/charter/items/{charter_cases.power_list(c).items.get().pk}/edit/",
    "points_scheme": lambda c: f"/points/schemes/{points_cases.scheme(c).pk}/",
    "points_item_edit": lambda c: f"/points/items/{points_cases.item(c).pk}/edit/",
    "points_quarter": lambda c: f"/points/quarters/{points_cases.quarter(c).pk}/",
    "points_reconsideration": lambda c: f"/points/reconsiderations/{points_cases.reconsideration(c).pk}/",
    "points_ledger": lambda c: f"/points/ledger/?place={c.tree.g1.code}",
    "points_ranking": lambda c: f"/points/results/?scheme={results_cases.scheme(c).pk}",
    "points_results_account": lambda c: f"/points/results/accounts/{results_cases.account(c).pk}/",
    "points_results_entries": lambda c: f"/points/results/entries/?scheme={results_cases.scheme(c).pk}",
    "points_results_entry": lambda c: f"/points/results/entries/{results_cases.entry(c).pk}/",
    "honours_round": lambda c: f"/honours/rounds/{results_cases.star_round(c).pk}/",
    "honours_listing": lambda c: f"/honours/blacklist/{results_cases.listing(c).pk}/",
    "affairs_decision": lambda c: f"/affairs/decisions/{affairs_cases.decision(c).pk}/",
    "affairs_topic": lambda c: f"/affairs/topics/{affairs_cases.topic(c).pk}/",
    "zero_sheet": lambda c: f"/warning/zero/periods/{warning_cases.scope_period(c).pk}/?place={c.tree.v1.code}",
    "finance_ledger": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/",
    "finance_statements": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/statements/",
    "finance_month": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/months/{finance_cases.ledger(c).start_month:%Y-%m}/",
    "finance_chain": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/chain/",
    "finance_categories": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/categories/",
    "finance_books": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/books/",
    "finance_entry_new": lambda c: f"/finance/ledgers/{finance_cases.ledger(c).pk}/new/",
    "finance_entry": lambda c: f"/finance/entries/{finance_cases.entry(c).pk}/",
    "mediation_stats": lambda c: f"/mediation/stats/?place={c.tree.v1.code}&period=2026",
    "mediation_stats_breakdown": lambda c: f"/mediation/stats/mediators/?place={c.tree.v1.code}&period=2026-11",
    "mediation_risk": lambda c: f"/mediation/stats/risk/?place={c.tree.v1.code}",
    "mediation_risk_repeats": lambda c: f"/mediation/stats/risk/repeats/?place={c.tree.v1.code}",
    "mediation_case_detail": lambda c: f"/mediation/cases/{mediation_cases.case(c).pk}/",
    "mediation_case_pdf": lambda c: f"/mediation/cases/{mediation_cases.case(c).pk}/pdf/application",
    "mediation_org_detail": lambda c: f"/mediation/orgs/{mediation_cases.organisation(c).pk}/",
    "mediation_mediator_detail": lambda c: f"/mediation/mediators/{mediation_cases.mediator(c).pk}/",
    "rewards_shop": lambda c: f"/rewards/shop/{rewards_cases.shop(c).pk}/",
    "rewards_goods": lambda c: f"/rewards/goods/{rewards_cases.goods(c).pk}/",
    "rewards_merchant_admin": lambda c: f"/rewards/merchants/{rewards_cases.merchant(c).pk}/",
}
# A household move is seen by both villages involved (the receiving one decides it).
ALSO_SEEN_BY_SAME_TOWNSHIP = {"move_detail"}


class Ctx:
    pass


@pytest.fixture
def ctx(tree, make_user, make_household):
    from shanzhi.orgs.services import organisation_create

    c = Ctx()
    c.tree = tree
    c.in_scope = make_user("village_cadre", tree.v1, username="cadre_in")
    c.same_township = make_user("village_cadre", tree.v2, username="cadre_v2")
    c.other_township = make_user("village_cadre", tree.v3, username="cadre_v3")
    c.no_role = make_user(username="norole")
    c.household = make_household(c.in_scope, tree.g1, members=["李梅"], group=tree.grp1)
    from shanzhi.people.moves import move_request
    from shanzhi.publication.services import group_household_list_publish

    today = dt.date.today()
    c.publication = group_household_list_publish(acting_user=c.in_scope, group=tree.grp1, starts_on=today,
                                                 ends_on=today + dt.timedelta(days=6))
    mover = make_household(c.in_scope, tree.g1, head_name="周八")
    c.move = move_request(acting_user=c.in_scope, household=mover, place=tree.g2, reason="婚迁")
    c.org = organisation_create(acting_user=c.in_scope, place=tree.v1, kind="party_branch", name="东坡村党支部",
                                founded_on=dt.date(2020, 1, 1))
    return c


@pytest.mark.parametrize("case", sorted(PAGE_CASES))
def test_page_scope(client, ctx, case):
    url = PAGE_CASES[case](ctx)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], "anonymous must log in"
    outsiders = [ctx.no_role, ctx.other_township]
    if case not in ALSO_SEEN_BY_SAME_TOWNSHIP:
        outsiders.append(ctx.same_township)
    for outsider in outsiders:
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == 404, f"{case}: {outsider.username} got {response.status_code}"
        assert "李梅" not in response.content.decode()
    client.force_login(ctx.in_scope)
    assert client.get(url).status_code == 200


def test_lists_show_only_scope(client, ctx):
    for user, visible in ((ctx.in_scope, True), (ctx.same_township, False), (ctx.no_role, False)):
        client.force_login(user)
        for url in ("/people/", "/people/households/", "/orgs/", "/people/pick?q=lm"):
            body = client.get(url).content.decode()
            assert ("李梅" in body or "东坡村党支部" in body or ctx.household.number in body) == visible, (url, user)


def test_search_and_tree_are_scoped(client, ctx):
    client.force_login(ctx.same_township)
    assert "东坡村" not in client.get("/places/", {"q": "dpc"}).content.decode()
    client.force_login(ctx.in_scope)
    assert "东坡村" in client.get("/places/", {"q": "dpc"}).content.decode()


def scoped_models():
    return [m for m in apps.get_models() if isinstance(m._default_manager.all(), ScopedQuerySet)]


def test_every_scoped_model_filters_by_place(ctx):
    models = scoped_models()
    assert len(models) >= 8
    path = ctx.tree.v1.path
    for model in models:
        field = getattr(model, "SCOPE_FIELD", "place_path")
        model._meta.get_field(field)  # the scope field exists
        manager = model._default_manager
        assert not manager.visible_to(None, Perm.PEOPLE_VIEW).exists()
        assert manager.visible_to(ctx.no_role, Perm.PEOPLE_VIEW).query.is_empty(), model
        sql = str(manager.visible_to(ctx.in_scope, Perm.PEOPLE_VIEW).query)
        assert field in sql and path in sql, f"{model.__name__} is not filtered by the user's place"


def test_grid_move_page_and_org_export(client, ctx, make_place):
    import io

    from openpyxl import load_workbook

    other_grid = make_place(ctx.tree.v1, "grid", "东坡村第二网格")
    client.force_login(ctx.in_scope)
    page = client.get(f"/people/households/{ctx.household.pk}/").content.decode()
    assert "东坡村第二网格" in page and "西岭村" not in page
    client.post(f"/people/households/{ctx.household.pk}/grid", {"place": other_grid.code})
    ctx.household.refresh_from_db()
    assert ctx.household.place_id == other_grid.pk
    client.force_login(ctx.same_township)  # another village's grid is not found
    response = client.post(f"/people/households/{ctx.household.pk}/grid", {"place": ctx.tree.g2.code})
    assert response.status_code == 404
    client.force_login(ctx.in_scope)
    ws = load_workbook(io.BytesIO(client.get("/orgs/", {"export": "xlsx"}).content)).active
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == ["东坡村党支部"]


def test_move_and_publication_lists_export(client, ctx):
    import io

    from openpyxl import load_workbook

    client.force_login(ctx.same_township)  # the receiving village sees and exports the move
    ws = load_workbook(io.BytesIO(client.get("/people/moves/", {"export": "xlsx", "box": "all"}).content)).active
    assert [row[1].value for row in ws.iter_rows(min_row=2)] == ["周八"]
    client.force_login(ctx.in_scope)
    ws = load_workbook(io.BytesIO(client.get("/publications/", {"export": "xlsx"}).content)).active
    assert [row[6].value for row in ws.iter_rows(min_row=2)] == [ctx.publication.fingerprint]
    client.force_login(ctx.other_township)
    ws = load_workbook(io.BytesIO(client.get("/publications/", {"export": "xlsx"}).content)).active
    assert ws.max_row == 1

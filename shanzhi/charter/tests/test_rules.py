"""村规民约 (domain.md A6): drafting, the four hearings, adoption by a 四议两公开 decision, versions never edited,
the diff, the public page with clause anchors, and the contract other apps use (api.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.audit.models import AuditEntry
from shanzhi.charter import api, selectors, services
from shanzhi.charter.choices import HearingParty, RulesStatus
from shanzhi.charter.models import RulesClause, RulesVersion
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.publication.models import Publication

from .conftest import adopt, draft_rules, hear_all

pytestmark = pytest.mark.django_db


def test_adoption_through_hearings_and_decision(world):
    v1 = draft_rules(world)
    assert v1.number == 1 and v1.status == RulesStatus.DRAFT
    with pytest.raises(Conflict):  # only a version being heard goes to the vote
        services.rules_submit(acting_user=world.cadre, version=v1)
    services.rules_hearing_open(acting_user=world.cadre, version=v1)
    services.rules_hearing_record(acting_user=world.cadre, version=v1, party=HearingParty.SAGES,
                                  held_on=dt.date.today(), participants="乡贤三人", participant_count=3,
                                  opinions="写具体些。", response="已采纳。")
    with pytest.raises(ValidationFailed, match="四听.*人大代表") as exc:
        services.rules_submit(acting_user=world.cadre, version=v1)
    assert "乡贤" not in exc.value.message
    v1.refresh_from_db()
    assert v1.status == RulesStatus.HEARING and v1.decision_id is None
    for party in (HearingParty.DEPUTIES, HearingParty.CADRES, HearingParty.REPRESENTATIVES):
        services.rules_hearing_record(acting_user=world.cadre, version=v1, party=party, held_on=dt.date.today(),
                                      participants="若干", participant_count=4, opinions="同意。")
    v1 = services.rules_submit(acting_user=world.cadre, version=v1)
    assert v1.status == RulesStatus.ADOPTING and v1.decision_id
    # Frozen from the vote on; not in force before the decision passes.
    with pytest.raises(Conflict, match="冻结"):
        services.rules_clauses_set(acting_user=world.cadre, version=v1,
                                   clauses=[services.ClauseInput(heading="", text="改一下")])
    with pytest.raises(Conflict, match="冻结"):
        services.rules_version_update(acting_user=world.cadre, version=v1, title="新标题", preamble="")
    with pytest.raises(Conflict, match="表决尚未通过"):
        services.rules_put_in_force(acting_user=world.cadre, version=v1)
    assert api.clause_choices(world.tree.v1) == []

    from shanzhi.affairs.models import Decision
    from shanzhi.affairs.testing import walk_decision

    walk_decision(Decision.objects.get(pk=v1.decision_id), acting_user=world.cadre)
    v1.refresh_from_db()
    assert v1.status == RulesStatus.IN_FORCE and v1.in_force_from is not None
    publication = Publication.objects.get(pk=v1.publication_id)
    assert publication.kind == "village_rules" and publication.village_id == world.tree.v1.pk
    assert [r[2] for r in publication.rows] == ["禁止赌博。", "婚宴不超过15桌。", "垃圾分类投放。"]
    assert AuditEntry.objects.filter(event="rules_in_force", object_id=str(v1.pk)).exists()
    # The contract: the clauses in force, for the village and for places below it.
    choices = api.clause_choices(world.tree.g1)
    assert [label.split(" ")[0] for _id, label in choices] == ["第1条（社会治安）", "第2条（移风易俗）", "第3条（村容村貌）"]
    assert api.clause_choices(world.tree.v2) == [] and api.clause_choices(world.tree.kejing) == []
    second = choices[1][0]
    assert api.clause_url(second) == f"/charter/public/{world.tree.v1.code}/rules/1/#clause-2"
    assert api.clause_label(second).startswith("第2条（移风易俗） 婚宴")
    assert api.clause_label(999999) == "" and api.clause_url(999999) == ""


def test_revision_supersedes_and_diff(world):
    v1 = adopt(draft_rules(world), world.cadre)
    assert v1.status == RulesStatus.IN_FORCE
    old_ids = [cid for cid, _ in api.clause_choices(world.tree.v1)]
    v2 = services.rules_version_create(acting_user=world.cadre, village=world.tree.v1, title=v1.title)
    assert v2.number == 2 and v2.based_on_id == v1.pk
    copied = list(v2.clauses.order_by("number"))
    assert [c.text for c in copied] == [c.text for c in v1.clauses.order_by("number")]
    with pytest.raises(Conflict, match="正在修订"):  # one open version per village
        services.rules_version_create(acting_user=world.cadre, village=world.tree.v1, title="又一版")
    # Clause 2 changed, clause 3 removed, a new clause added after 1.
    services.rules_clauses_set(acting_user=world.cadre, version=v2, clauses=[
        services.ClauseInput(heading=copied[0].heading, text=copied[0].text, key=copied[0].key),
        services.ClauseInput(heading="孝老爱亲", text="子女应赡养老人。"),
        services.ClauseInput(heading=copied[1].heading, text="婚宴不超过10桌。", key=copied[1].key),
    ])
    rows = selectors.rules_diff(v1, v2)
    assert [r.status for r in rows] == ["same", "added", "changed", "removed"]
    assert rows[2].old.text == "婚宴不超过15桌。" and rows[2].new.text == "婚宴不超过10桌。"
    assert rows[3].old.text == "垃圾分类投放。" and rows[3].new is None
    assert selectors.diff_counts(rows) == {"added": 1, "changed": 1, "renumbered": 0, "removed": 1, "same": 1}
    with pytest.raises(ValidationFailed, match="条款标识"):
        services.rules_clauses_set(acting_user=world.cadre, version=v2,
                                   clauses=[services.ClauseInput(heading="", text="x", key="not-a-key")])

    v2 = adopt(v2, world.cadre)
    v1.refresh_from_db()
    assert v2.status == RulesStatus.IN_FORCE and v1.status == RulesStatus.SUPERSEDED
    assert RulesVersion.objects.filter(village=world.tree.v1, status=RulesStatus.IN_FORCE).count() == 1
    # v1 kept its clauses, word for word; links to them still work and say the version is superseded.
    assert [c.text for c in v1.clauses.order_by("number")] == ["禁止赌博。", "婚宴不超过15桌。", "垃圾分类投放。"]
    assert "第1版" in api.clause_label(old_ids[1]) and "/rules/1/#clause-2" in api.clause_url(old_ids[1])
    assert [label.split(" ")[0] for _i, label in api.clause_choices(world.tree.v1)][1] == "第2条（孝老爱亲）"
    with pytest.raises(Conflict):  # a superseded version can't be put in force again
        services.rules_put_in_force(acting_user=world.cadre, version=v1)


def test_rejected_decision_closes_version(world):
    version = adopt(draft_rules(world), world.cadre, passed=False)
    assert version.status == RulesStatus.REJECTED and version.publication_id is None
    assert api.clause_choices(world.tree.v1) == []
    with pytest.raises(Conflict):
        services.rules_put_in_force(acting_user=world.cadre, version=version)
    # A new draft may start again (from nothing, as nothing is in force).
    again = services.rules_version_create(acting_user=world.cadre, village=world.tree.v1, title="再拟")
    assert again.number == 2 and again.clauses.count() == 0


def test_refusals_write_nothing(world):
    version = draft_rules(world)
    before = (RulesClause.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationFailed, match="第2条的条文"):
        services.rules_clauses_set(acting_user=world.cadre, version=version, clauses=[
            services.ClauseInput(heading="", text="好的"), services.ClauseInput(heading="", text="  ")])
    with pytest.raises(ValidationFailed, match="最多 500"):
        services.rules_clauses_set(acting_user=world.cadre, version=version,
                                   clauses=[services.ClauseInput(heading="", text="长" * 501)])
    with pytest.raises(ValidationFailed):
        services.rules_clauses_set(acting_user=world.cadre, version=version, clauses=[])
    with pytest.raises(Conflict):  # hearings only while heard
        services.rules_hearing_record(acting_user=world.cadre, version=version, party="sages",
                                      held_on=dt.date.today(), participants="x", participant_count=1, opinions="y")
    services.rules_hearing_open(acting_user=world.cadre, version=version)
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.rules_hearing_record(acting_user=world.cadre, version=version, party="sages",
                                      held_on=dt.date.today() + dt.timedelta(days=1), participants="x",
                                      participant_count=1, opinions="y")
    with pytest.raises(ValidationFailed, match="听取对象"):
        services.rules_hearing_record(acting_user=world.cadre, version=version, party="mayor",
                                      held_on=dt.date.today(), participants="x", participant_count=1, opinions="y")
    assert (RulesClause.objects.count(), AuditEntry.objects.count()) == (before[0], before[1] + 1)  # the opening


def test_scope(world):
    version = draft_rules(world)
    for outsider in (world.cadre_v2, world.cadre_v3, world.villager, world.no_role, world.other_dispatcher):
        with pytest.raises(NotFound):
            services.rules_version_update(acting_user=outsider, version=version, title="x", preamble="")
        with pytest.raises(NotFound):
            services.rules_hearing_open(acting_user=outsider, version=version)
    with pytest.raises(NotFound):
        services.rules_version_create(acting_user=world.cadre_v2, village=world.tree.v1, title="越权")
    with pytest.raises(ValidationFailed):
        services.rules_version_create(acting_user=world.dispatcher, village=world.tree.kejing, title="镇")
    # The township's dispatcher (charter.manage at the township) may help its villages.
    services.rules_version_update(acting_user=world.dispatcher, version=version, title="东坡村村规民约（草案）",
                                  preamble="")
    assert list(selectors.rules_list(user=world.cadre_v2)) == []
    assert [v.pk for v in selectors.rules_list(user=world.township)] == [version.pk]
    assert list(selectors.rules_list(user=world.cadre_v3)) == []


def test_pages(client, world):
    version = adopt(draft_rules(world), world.cadre)
    url = f"/charter/rules/{version.pk}/"
    assert client.get(url).status_code == 302
    for outsider in (world.cadre_v2, world.no_role, world.villager):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(f"/charter/rules/{version.pk}/diff/").status_code == 404
    client.force_login(world.cadre)
    body = client.get(url).content.decode()
    assert "现行有效" in body and "禁止赌博" in body and "村级决策" in body
    # Editing an adopted version is refused on the page too, nothing changes.
    response = client.post(f"/charter/rules/{version.pk}/clauses/", {"key": [""], "heading": [""], "text": ["改"],
                                                                      "order": ["1"]})
    assert response.status_code == 400 and "冻结" in response.content.decode()
    assert version.clauses.count() == 3
    # A revision from the page, edited with the clause editor, then the diff.
    response = client.post(f"/charter/rules/{version.pk}/act/revise/")
    v2 = RulesVersion.objects.get(village=world.tree.v1, number=2)
    assert response.status_code == 302 and response["Location"] == f"/charter/rules/{v2.pk}/"
    keys = list(v2.clauses.order_by("number").values_list("key", flat=True))
    response = client.post(f"/charter/rules/{v2.pk}/clauses/", {
        "key": keys + ["", ""], "order": ["1", "2", "3", "1.5", "9"], "heading": ["社会治安", "移风易俗", "村容村貌", "新章", ""],
        "text": ["禁止赌博。", "婚宴不超过10桌。", "垃圾分类投放。", "新增一条。", ""], "delete": [keys[2]]})
    assert response.status_code == 302
    assert list(v2.clauses.order_by("number").values_list("text", flat=True)) == [
        "禁止赌博。", "新增一条。", "婚宴不超过10桌。"]
    body = client.get(f"/charter/rules/{v2.pk}/diff/").content.decode()
    assert "新增 1 条，修改 1 条，删除 1 条，未变 1 条" in body
    # Public page: no login, clause anchors, the older version reachable.
    client.logout()
    body = client.get(f"/charter/public/{world.tree.v1.code}/rules/").content.decode()
    assert 'id="clause-2"' in body and "婚宴不超过15桌" in body and "现行有效" in body
    assert client.get(f"/charter/public/{world.tree.v1.code}/rules/2/").status_code == 404  # not adopted yet
    assert client.get(f"/charter/public/{world.tree.v2.code}/rules/").status_code == 200
    assert "尚无经表决通过" in client.get(f"/charter/public/{world.tree.v2.code}/rules/").content.decode()


def test_submit_from_page_and_put_in_force_button(client, world):
    version = draft_rules(world)
    hear_all(version, world.cadre)
    client.force_login(world.cadre)
    response = client.post(f"/charter/rules/{version.pk}/act/submit/", follow=True)
    assert "已提交村级决策程序" in response.content.decode()
    version.refresh_from_db()
    assert version.status == RulesStatus.ADOPTING
    response = client.post(f"/charter/rules/{version.pk}/act/in_force/", follow=True)
    assert "表决尚未通过" in response.content.decode()
    version.refresh_from_db()
    assert version.status == RulesStatus.ADOPTING
    assert client.post(f"/charter/rules/{version.pk}/act/bogus/").status_code == 404


def test_diff_tells_renumbering_from_change(world):
    v1 = adopt(draft_rules(world), world.cadre)
    v2 = services.rules_version_create(acting_user=world.cadre, village=world.tree.v1, title=v1.title)
    c = list(v2.clauses.order_by("number"))
    services.rules_clauses_set(acting_user=world.cadre, version=v2, clauses=[
        services.ClauseInput(heading="总则", text="遵纪守法。"),
        *[services.ClauseInput(heading=x.heading, text=x.text, key=x.key) for x in c]])
    rows = selectors.rules_diff(v1, v2)
    assert [r.status for r in rows] == ["added", "renumbered", "renumbered", "renumbered"]
    assert [r.label for r in rows][:2] == ["新增", "条号调整"]

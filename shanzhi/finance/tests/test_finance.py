"""村级财务 (domain.md A3): entries, the approval chain, the large-expense decision, monthly statements."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from shanzhi.audit.models import AuditEntry
from shanzhi.core.errors import Conflict, NotFound, ValidationFailed
from shanzhi.finance import selectors, services
from shanzhi.finance.choices import EntryState, HistoryAction
from shanzhi.finance.models import Entry, Statement
from shanzhi.finance.tests.conftest import jpeg, months_ago
from shanzhi.publication.models import Publication

pytestmark = pytest.mark.django_db


def test_ledger_opens_with_standard_categories_and_default_chain(fin):
    names = set(fin.ledger.categories.values_list("name", flat=True))
    assert {"经营收入", "发包及上交收入", "补助收入", "投资收益", "其他收入", "经营支出", "管理费用", "公益支出",
            "其他支出"} <= names
    labels = [s.label for s in services.active_steps(fin.ledger)]
    assert labels == ["村文书", "村支书", "民主理财小组", "村务监督委员会", "包村干部", "镇主要领导"]
    with pytest.raises(Conflict):
        services.ledger_open(acting_user=fin.bookkeeper, village=fin.tree.v1, start_month=fin.start)


def test_small_entry_is_posted_without_chain_and_numbered(fin):
    e = fin.entry(amount="800")
    assert e.state == EntryState.ENTERED and not e.needs_chain
    assert e.number == f"{fin.start:%Y-%m}-001"
    e2 = fin.entry(amount="20", kind="income", cat="其他收入")
    assert e2.number.endswith("-002")
    e = services.entry_post(acting_user=fin.bookkeeper, entry=e)
    assert e.state == EntryState.POSTED
    assert AuditEntry.objects.filter(event="entry_post", object_id=str(e.pk)).exists()


@pytest.mark.parametrize("field,value,message", [
    ("amount", "0", "大于 0"), ("amount", "-5", "大于 0"), ("amount", "12.345", "两位小数"), ("amount", "abc", "数字"),
    ("summary", "", "摘要"), ("counterparty", "  ", "收付对象"), ("vouchers", [], "凭证"),
])
def test_entry_validation_writes_nothing(fin, field, value, message):
    before = Entry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        fin.entry(**{field: value})
    assert message in exc.value.message
    assert Entry.objects.count() == before


def test_entry_refuses_other_village_category_wrong_kind_future_date(fin):
    other = fin.ledger_v2.categories.get(name="公益支出")
    with pytest.raises(ValidationFailed, match="本村"):
        services.entry_create(acting_user=fin.bookkeeper, ledger=fin.ledger, date=fin.start, kind="expense",
                              category=other, amount="10", counterparty="x", summary="y", vouchers=[jpeg()])
    with pytest.raises(ValidationFailed, match="收支类型不符"):
        fin.entry(kind="income", cat="公益支出")
    with pytest.raises(ValidationFailed, match="晚于今天"):
        fin.entry(day=localdate().replace(year=localdate().year + 1))
    with pytest.raises(ValidationFailed, match="建账月份"):
        fin.entry(day=months_ago(4))


def test_agency_bookkeeping_and_scope(fin):
    # 村账乡代管: the village cadre does not keep 东坡村's books; another township's bookkeeper does not see them.
    with pytest.raises(ValidationFailed, match="村账乡代管"):
        fin.entry(user=fin.clerk)
    with pytest.raises(NotFound):
        fin.entry(user=fin.wulong_bookkeeper)
    with pytest.raises(NotFound):
        fin.entry(user=fin.cadre_v2)
    # 西岭村 keeps its own books: its cadre enters, and the township's bookkeeper may too.
    assert fin.entry(user=fin.cadre_v2, ledger=fin.ledger_v2).ledger_id == fin.ledger_v2.pk
    with pytest.raises(NotFound):
        selectors.entry_detail(user=fin.cadre_v2, pk=fin.entry().pk)


def test_chain_in_order_by_its_signers_with_a_rejection_and_resubmission(fin):
    e = fin.entry(amount="3200", summary="修缮村小学围墙")
    assert e.state == EntryState.IN_APPROVAL and e.current_step.label == "村文书"
    assert list(selectors.approval_queue(user=fin.clerk)) == [e]
    assert list(selectors.approval_queue(user=fin.secretary)) == [e]  # both cadres could sign the first step
    assert not selectors.approval_queue(user=fin.leader).exists()
    # Out of order: the township leader cannot sign before the village.
    with pytest.raises(ValidationFailed, match="村文书"):
        services.entry_approve(acting_user=fin.leader, entry=e)
    # Posting before the approvals is refused with the reason.
    with pytest.raises(ValidationFailed, match="审批链全部签批"):
        services.entry_post(acting_user=fin.bookkeeper, entry=e)
    e = services.entry_approve(acting_user=fin.clerk, entry=e, reason="属实")
    assert e.current_step.label == "村支书"
    with pytest.raises(ValidationFailed, match="只能签批一步"):
        services.entry_approve(acting_user=fin.clerk, entry=e)
    e = services.entry_approve(acting_user=fin.secretary, entry=e)
    with pytest.raises(ValidationFailed, match="退回原因"):
        services.entry_reject(acting_user=fin.reviewer, entry=e, reason="")
    e = services.entry_reject(acting_user=fin.reviewer, entry=e, reason="缺少施工方报价单")
    assert e.state == EntryState.RETURNED and e.current_step is None
    assert list(selectors.returned_to_me(user=fin.bookkeeper)) == [e]
    with pytest.raises(Conflict):
        services.entry_approve(acting_user=fin.supervisor, entry=e)
    e = services.entry_resubmit(acting_user=fin.bookkeeper, entry=e, reason="补充报价单，金额按报价调整",
                                amount="3000", vouchers=[jpeg("quote.jpg")])
    assert e.state == EntryState.IN_APPROVAL and e.round == 2 and e.current_step.label == "村文书"
    assert e.amount == Decimal("3000.00")
    e = fin.walk(e)
    assert e.state == EntryState.APPROVED
    e = services.entry_post(acting_user=fin.bookkeeper, entry=e)
    assert e.state == EntryState.POSTED
    history = list(e.history.values_list("action", "round", "step_label"))
    assert history[0] == (HistoryAction.SUBMIT, 1, "")
    assert (HistoryAction.REJECT, 1, "民主理财小组") in history
    assert (HistoryAction.RESUBMIT, 2, "") in history
    assert history[-1][0] == HistoryAction.POST
    assert sum(1 for a, r, _ in history if a == HistoryAction.APPROVE and r == 2) == 6
    resub = e.history.get(action=HistoryAction.RESUBMIT)
    assert resub.changes["amount"] == ["3200.00", "3000.00"]


def test_named_signer_only(fin, make_user):
    first_secretary = make_user("village_cadre", fin.tree.v1, username="first_secretary")
    steps = [services.StepSpec("第一书记", "village_cadre", "village", first_secretary.pk),
             services.StepSpec("镇主要领导", "leader", "township")]
    with pytest.raises(NotFound):  # the village does not set its own chain
        services.chain_configure(acting_user=fin.clerk, ledger=fin.ledger, chain_threshold="500",
                                 decision_threshold="5000", steps=steps)
    services.chain_configure(acting_user=fin.staff, ledger=fin.ledger, chain_threshold="500",
                             decision_threshold="5000", steps=steps)
    e = fin.entry(amount="600")
    with pytest.raises(ValidationFailed):
        services.entry_approve(acting_user=fin.clerk, entry=e)
    e = services.entry_approve(acting_user=first_secretary, entry=e)
    assert e.current_step.label == "镇主要领导"
    with pytest.raises(Conflict, match="正在审批中"):
        services.chain_configure(acting_user=fin.staff, ledger=fin.ledger, chain_threshold="500",
                                 decision_threshold="5000", steps=steps)
    with pytest.raises(ValidationFailed, match="不在该处担任"):
        services.chain_configure(acting_user=fin.staff, ledger=fin.ledger_v2, chain_threshold="500",
                                 decision_threshold="5000", steps=steps)


def test_large_expense_needs_a_passed_decision(fin):
    from shanzhi.affairs.testing import walk_decision

    e = fin.entry(amount="80000", cat="项目建设支出", summary="村道硬化工程款")
    assert e.needs_decision
    e = fin.walk(e)
    with pytest.raises(ValidationFailed, match="尚未关联决策"):
        services.entry_post(acting_user=fin.bookkeeper, entry=e)
    e = services.entry_decision_request(acting_user=fin.bookkeeper, entry=e)
    with pytest.raises(ValidationFailed, match="尚在进行中"):
        services.entry_post(acting_user=fin.bookkeeper, entry=e)
    from shanzhi.affairs.models import Decision

    walk_decision(Decision.objects.get(pk=e.decision_id))
    e = services.entry_post(acting_user=fin.bookkeeper, entry=e)
    assert e.state == EntryState.POSTED


def test_only_a_decision_on_this_expense_or_the_villages_own_project_unlocks_it(fin, make_user):
    """A passed decision on something else (the village rules, another expense) cannot stand behind a large
    expense, a project's decision can stand behind each of its payments; a resubmitted amount needs deciding
    again; only the enterer resubmits."""
    from shanzhi.affairs import services as affairs_services
    from shanzhi.affairs.testing import walk_decision

    rules = affairs_services.decision_request(acting_user=fin.clerk, place=fin.tree.v1, title="修订村规民约",
                                              summary="修订第三章", source="charter.rules", source_ref="1")
    project = affairs_services.decision_request(acting_user=fin.clerk, place=fin.tree.v1, title="村道硬化工程",
                                                summary="硬化村东道路1.2公里", source="")
    walk_decision(rules)
    walk_decision(project)
    e = fin.walk(fin.entry(amount="80000", cat="项目建设支出", summary="村道硬化工程款"))
    with pytest.raises(ValidationFailed, match="针对本笔支出"):
        services.entry_decision_link(acting_user=fin.bookkeeper, entry=e, decision_id=rules.pk)
    e.refresh_from_db()
    assert e.decision_id is None
    e = services.entry_decision_link(acting_user=fin.bookkeeper, entry=e, decision_id=project.pk)
    # the project's second payment stands on the same project decision …
    second = fin.walk(fin.entry(amount="70000", cat="项目建设支出", summary="村道硬化工程第二笔进度款"))
    services.entry_decision_link(acting_user=fin.bookkeeper, entry=second, decision_id=project.pk)
    # … but not on the decision asked for another expense
    third = fin.entry(amount="60000", cat="项目建设支出", summary="村道硬化三期")
    third = services.entry_decision_request(acting_user=fin.bookkeeper, entry=third)
    walk_decision(affairs_services.Decision.objects.get(pk=third.decision_id))
    fourth = fin.walk(fin.entry(amount="55000", cat="项目建设支出", summary="村委会办公楼维修"))
    with pytest.raises(ValidationFailed, match="针对本笔支出"):
        services.entry_decision_link(acting_user=fin.bookkeeper, entry=fourth, decision_id=third.decision_id)
    # returned and resubmitted with a larger amount: its decision no longer covers it
    third = services.entry_reject(acting_user=fin.clerk, entry=third, reason="缺少预算明细")
    colleague = make_user("bookkeeper", fin.tree.kejing, username="kejing_bookkeeper2")
    with pytest.raises(ValidationFailed, match="原录入人"):
        services.entry_resubmit(acting_user=colleague, entry=third, reason="补预算", amount="600000")
    third = services.entry_resubmit(acting_user=fin.bookkeeper, entry=third, reason="按预算调整", amount="600000")
    assert third.decision_id is None and third.needs_decision
    assert third.history.get(action=HistoryAction.RESUBMIT).changes["decision"][1] == ""


def test_rejected_decision_blocks_posting(fin):
    from shanzhi.affairs.models import Decision
    from shanzhi.affairs.testing import walk_decision

    e = fin.walk(fin.entry(amount="60000", cat="项目建设支出"))
    e = services.entry_decision_request(acting_user=fin.bookkeeper, entry=e)
    walk_decision(Decision.objects.get(pk=e.decision_id), passed=False)
    with pytest.raises(ValidationFailed, match="未获通过"):
        services.entry_post(acting_user=fin.bookkeeper, entry=e)


def _close_month(fin, month):
    return services.statement_publish(acting_user=fin.clerk, ledger=fin.ledger, month=month)


def test_statement_publishes_figures_and_closes_the_month(fin):
    grant = services.entry_post(acting_user=fin.bookkeeper,
                                entry=fin.entry(amount="5000", kind="income", cat="补助收入", summary="镇拨付办公经费"))
    rent = services.entry_post(acting_user=fin.bookkeeper,
                               entry=fin.entry(amount="1200", kind="income", cat="发包及上交收入", summary="鱼塘承包费"))
    wall = services.entry_post(acting_user=fin.bookkeeper, entry=fin.walk(fin.entry(amount="3000")))
    pending = fin.entry(amount="100", cat="管理费用")
    with pytest.raises(ValidationFailed, match=pending.number):
        _close_month(fin, fin.start)
    # The bookkeeper cannot publish (no publish permission at the village): the village publishes.
    services.entry_cancel(acting_user=fin.bookkeeper, entry=pending, reason="重复录入")
    with pytest.raises(NotFound):
        services.statement_publish(acting_user=fin.bookkeeper, ledger=fin.ledger, month=fin.start)
    assert not Publication.objects.exists()
    st = _close_month(fin, fin.start)
    assert (st.opening, st.income, st.expense, st.closing) == (Decimal("10000"), Decimal("6200"), Decimal("3000"),
                                                                 Decimal("13200"))
    pub = st.publication
    assert pub.kind == "finance_statement" and pub.village_id == fin.tree.v1.pk
    rows = {r[0]: r for r in pub.rows}
    assert rows[wall.number][4] == "3,000.00" and rows[grant.number][3] == "补助收入"
    texts = [r[3] + "=" + r[4] for r in pub.rows if r[0] == services.SUMMARY_MARK]
    assert "其中：上级补助收入=5,000.00" in texts and "其中：集体资产收益=1,200.00" in texts
    assert "本月结余（期末余额）=13,200.00" in texts
    assert rent.number in rows
    # Closed: no new entry, no edit, no second statement.
    with pytest.raises(Conflict, match="已结账"):
        fin.entry()
    with pytest.raises(ValidationFailed, match="已公开"):
        _close_month(fin, fin.start)
    # A correction goes into a later month and names the original.
    fix = fin.entry(amount="200", kind="income", cat="其他收入", day=months_ago(1).replace(day=3),
                    summary="退回多付水泥款", correction_of=wall)
    assert fix.correction_of_id == wall.pk


def test_statement_rules_month_order_and_month_end(fin):
    with pytest.raises(ValidationFailed, match="请先公开"):
        _close_month(fin, months_ago(1))
    with pytest.raises(ValidationFailed, match="尚未结束"):
        services.statement_publish(acting_user=fin.clerk, ledger=fin.ledger, month=localdate().replace(day=1))
    # An empty month still publishes its balance.
    st = _close_month(fin, fin.start)
    assert st.entry_count == 0 and st.closing == Decimal("10000")


def test_resubmit_into_closed_month_refused(fin):
    e = services.entry_reject(acting_user=fin.clerk, entry=fin.entry(amount="2000", day=months_ago(1).replace(day=2)),
                              reason="金额有误")
    _close_month(fin, fin.start)
    with pytest.raises(ValidationFailed, match="原月份"):
        services.entry_resubmit(acting_user=fin.bookkeeper, entry=e, reason="改日期", date=fin.start.replace(day=9))


def test_late_villages_overview_and_home_items(fin):
    action_items = selectors.home_items  # this app's provider (others' are theirs to test)
    rows = {r["ledger"].village.name: r for r in selectors.disclosure_overview(user=fin.staff)}
    assert set(rows) == {"东坡村", "西岭村"}
    assert fin.start in rows["东坡村"]["late"]  # two months ago: due on the 10th of last month
    titles = {i.title: i.count for i in action_items(fin.staff)}
    assert titles["财务公开逾期的村"] == 2
    _close_month(fin, fin.start)
    rows = {r["ledger"].village.name: r for r in selectors.disclosure_overview(user=fin.staff)}
    assert fin.start not in rows["东坡村"]["late"] and rows["东坡村"]["last_published"] == fin.start
    e = fin.entry(amount="1500", day=months_ago(1).replace(day=1))
    assert {i.title: i.count for i in action_items(fin.clerk)}["待我审批的村级财务支出"] == 1
    assert "待我审批的村级财务支出" not in {i.title for i in action_items(fin.leader)}
    assert e.pk


def test_seven_books(fin):
    from shanzhi.finance.choices import Book

    services.entry_post(acting_user=fin.bookkeeper, entry=fin.entry(amount="900", cat="干部报酬", counterparty="王建国",
                                                                     counterparty_private=True, summary="9月误工补贴"))
    with pytest.raises(ValidationFailed, match="尚无已公开的月份"):
        services.book_publish(acting_user=fin.clerk, ledger=fin.ledger, book=Book.CADRE_PAY, year=fin.start.year)
    _close_month(fin, fin.start)
    bp = services.book_publish(acting_user=fin.clerk, ledger=fin.ledger, book=Book.CADRE_PAY, year=fin.start.year)
    assert bp.publication.kind == "finance_book"
    assert bp.publication.rows[0][5] == "王*" + "*" * 0 or bp.publication.rows[0][5].startswith("王")
    assert "建国" not in bp.publication.rows[0][5]
    with pytest.raises(ValidationFailed, match="没有可公开"):
        services.book_publish(acting_user=fin.clerk, ledger=fin.ledger, book=Book.ASSETS, year=fin.start.year)
    services.book_item_add(acting_user=fin.bookkeeper, ledger=fin.ledger, book=Book.ASSETS, name="村委会办公楼",
                           quantity="1栋", value="350000")
    with pytest.raises(ValidationFailed, match="债权"):
        services.book_item_add(acting_user=fin.bookkeeper, ledger=fin.ledger, book=Book.DEBTS, name="借款",
                               counterparty="某公司", value="100")
    bp = services.book_publish(acting_user=fin.clerk, ledger=fin.ledger, book=Book.ASSETS, year=fin.start.year)
    assert bp.publication.rows[0][1] == "村委会办公楼"


def test_question_on_statement_names_entry_and_reply_is_public(fin, client):
    from shanzhi.publication.services import objection_file, objection_handle

    e = services.entry_post(acting_user=fin.bookkeeper, entry=fin.entry(amount="700", summary="购买打印机"))
    st = _close_month(fin, fin.start)
    objection = objection_file(publication=st.publication, name="李四", phone="13800001111",
                               text=f"关于 {e.number}：打印机为何要700元？")
    assert [o.pk for o in selectors.entry_questions(entry=e)] == [objection.pk]
    objection_handle(acting_user=fin.clerk, objection=objection, decision="rejected",
                     reply="含三年墨盒，发票已附凭证。")
    page = client.get(st.publication.get_public_path()).content.decode()
    assert "含三年墨盒" in page and "打印机为何要700元" in page and "李四" not in page
    assert Statement.objects.count() == 1

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class CategoryTag(models.TextChoices):
    """What a category feeds besides the income and expense account: the monthly statement's "grants received"
    and "collective asset income" lines, and the seven open books (晒 7 本裸账, domain.md A3)."""

    NONE = "", _("—")
    GRANT = "grant", _("上级补助")  # 补助收入: grants received
    ASSET_INCOME = "asset_income", _("集体资产收益")  # 发包及上交收入、投资收益
    CADRE_PAY = "cadre_pay", _("干部报酬")
    SUBSIDY = "subsidy", _("惠农补贴")  # subsidies passed on to households
    PROJECT = "project", _("项目建设")


class EntryState(models.TextChoices):
    """An entry is entered, runs the approval chain if its amount requires it, and is posted (入账). Once
    posted it is part of the books; a mistake is corrected by a new entry, never an edit."""

    ENTERED = "entered", _("待入账")
    IN_APPROVAL = "in_approval", _("审批中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审批通过")
    POSTED = "posted", _("已入账")
    CANCELLED = "cancelled", _("已作废")


OPEN_STATES = (EntryState.ENTERED, EntryState.IN_APPROVAL, EntryState.RETURNED, EntryState.APPROVED)


class StepLevel(models.TextChoices):
    VILLAGE = "village", _("本村")
    TOWNSHIP = "township", _("乡镇")


class HistoryAction(models.TextChoices):
    SUBMIT = "submit", _("提交审批")
    APPROVE = "approve", _("签批同意")
    REJECT = "reject", _("退回")
    RESUBMIT = "resubmit", _("修改后重新提交")
    POST = "post", _("入账")
    CANCEL = "cancel", _("作废")
    DECISION = "decision", _("关联决策")


class DisclosureFrequency(models.TextChoices):
    """村民委员会组织法 art. 30: finances monthly where transactions are frequent, at least quarterly otherwise."""

    MONTHLY = "monthly", _("每月公开")
    QUARTERLY = "quarterly", _("每季度公开")


class Book(models.TextChoices):
    """晒 7 本裸账: the seven open books a village publishes (domain.md A3)."""

    ACCOUNTS = "accounts", _("收支账")
    ASSETS = "assets", _("资产账")
    RESOURCES = "resources", _("资源账")
    DEBTS = "debts", _("债权债务账")
    CADRE_PAY = "cadre_pay", _("干部报酬账")
    SUBSIDIES = "subsidies", _("惠农补贴账")
    PROJECTS = "projects", _("项目建设账")


# Books kept as registers of items (not derived from the entries).
REGISTER_BOOKS = (Book.ASSETS, Book.RESOURCES, Book.DEBTS)
# Books derived from posted entries: which category tags each takes (None: every entry).
ENTRY_BOOK_TAGS: dict[str, tuple[str, ...] | None] = {
    Book.ACCOUNTS: None,
    Book.CADRE_PAY: (CategoryTag.CADRE_PAY,),
    Book.SUBSIDIES: (CategoryTag.GRANT, CategoryTag.SUBSIDY),
    Book.PROJECTS: (CategoryTag.PROJECT,),
}


class DebtDirection(models.TextChoices):
    NONE = "", _("—")
    RECEIVABLE = "receivable", _("债权（应收）")
    PAYABLE = "payable", _("债务（应付）")

"""Objects of 东坡村 for the generic scope suite (shanzhi/web/tests/test_scope.py): c.in_scope is a cadre there."""

from __future__ import annotations

from typing import Any


def rules_version(c: Any) -> Any:
    from shanzhi.charter import services

    version = services.rules_version_create(acting_user=c.in_scope, village=c.tree.v1, title="东坡村村规民约")
    services.rules_clauses_set(acting_user=c.in_scope, version=version,
                               clauses=[services.ClauseInput(heading="总则", text="遵纪守法（李梅起草）。")])
    return version


def power_list(c: Any) -> Any:
    from shanzhi.charter import services

    power_list = services.power_list_create(acting_user=c.in_scope, place=c.tree.v1, kind="micro_power")
    services.power_item_create(acting_user=c.in_scope, power_list=power_list, data=services.ItemInput(
        name="村级财务收支", legal_basis="村集体经济组织会计制度", responsible_body="村委会", steps=["报账", "审核"],
        disclosure="monthly"))
    return power_list

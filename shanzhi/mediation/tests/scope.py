"""Objects of 东坡村 for the generic scope suite (web/tests/test_scope.py PAGE_CASES), made through services."""

from __future__ import annotations

from typing import Any


def _admin(ctx: Any) -> Any:
    if getattr(ctx, "mediation_admin", None) is None:
        from shanzhi.access.services import role_assign, user_create

        ctx.mediation_admin = user_create(acting_user=None, username="mediation_scope_admin", password="Passw0rd!x",
                                          full_name="调解管理员", must_change_password=False)
        role_assign(acting_user=None, user=ctx.mediation_admin, role="admin", place=ctx.tree.county)
    return ctx.mediation_admin


def organisation(ctx: Any) -> Any:
    if getattr(ctx, "mediation_org", None) is None:
        from shanzhi.mediation.services import organisation_create

        ctx.mediation_org = organisation_create(acting_user=_admin(ctx), place=ctx.tree.v1, kind="village",
                                                name="东坡村人民调解委员会", abbreviation="济东坡")
    return ctx.mediation_org


def mediator(ctx: Any) -> Any:
    if getattr(ctx, "mediation_mediator", None) is None:
        from shanzhi.mediation.services import mediator_create

        ctx.mediation_mediator = mediator_create(acting_user=_admin(ctx), place=ctx.tree.v1, name="李梅调解",
                                                 sex="F")
    return ctx.mediation_mediator


def case(ctx: Any) -> Any:
    """A case of 东坡村 registered by the village cadre (mediation.handle there); a party named 李梅."""
    if getattr(ctx, "mediation_case", None) is None:
        from conftest import id_for
        from shanzhi.mediation.services import case_register

        ctx.mediation_case = case_register(
            acting_user=ctx.in_scope, organisation=organisation(ctx), place=ctx.tree.v1, source="screening",
            dispute_type="neighbour", title="排查发现的邻里纠纷", facts="两户争执",
            parties=[{"role": "applicant", "name": "李梅", "id_number": id_for(901)},
                     {"role": "respondent", "name": "王五", "id_number": id_for(902)}])
    return ctx.mediation_case

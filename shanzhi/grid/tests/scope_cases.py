"""Objects of village 1 (东坡村) for the generic page-scope suite (``web/tests/test_scope.py`` PAGE_CASES): a
micro-grid with an assistant and a hazard point, made once per test through the services."""

from __future__ import annotations

from typing import Any


def _objects(c: Any) -> Any:
    if not hasattr(c, "grid_g6"):
        from types import SimpleNamespace

        from shanzhi.grid.assistants import assistant_appoint
        from shanzhi.grid.hazards import HazardSpec, hazard_point_create
        from shanzhi.regions.services import place_create

        micro = place_create(
            acting_user=None, parent=c.tree.g1, level="microgrid", name="东坡村一号微网格", code=""
        )
        assistant = assistant_appoint(
            acting_user=c.in_scope,
            microgrid=micro,
            person=c.household.head,
            public_phone="0391-6612345",
            phone_consent=True,
        )
        hazard = hazard_point_create(
            acting_user=c.in_scope,
            grid=c.tree.g1,
            spec=HazardSpec(name="后山滑坡点", kind="landslide", location="三组后山", monitor_name="刘监测"),
        )
        c.grid_g6 = SimpleNamespace(micro=micro, assistant=assistant, hazard=hazard)
    return c.grid_g6


def assistant_card(c: Any) -> str:
    return f"/grid/assistants/{_objects(c).assistant.pk}/card"


def assistant_card_pdf(c: Any) -> str:
    return f"/grid/assistants/{_objects(c).assistant.pk}/card.pdf"


def assistant_edit(c: Any) -> str:
    return f"/grid/assistants/{_objects(c).assistant.pk}/edit"


def assistant_duties(c: Any) -> str:
    return f"/grid/assistants/duties/{c.tree.v1.code}/"


def hazard_edit(c: Any) -> str:
    return f"/grid/hazards/{_objects(c).hazard.pk}/edit"

"""The demo shows the grid app's G1/G5/G6 pieces: after ``shanzhi demo`` the key village has a special grid with two
hazard points on its map, its duties 5 + X, and the demo assistant on a micro-grid with a printable card and a
public page; a second run adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shanzhi.grid.demo_grid import ASSISTANT_MICROGRID, ASSISTANT_PUBLIC_PHONE, DEMO_VILLAGE, SPECIAL_GRID
from shanzhi.grid.models import AssistantDuties, GridProfile, HazardPoint, VillageAssistant


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_demo_has_a_special_grid_hazard_points_and_an_assistant(client, settings):
    settings.MAP_TILE_URL = ""
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--regions", "419001", "--without-capabilities", stdout=out)
    assert "网格演示：新增" in out.getvalue()
    assert GridProfile.objects.get(place__code=SPECIAL_GRID).grid_type == "special"
    points = list(HazardPoint.objects.filter(grid__code=SPECIAL_GRID))
    assert len(points) == 2 and all(p.latitude is not None and p.monitor_name for p in points)
    assistant = VillageAssistant.objects.select_related("user").get(microgrid__code=ASSISTANT_MICROGRID)
    assert assistant.user.username == "assistant" and assistant.public_phone == ASSISTANT_PUBLIC_PHONE
    assert len(AssistantDuties.objects.get(village__code=DEMO_VILLAGE).extra_duties) == 2

    client.login(username="cadre", password="Shanzhi@2026")
    data = client.get(f"/grid/map/{DEMO_VILLAGE}/data.json").json()
    assert len(next(la for la in data["layers"] if la["key"] == "hazards")["points"]) == 2
    card = client.get(f"/grid/assistants/{assistant.pk}/card").content.decode()
    assert assistant.name in card and ASSISTANT_PUBLIC_PHONE in card and "环境卫生监督" in card
    assert "后山滑坡隐患点" in client.get(f"/grid/grids/{SPECIAL_GRID}/").content.decode()
    client.logout()
    assert assistant.name in client.get(f"/grid/public/microgrid/{ASSISTANT_MICROGRID}/").content.decode()

    counts = (HazardPoint.objects.count(), VillageAssistant.objects.count(), AssistantDuties.objects.count())
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--regions", "419001", "--without-capabilities", stdout=out)
    assert "网格演示" not in out.getvalue()
    assert (
        HazardPoint.objects.count(),
        VillageAssistant.objects.count(),
        AssistantDuties.objects.count(),
    ) == counts

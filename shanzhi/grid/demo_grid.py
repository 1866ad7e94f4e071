"""Demo data of the grid app beyond the matter list (loaded by ``shanzhi demo`` after the population): in the key
demo village, a special grid for geological hazard monitoring with two hazard points near its households, the
village's assistant duties "5 + X", and the demo ``assistant`` account appointed to its micro-grid with a published
work phone — so the risk card, the map and the service card show something. Through the services (each write
audited, acting user None = the system); idempotent: what is already there is left alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Avg

from shanzhi.people.models import Household
from shanzhi.regions.models import Place

from .assistants import assistant_appoint, assistant_duties_save
from .grids import GridSpec, grid_profile_save
from .hazards import HazardSpec, hazard_point_create
from .models import AssistantDuties, GridProfile, HazardPoint, VillageAssistant

DEMO_VILLAGE = "419001100201"
SPECIAL_GRID = DEMO_VILLAGE + "W002"
ASSISTANT_MICROGRID = DEMO_VILLAGE + "W00101"
ASSISTANT_USERNAME = "assistant"
ASSISTANT_PUBLIC_PHONE = "13903910101"  # synthetic, like every demo phone
EXTRA_DUTIES = ["环境卫生监督：督促门前三包，参与人居环境整治", "留守老人探访：每周走访独居和留守老人"]
# (name, kind, location, offset in degrees north and east of the grid's households' centre, notes)
HAZARDS = [
    (
        "后山滑坡隐患点",
        "landslide",
        "村北后山坡脚",
        (0.0030, 0.0010),
        "汛期每日早晚各巡查一次，雨量超过50毫米时组织坡下群众撤离。",
    ),
    (
        "沟口泥石流隐患点",
        "debris_flow",
        "村东干沟沟口",
        (-0.0010, 0.0035),
        "沟道堆积物较多，暴雨预警发布后沟口禁止停留。",
    ),
]


@dataclass
class DemoGridResult:
    created: list[str] = field(default_factory=list)


def _hazards(village: Place, grid: Place, result: DemoGridResult) -> None:
    centre = Household.objects.filter(place_path__prefix=grid.path, latitude__isnull=False).aggregate(
        lat=Avg("latitude"), lng=Avg("longitude")
    )
    monitors = list(
        Household.objects.filter(place_path__prefix=grid.path, is_active=True)
        .order_by("number")
        .values_list("head_name", flat=True)[:2]
    )
    for (name, kind, location, (dlat, dlng), notes), monitor in zip(HAZARDS, monitors, strict=False):
        lat = lng = None
        if centre["lat"] is not None:
            lat = (Decimal(centre["lat"]) + Decimal(str(dlat))).quantize(Decimal("0.000001"))
            lng = (Decimal(centre["lng"]) + Decimal(str(dlng))).quantize(Decimal("0.000001"))
        hazard_point_create(
            acting_user=None,
            grid=grid,
            spec=HazardSpec(
                name=name,
                kind=kind,
                location=f"{village.name}{location}",
                latitude=lat,
                longitude=lng,
                monitor_name=monitor,
                notes=notes,
            ),
        )
        result.created.append(name)


@transaction.atomic
def load_demo_grid() -> DemoGridResult:
    result = DemoGridResult()
    village = Place.objects.filter(code=DEMO_VILLAGE).first()
    grid = Place.objects.filter(code=SPECIAL_GRID).first()
    micro = Place.objects.filter(code=ASSISTANT_MICROGRID).first()
    if village is None or grid is None or micro is None:
        return result
    if not GridProfile.objects.filter(place=grid).exists():
        grid_profile_save(
            acting_user=None, place=grid, spec=GridSpec(grid_type="special", special_note="地质灾害监测点")
        )
        result.created.append("专属网格")
    if not HazardPoint.objects.filter(grid=grid).exists():
        _hazards(village, grid, result)
    if not AssistantDuties.objects.filter(village=village).exists():
        assistant_duties_save(
            acting_user=None,
            village=village,
            extra_duties=EXTRA_DUTIES,
            service_hours="每天 8:00—20:00，紧急情况随时联系",
        )
        result.created.append("村务助理职责")
    if not VillageAssistant.objects.filter(microgrid=micro).exists():
        # The demo ``assistant`` account when it exists (its name goes on the card), else a resident of the micro-grid.
        user = get_user_model().objects.filter(username=ASSISTANT_USERNAME, is_active=True).first()
        head = (
            Household.objects.filter(place_path__prefix=micro.path, is_active=True, head__isnull=False)
            .select_related("head")
            .order_by("number")
            .first()
        )
        if user is not None or head is not None:
            assistant_appoint(
                acting_user=None,
                microgrid=micro,
                user=user,
                person=None if user else head.head,
                public_phone=ASSISTANT_PUBLIC_PHONE,
                phone_consent=True,
            )
            result.created.append("村务助理")
    return result

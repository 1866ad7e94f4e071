"""Writing the administrative tree (F1): national divisions from data, villages and below by hand,
import or demo."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.text import pinyin_keys

from .choices import ALLOWED_PARENTS, CHILD_SEGMENT, SIGNIFICANT, Level
from .models import Place

DATA_FILE = Path(__file__).resolve().parent / "data" / "divisions-to-township.csv"


def significant_path(code: str, level: str) -> str:
    return code[: SIGNIFICANT[Level(level)]]


def regions_load(*, path: Path = DATA_FILE, under: str = "") -> int:
    """Load national divisions (province to township) from the CSV; idempotent. ``under`` limits the load
    to one code prefix and its ancestors (e.g. "419001" for 济源). Returns the number of rows created."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if under:
        wanted = {r["code"] for r in rows if r["code"].startswith(under)}
        by_code = {r["code"]: r for r in rows}
        for code in list(wanted):
            parent = by_code[code]["parent_code"]
            while parent:
                wanted.add(parent)
                parent = by_code[parent]["parent_code"]
        rows = [r for r in rows if r["code"] in wanted]
    existing = dict(Place.objects.values_list("code", "id"))
    order = {lvl: i for i, lvl in enumerate(["province", "city", "county", "township"])}
    rows.sort(key=lambda r: order[r["level"]])
    created = 0
    with transaction.atomic():
        for level in ["province", "city", "county", "township"]:
            batch = []
            for r in rows:
                if r["level"] != level or r["code"] in existing:
                    continue
                full, initials = pinyin_keys(r["name"])
                batch.append(
                    Place(
                        code=r["code"],
                        path=significant_path(r["code"], level),
                        name=r["name"],
                        level=level,
                        parent_id=existing.get(r["parent_code"]) if r["parent_code"] else None,
                        pinyin=full[:200],
                        initials=initials[:60],
                    )
                )
            Place.objects.bulk_create(batch, batch_size=2000)
            created += len(batch)
            existing = dict(Place.objects.values_list("code", "id"))
    return created


def _next_child_path(parent: Place, level: str) -> str:
    marker, width = CHILD_SEGMENT[Level(level)]
    prefix = parent.path + marker
    siblings = Place.objects.filter(parent=parent, level=level, path__startswith=prefix).aggregate(m=Max("path"))["m"]
    seq = int(siblings[len(prefix):len(prefix) + width]) + 1 if siblings else 1
    if seq >= 10**width:
        raise ValidationFailed(f"{parent.name}下的{Level(level).label}已达上限。")
    return f"{prefix}{seq:0{width}d}"


@transaction.atomic
def place_create(
    *, acting_user: Any, parent: Place, level: str, name: str, code: str = "", is_synthetic: bool = False
) -> Place:
    """Create a village (with its 12-digit code), villager group, grid or micro-grid under ``parent``.

    Villages need the statistical code (township code + 3 digits: 001–199 居委会, 200–399 村委会);
    places below a village get a path code derived from the parent."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("名称不能为空。", code="name_required")
    try:
        lvl = Level(level)
    except ValueError:
        raise ValidationFailed(f"未知层级：{level}。")
    if Level(parent.level) not in ALLOWED_PARENTS[lvl]:
        raise ValidationFailed(f"{lvl.label}不能建在{parent.get_level_display()}之下。", code="bad_parent")
    if acting_user is not None and not acting_user.has_perm_at(Perm.PLACE_MANAGE, parent.path):
        raise NotFound()
    if lvl == Level.VILLAGE:
        code = (code or "").strip()
        if len(code) != 12 or not code.isdigit() or not code.startswith(parent.path):
            raise ValidationFailed(f"村/社区代码应为12位数字，且以所属乡镇代码 {parent.path} 开头。", code="village_code")
        suffix = int(code[9:])
        if not 1 <= suffix <= 399:
            raise ValidationFailed("村级代码后3位应在 001–399 之间（001–199 居委会，200–399 村委会）。", code="village_code")
        path = code
    else:
        path = _next_child_path(parent, lvl)
        code = path
    if Place.objects.filter(code=code).exists():
        raise ValidationFailed(f"代码 {code} 已存在。", code="code_taken")
    if Place.objects.filter(parent=parent, name=name).exists():
        raise ValidationFailed(f"{parent.name}下已有名为“{name}”的单位。", code="name_taken")
    full, initials = pinyin_keys(name)
    place = Place.objects.create(
        code=code, path=path, name=name, level=lvl, parent=parent, pinyin=full[:200], initials=initials[:60],
        is_synthetic=is_synthetic,
    )
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="place_create", obj=place, after=snapshot(place))
    return place

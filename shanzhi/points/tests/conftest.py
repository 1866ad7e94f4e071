from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.workflow.calendar import CHINA

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)  # a Friday in 2026 Q4


def jpeg(name="deed.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (60, 160, 60)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def clock(monkeypatch):
    state = SimpleNamespace(now=NOW)
    monkeypatch.setattr("shanzhi.workflow.clock.now", lambda: state.now)
    monkeypatch.setattr("shanzhi.publication.clock.today", lambda: state.now.astimezone(CHINA).date())
    return state


@pytest.fixture
def pw(tree, make_user, make_household, clock):
    """A village (东坡村) with an adopted household scheme, two households, grid worker, reviewers, cadre and a
    villager linked to a household; a second village (西岭村) with its own scheme."""
    from shanzhi.points.services import (
        ItemSpec,
        SchemeSpec,
        category_create,
        item_save,
        scheme_adopt,
        scheme_create,
    )

    w = SimpleNamespace(tree=tree)
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre", full_name="东坡书记")
    w.cadre_v2 = make_user("village_cadre", tree.v2, username="v2_cadre")
    w.worker = make_user("grid_worker", tree.g1, username="g1_worker", full_name="东坡网格员")
    w.worker_v2 = make_user("grid_worker", tree.g2, username="g2_worker")
    w.reviewer = make_user("reviewer", tree.v1, username="v1_reviewer", full_name="评议员甲")
    w.reviewer2 = make_user("reviewer", tree.v1, username="v1_reviewer2", full_name="评议员乙")
    w.dispatcher = make_user("dispatcher", tree.kejing, username="kejing_dispatcher")
    w.h1 = make_household(w.cadre, tree.g1, head_name="王德善", members=("李秀英",))
    w.h2 = make_household(w.cadre, tree.g1, head_name="赵守信")
    w.h3 = make_household(w.cadre_v2, tree.g2, head_name="钱西岭")
    w.villager = make_user("villager", tree.g1, username="villager_a", full_name="王德善")
    w.villager.person = w.h1.head
    w.villager.save(update_fields=["person"])
    w.villager2 = make_user("villager", tree.g1, username="villager_b", full_name="赵守信")
    w.villager2.person = w.h2.head
    w.villager2.save(update_fields=["person"])
    w.scheme = scheme_create(acting_user=w.cadre, place=tree.v1, spec=SchemeSpec(
        name="村民积分", kind="villager", star_thresholds=[{"stars": 1, "min": 5}, {"stars": 2, "min": 10}],
        blacklist_below=Decimal("7")))
    w.cat = category_create(acting_user=w.cadre, scheme=w.scheme, name="积善")
    w.neg = category_create(acting_user=w.cadre, scheme=w.scheme, name="负面清单")
    w.item = item_save(acting_user=w.cadre, scheme=w.scheme, spec=ItemSpec(
        category_id=w.cat.pk, code="S01", name="帮扶邻里", points_min="1", points_max="3"))
    w.fixed = item_save(acting_user=w.cadre, scheme=w.scheme, spec=ItemSpec(
        category_id=w.cat.pk, code="S02", name="参加义务劳动", points_min="1", points_max="1", cap_count=2,
        cap_period="month"))
    w.photo_item = item_save(acting_user=w.cadre, scheme=w.scheme, spec=ItemSpec(
        category_id=w.cat.pk, code="S03", name="见义勇为", points_min="2", points_max="3", evidence_required=True))
    w.bad = item_save(acting_user=w.cadre, scheme=w.scheme, spec=ItemSpec(
        category_id=w.neg.pk, code="F01", name="乱倒垃圾", points_min="-5", points_max="-5"))
    scheme_adopt(acting_user=w.cadre, scheme=w.scheme, adopted_on=dt.date(2026, 1, 5),
                 decision_note="2026年1月5日村民代表大会表决通过")
    w.scheme.refresh_from_db()
    w.scheme2 = scheme_create(acting_user=w.cadre_v2, place=tree.v2, spec=SchemeSpec(name="西岭村民积分", kind="villager"))
    c2 = category_create(acting_user=w.cadre_v2, scheme=w.scheme2, name="积善")
    w.item2 = item_save(acting_user=w.cadre_v2, scheme=w.scheme2, spec=ItemSpec(
        category_id=c2.pk, code="X01", name="西岭细则", points_min="1", points_max="2"))
    scheme_adopt(acting_user=w.cadre_v2, scheme=w.scheme2, adopted_on=dt.date(2026, 1, 5), decision_note="会议")
    return w

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg(name="photo.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 160, 60)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def legal(tree, make_user):
    w = SimpleNamespace(tree=tree)
    w.villager = make_user("villager", tree.g1, username="villager_a", full_name="村民甲", phone="13912340001")
    w.villager2 = make_user("villager", tree.v2, username="villager_b", full_name="村民乙")
    w.villager3 = make_user("villager", tree.v3, username="villager_c", full_name="村民丙")
    w.adviser = make_user("legal_adviser", tree.v1, username="adviser_v1", full_name="东坡顾问")
    w.town_adviser = make_user("legal_adviser", tree.kejing, username="adviser_kejing", full_name="克井顾问")
    w.wulong_adviser = make_user("legal_adviser", tree.wulong, username="adviser_wulong", full_name="五龙口顾问")
    w.cadre = make_user("village_cadre", tree.v1, username="v1_cadre")
    w.nobody = make_user(username="nobody")
    return w

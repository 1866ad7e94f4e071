"""The demo ships the two schemes of the seeds with a few months of reviewed records; a second run adds nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from shanzhi.points import ledger
from shanzhi.points.models import Entry, Item, Quarter, Scheme


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_demo_points(client):
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--regions", "419001", stdout=out)
    assert "积分制：记录" in out.getvalue(), out.getvalue()[-2000:]
    villager = Scheme.objects.get(place__code="419001100201", kind="villager")
    assert villager.items.count() == 44 and villager.items.filter(points_min=-5).count() == 10
    positive = Item.objects.filter(scheme=villager, points_min__gt=0)
    assert positive.count() == 34 and min(i.points_min for i in positive) == Decimal("0.4")
    assert max(i.points_max for i in positive) == 3 and villager.blacklist_below == 7
    moral = Scheme.objects.get(place__code="419001100201", kind="moral")
    assert moral.template.is_template and list(moral.categories.values_list("name", flat=True)) == [
        "积孝", "积善", "积信", "积勤", "积俭", "积美"]
    assert Entry.objects.filter(status="approved").count() > 20
    assert Entry.objects.filter(status="rejected").exists()
    assert ledger.ledger_mismatches() == []
    lines = [line for line in out.getvalue().splitlines() if "积分" in line]
    assert Quarter.objects.filter(status="published").exists(), (lines, list(Quarter.objects.values_list(
        "starts_on", "status")), list(Entry.objects.filter(status="pending").values_list("quarter", flat=True)))
    client.login(username="villager", password="Shanzhi@2026")
    assert "荣誉积分" in client.get("/points/mine/").content.decode()
    client.login(username="reviewer", password="Shanzhi@2026")
    assert client.get("/points/review/").status_code == 200
    n = Entry.objects.count()
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--regions", "419001", stdout=out)
    assert Entry.objects.count() == n

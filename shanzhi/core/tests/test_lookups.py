import pytest

from shanzhi.core.lookups import successor
from shanzhi.regions.models import Place


@pytest.mark.parametrize(("prefix", "expected"), [
    ("41", "42"), ("419", "41A"), ("419001100201W", "419001100201X"), ("zs", "zt"), ("z9", "za"), ("az", "b"), ("zz", None),
])
def test_successor(prefix, expected):
    assert successor(prefix) == expected


@pytest.mark.django_db
def test_prefix_lookup_matches_startswith(tree):
    for prefix in ["41", "419001", tree.kejing.path, tree.v1.path, tree.v1.path + "W", tree.g1.path, "4190011002019"]:
        expected = set(Place.objects.filter(path__startswith=prefix).values_list("pk", flat=True))
        assert set(Place.objects.filter(path__prefix=prefix).values_list("pk", flat=True)) == expected, prefix

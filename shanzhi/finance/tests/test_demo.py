import pytest

from shanzhi.finance.choices import EntryState
from shanzhi.finance.models import BookPublication, Entry, Ledger, Statement

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent(tree, make_user):
    from shanzhi.finance.demo import load_demo

    make_user("village_cadre", tree.v1, username="cadre")
    make_user("village_cadre", tree.v2, username="cadre2")
    make_user("reviewer", tree.v1, username="reviewer")
    make_user("supervisor", tree.v1, username="supervisor")
    make_user("township_staff", tree.kejing, username="township")
    lines = []
    load_demo(scale="small", seed=1, say=lines.append)
    assert Ledger.objects.count() == 2 and Statement.objects.count() == 3
    assert Entry.objects.filter(state=EntryState.IN_APPROVAL).count() == 2
    assert BookPublication.objects.count() == 3
    counts = (Entry.objects.count(), Statement.objects.count())
    load_demo(scale="small", seed=1, say=lines.append)
    assert (Entry.objects.count(), Statement.objects.count()) == counts

from __future__ import annotations

import pytest

from shanzhi.affairs.demo import DONE_TITLE, OPEN_TITLE, TOPIC_TITLE, load_demo
from shanzhi.affairs.models import Decision, Meeting, Representative, Topic

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent(tree, make_user, make_household):
    cadre = make_user("village_cadre", tree.v1, username="cadre")
    make_user("village_cadre", tree.v2, username="cadre2")
    make_user("supervisor", tree.v1, username="supervisor")
    for i in range(12):
        make_household(cadre, tree.g1, head_name=f"户{i}")
    lines = []
    load_demo(scale="small", seed=1, say=lines.append)
    done = Decision.objects.get(title=DONE_TITLE)
    assert done.state == "done" and done.result_publication_id
    pending = Decision.objects.get(title=OPEN_TITLE)
    assert pending.state == "party_review"
    assert Meeting.objects.filter(decision=pending, passed=False, quorum_met=False).count() == 1
    assert Topic.objects.get(title=TOPIC_TITLE).state == "deliberating"
    counts = (Decision.objects.count(), Topic.objects.count(), Representative.objects.count(), Meeting.objects.count())
    load_demo(scale="small", seed=1, say=lines.append)
    assert counts == (Decision.objects.count(), Topic.objects.count(), Representative.objects.count(),
                      Meeting.objects.count())

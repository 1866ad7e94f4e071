"""Objects of 东坡村 for the generic scope suite (shanzhi/web/tests/test_scope.py): c.in_scope is a cadre there."""

from __future__ import annotations

from typing import Any


def decision(c: Any) -> Any:
    from shanzhi.affairs import services

    return services.decision_request(acting_user=c.in_scope, place=c.tree.v1, title="村道硬化（李梅提议）",
                                     summary="硬化村东道路。")


def topic(c: Any) -> Any:
    from shanzhi.affairs import topics

    return topics.topic_propose(acting_user=c.in_scope, village=c.tree.v1, title="修建路灯（李梅）",
                                description="村口路灯。", body_name="村民议事会")

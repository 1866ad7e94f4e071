from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def pending_objections(user: Any) -> list[Any]:
    """Home page: objections waiting for an answer from this user (one scoped count)."""
    from django.urls import reverse

    from shanzhi.access.roles import Perm
    from shanzhi.core.home import ActionItem

    from .selectors import pending_objection_count

    if not user.has_perm_anywhere(Perm.PUBLISH):
        return []
    count = pending_objection_count(user=user)
    if not count:
        return []
    return [ActionItem(title="待处理的公示异议", count=count, url=reverse("publication_list") + "?pending=1",
                       hint="公示期内群众提出的异议，请逐条答复", level="warning")]


class PublicationConfig(AppConfig):
    name = "shanzhi.publication"
    label = "publication"
    verbose_name = "公示"

    def ready(self) -> None:
        from shanzhi.core import home, periodic

        from .tasks import close_ended_publications

        home.register(pending_objections)
        periodic.register(close_ended_publications, every_seconds=3600)

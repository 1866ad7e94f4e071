"""Public pages of a village's rules and power lists (no login): the rules in force with a link to every
clause (``#clause-N``, what points items and black-list entries link to), earlier adopted versions, and the
four lists with each item's process drawn as a flow."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shanzhi.core.errors import NotFound
from shanzhi.publication.models import Publication
from shanzhi.publication.pdf import committee_name

from . import selectors
from .choices import PowerListKind


@require_GET
def rules(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    village = selectors.public_village(code=code)
    version = selectors.public_rules(village=village, number=number)
    return render(request, "charter/public_rules.html", {
        "village": village, "committee": committee_name(village.name), "version": version,
        "clauses": list(version.clauses.all()) if version else [],
        "history": selectors.public_rules_history(village=village),
    })


@require_GET
def power_lists(request: HttpRequest, code: str) -> HttpResponse:
    village = selectors.public_village(code=code)
    return render(request, "charter/public_lists.html", {
        "village": village, "committee": committee_name(village.name),
        "lists": selectors.public_power_lists(village=village),
    })


@require_GET
def power_list(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in PowerListKind.values:
        raise NotFound()
    village = selectors.public_village(code=code)
    power_list = selectors.public_power_list(village=village, kind=kind)
    return render(request, "charter/public_list.html", {
        "village": village, "committee": committee_name(village.name), "power_list": power_list,
        "publication": Publication.objects.filter(pk=power_list.publication_id).only("public_id").first(),
    })

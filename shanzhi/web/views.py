from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shanzhi.access.roles import Perm, Role
from shanzhi.core.home import action_items
from shanzhi.regions.selectors import user_root_places


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role_labels = dict(Role.choices)
    assignments = [
        {"role": role_labels.get(a.role, a.role), "place": a.place}
        for a in user.role_assignments.filter(is_active=True).select_related("place").order_by("place_path")
    ]
    own_household = None
    if user.person_id:
        # A villager sees their own household (masked like everywhere) without any staff permission.
        from shanzhi.people.models import Household

        own_household = Household.objects.select_related("village").filter(members__id=user.person_id).first()
    registry = None
    if user.has_perm_anywhere(Perm.PEOPLE_VIEW):
        from shanzhi.people.models import Household, Person

        registry = {
            "households": Household.objects.visible_to(user, Perm.PEOPLE_VIEW).filter(is_active=True).count(),
            "persons": Person.objects.visible_to(user, Perm.PEOPLE_VIEW).count(),
        }
    return render(request, "web/home.html", {
        "registry": registry,
        "own_household": own_household,
        "own_members": own_household.members.order_by("id") if own_household else [],
        "items": action_items(user),
        "assignments": assignments,
        "roots": user_root_places(user=user),
    })


def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

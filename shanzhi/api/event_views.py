"""/api/v1/events/ and /api/v1/matters/ (domain.md G3, G2). Thin views over the same selectors and services as the
event pages: reads start from ``events.selectors`` (scope; out of scope is 404), every step is an
``events.services`` call that checks role, state and input, writes the history and the audit entry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from shanzhi.access.roles import Perm
from shanzhi.core.errors import ValidationFailed
from shanzhi.events import merging, selectors, services
from shanzhi.events.models import Event
from shanzhi.events.workflow import EVENT
from shanzhi.files.selectors import attachment_list
from shanzhi.grid.choices import MatterCategory
from shanzhi.grid.models import Matter
from shanzhi.grid.selectors import MatterFilters, matter_list, matters_applicable
from shanzhi.regions.models import Place
from shanzhi.workflow import engine

from . import event_serializers as es
from .serializers import ErrorSerializer
from .views import ERRORS, ApiViewSet

TRUE = ("1", "true", "on", "yes")
# Workflow transitions whose endpoint is named otherwise (both ratings go to ``rate`` with ``satisfied``).
ENDPOINTS = {"rate_satisfied": "rate", "rate_unsatisfied": "rate"}
STEP_ERRORS = {**ERRORS, 409: ErrorSerializer}


def _step(summary: str, request: Any) -> Any:
    return extend_schema(
        summary=summary, request=request, responses={200: es.EventDetailSerializer, **STEP_ERRORS}
    )


@extend_schema_view(
    list=extend_schema(
        summary="列出事件（本人管辖范围内的，及本人上报的）",
        parameters=[
            OpenApiParameter("state", str, enum=[s.name for s in EVENT.states], description="状态"),
            OpenApiParameter("matter", OpenApiTypes.INT, description="事项 id"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="true：只看已超期的"),
            OpenApiParameter(
                "mine", OpenApiTypes.BOOL, description="true：只看等待我办理（分派、受理、办理、评价）的"
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="查看事件：流程记录、照片，以及我现在可以进行的操作",
        responses={200: es.EventDetailSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(
        summary="上报事件（可带照片；client_key 相同的重复提交返回原事件，状态码 200）",
        request={
            "multipart/form-data": es.EventReportSerializer,
            "application/json": es.EventReportSerializer,
        },
        responses={
            201: es.EventDetailSerializer,
            200: OpenApiResponse(es.EventDetailSerializer, description="重复提交：原事件"),
            **STEP_ERRORS,
        },
    ),
)
@extend_schema(tags=["events"])
class EventViewSet(ApiViewSet):
    serializer_class = es.EventSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Event]:
        return selectors.event_list(user=self.request.user)

    def _filters(self) -> selectors.EventFilters:
        state = self.param("state")
        if state and not EVENT.state(state):
            names = "、".join(s.name for s in EVENT.states)
            raise ValidationFailed(f"未知状态“{state[:20]}”，可选：{names}。", code="bad_filter")
        matter = self.param("matter")
        if matter and not matter.isdigit():
            raise ValidationFailed("matter 应为事项的数字 id。", code="bad_filter")
        return selectors.EventFilters(
            state=state,
            matter=int(matter) if matter else None,
            overdue=self.param("overdue").lower() in TRUE,
            mine=self.param("mine").lower() in TRUE,
        )

    def list(self, request: Request) -> Response:
        return self.page(selectors.event_list(user=request.user, filters=self._filters()))

    def _detail(self, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        event = selectors.event_detail(user=user, pk=pk)
        can_urge = engine.can_urge(event, user)
        actions = [
            {
                "name": t.name,
                "label": t.label,
                "note_required": t.note_required,
                "endpoint": ENDPOINTS.get(t.name, t.name),
            }
            for t in engine.available_transitions(event, user)
        ]
        if engine.can_note(event, user):
            actions.append({"name": "notes", "label": "办理记录", "note_required": True, "endpoint": "notes"})
        if can_urge:
            actions += [
                {"name": "urge", "label": "催办", "note_required": False, "endpoint": "urge"},
                {"name": "supervise", "label": "督办", "note_required": True, "endpoint": "supervise"},
            ]
        context = {
            "history": list(engine.history(event)),
            "can_urge": can_urge,
            "actions": actions,
            "photos": list(attachment_list(user=user, obj=event)),
        }
        return Response(es.EventDetailSerializer(event, context=context).data, status=status_code)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(pk)

    def create(self, request: Request) -> Response:
        data = self.parse(es.EventReportSerializer)
        code = data["place"].strip()
        place = (
            Place.objects.visible_to(request.user, Perm.EVENT_REPORT)
            .filter(code=code, level__in=services.EVENT_PLACE_LEVELS, is_active=True)
            .first()
        )
        if place is None:
            raise ValidationFailed(
                f"区划代码“{code[:30]}”不是您可以上报事件的村（社区）或网格。", code="unknown_place"
            )
        event = services.event_report(
            acting_user=request.user,
            place=place,
            matter_id=data["matter"],
            text=data["text"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            address=data["address"],
            photos=request.FILES.getlist("photos"),
            client_key=data["client_key"],
        )
        replayed = getattr(event, "replayed", False)
        return self._detail(event.pk, status_code=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)

    # --- the steps (each one the same service the event page calls) -------------------------------------------

    def _act(self, pk: str, serializer_class: type[BaseSerializer], step: Any) -> Response:
        event = selectors.event_detail(user=self.request.user, pk=pk)
        data = self.parse(serializer_class)
        step(event, data)
        return self._detail(event.pk)

    @_step("分派（分级分流）：指定承办层级，县级部门须指定部门", es.TriageSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.TriageSerializer,
            lambda e, d: services.event_triage(
                acting_user=request.user,
                event=e,
                level=d["level"],
                department=d["department"] or None,
                note=d["note"],
            ),
        )

    @_step("受理（开始计算办理时限）", es.NoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.NoteSerializer,
            lambda e, d: services.event_accept(acting_user=request.user, event=e, note=d["note"]),
        )

    @_step("退回指挥中心（须填写理由）", es.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.ReasonSerializer,
            lambda e, d: services.event_return(acting_user=request.user, event=e, reason=d["reason"]),
        )

    @_step("提级（交上一级承办，须填写理由）", es.EscalateSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        def step(e: Event, d: dict) -> None:
            extra = {"department": d["department"]} if d["department"] else {}
            services.event_escalate(acting_user=request.user, event=e, reason=d["reason"], **extra)

        return self._act(pk, es.EscalateSerializer, step)

    @_step("转办（交另一承办单位，须填写理由）", es.TransferSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.TransferSerializer,
            lambda e, d: services.event_transfer(
                acting_user=request.user,
                event=e,
                level=d["level"],
                department=d["department"] or None,
                reason=d["reason"],
            ),
        )

    @extend_schema(
        summary="记录办理情况（可带照片）",
        request={"multipart/form-data": es.ProgressSerializer, "application/json": es.ProgressSerializer},
        responses={200: es.EventDetailSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.ProgressSerializer,
            lambda e, d: services.event_note(
                acting_user=request.user, event=e, note=d["note"], photos=request.FILES.getlist("photos")
            ),
        )

    @_step("办结（须填写办理结果）", es.ResultSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.ResultSerializer,
            lambda e, d: services.event_close(acting_user=request.user, event=e, result=d["result"]),
        )

    @_step("评价（满意办结；不满意须填写原因，事件返工）", es.RateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.RateSerializer,
            lambda e, d: services.event_rate(
                acting_user=request.user, event=e, satisfied=d["satisfied"], reason=d["reason"]
            ),
        )

    @_step("催办", es.NoteSerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.NoteSerializer,
            lambda e, d: services.event_urge(acting_user=request.user, event=e, note=d["note"]),
        )

    @_step("督办（领导批示，须填写意见）", es.NoteSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.NoteSerializer,
            lambda e, d: services.event_supervise(acting_user=request.user, event=e, note=d["note"]),
        )

    @_step("合并重复上报到另一事件", es.MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            es.MergeSerializer,
            lambda e, d: merging.event_merge(
                acting_user=request.user,
                event=e,
                into=merging.merge_target(user=request.user, ref=d["into"]),
                note=d["note"],
            ),
        )


@extend_schema_view(
    list=extend_schema(
        summary="网格事项清单：某地适用的事项（上报时选择），或本人可查看的清单",
        parameters=[
            OpenApiParameter(
                "place", str, description="区划代码：列出在该地适用的事项（县、乡镇清单向下适用）"
            ),
            OpenApiParameter("category", str, enum=MatterCategory.values, description="事项类别"),
        ],
    ),
)
@extend_schema(tags=["events"])
class MatterViewSet(ApiViewSet):
    serializer_class = es.MatterSerializer

    def get_queryset(self) -> QuerySet[Matter]:
        return matter_list(user=self.request.user, filters=MatterFilters())

    def list(self, request: Request) -> Response:
        user = request.user
        category = self.param("category")
        if category and category not in MatterCategory.values:
            raise ValidationFailed(f"未知事项类别“{category[:20]}”。", code="bad_filter")
        if code := self.param("place"):
            place = (
                (
                    Place.objects.visible_to(user, Perm.EVENT_REPORT)
                    | Place.objects.visible_to(user, Perm.MATTER_VIEW)
                )
                .filter(code=code)
                .first()
            )
            if place is None:
                raise ValidationFailed(
                    f"区划代码“{code[:30]}”不存在，或不在您的管辖范围内。", code="unknown_place"
                )
            qs = matters_applicable(place=place)
        else:
            qs = matter_list(user=user, filters=MatterFilters(category=category))
        if category:
            qs = qs.filter(category=category)
        return self.page(qs)

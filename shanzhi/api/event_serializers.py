"""Serializers of the event endpoints (domain.md G3) and the matter list (G2). Output carries what the event page
shows to the same user — never a phone number; input serializers parse types only and hand the values to
``events.services``, which owns every rule and answers in Chinese."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shanzhi.events.choices import AssigneeLevel
from shanzhi.events.models import Event
from shanzhi.events.workflow import EVENT
from shanzhi.grid.models import Matter


class MatterSerializer(serializers.ModelSerializer):
    """One matter of the grid matter list (网格事项清单) in force at a place."""

    owner = serializers.SlugRelatedField(
        source="place", slug_field="code", read_only=True, help_text="制定该清单的县或乡镇的区划代码"
    )
    owner_name = serializers.CharField(source="place.name", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    # A plain string here: the enum would share the name "Level" with the place levels in the schema.
    level = serializers.CharField(read_only=True, help_text="责任层级：grid、village、township 或 county")
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Matter
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_display",
            "level",
            "level_display",
            "department",
            "duty",
            "time_limit_days",
            "grid_can_settle",
            "description",
            "owner",
            "owner_name",
        ]


class EventSerializer(serializers.ModelSerializer):
    """An event as a list shows it (all related rows fetched with the page: no query per row)."""

    state_label = serializers.SerializerMethodField()
    matter_code = serializers.CharField(source="matter.code", read_only=True)
    matter_name = serializers.CharField(source="matter.name", read_only=True)
    place = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="事发地区划代码")
    place_name = serializers.CharField(source="place.name", read_only=True)
    reporter_name = serializers.CharField(source="reporter.display_name", read_only=True)
    reporter_kind_display = serializers.CharField(source="get_reporter_kind_display", read_only=True)
    assignee_label = serializers.CharField(read_only=True, help_text="承办单位")

    class Meta:
        model = Event
        fields = [
            "id",
            "number",
            "state",
            "state_label",
            "matter",
            "matter_code",
            "matter_name",
            "place",
            "place_name",
            "place_path",
            "address",
            "latitude",
            "longitude",
            "text",
            "reporter_name",
            "reporter_kind",
            "reporter_kind_display",
            "reported_at",
            "assignee_level",
            "assignee_label",
            "assigned_at",
            "accepted_at",
            "due_at",
            "is_overdue",
            "urge_count",
            "closed_at",
            "result",
            "satisfaction",
            "reopen_count",
            "merged_into",
        ]

    def get_state_label(self, obj: Event) -> str:
        return EVENT.state_label(obj.state)


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    transition = serializers.CharField()
    label = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor_name = serializers.CharField(help_text="空或“系统”为系统操作")
    note = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="操作名（流程中的名称，如 rate_satisfied）")
    label = serializers.CharField()
    note_required = serializers.BooleanField(help_text="是否须填写理由/意见")
    endpoint = serializers.CharField(help_text="提交到 POST /api/v1/events/{id}/<endpoint>/")


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)

    def get_url(self, obj: Any) -> str:
        from django.urls import reverse

        return reverse("attachment_view", args=[obj.pk])


class EventDetailSerializer(EventSerializer):
    """The event with its history, its photos and what this user may do with it now."""

    history = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    can_urge = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "history", "actions", "can_urge", "photos"]

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, obj: Event) -> list[dict[str, Any]]:
        return HistorySerializer(self.context["history"], many=True).data

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, obj: Event) -> list[dict[str, Any]]:
        return ActionSerializer(self.context["actions"], many=True).data

    def get_can_urge(self, obj: Event) -> bool:
        return bool(self.context["can_urge"])

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: Event) -> list[dict[str, Any]]:
        return PhotoSerializer(self.context["photos"], many=True).data


class EventReportSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="事发村（社区）、村民小组、网格或微网格的区划代码")
    matter = serializers.CharField(
        help_text="事项 id（GET /api/v1/matters/?place=<代码> 列出事发地适用的事项）"
    )
    text = serializers.CharField(allow_blank=True, help_text="事件描述，最多 1000 字")
    latitude = serializers.CharField(required=False, allow_blank=True, default="")
    longitude = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="", help_text="无定位时必填")
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="照片（JPEG/PNG/WebP），最多 9 张；multipart/form-data 上传",
    )
    client_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="客户端生成的提交编号（如 UUID）：重复提交返回同一事件（200）",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="意见/说明")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="理由（必填）")


class ResultSerializer(serializers.Serializer):
    result = serializers.CharField(allow_blank=True, help_text="办理结果（必填）")


class TriageSerializer(serializers.Serializer):
    level = serializers.CharField(
        help_text="承办层级，可选：" + "、".join(f"{v}（{label}）" for v, label in AssigneeLevel.choices)
    )
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="县级部门（level=department 时）：部门 id 或名称",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateSerializer(ReasonSerializer):
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="提级到县级部门时可指定部门（id 或名称）；默认为事项的责任部门",
    )


class TransferSerializer(ReasonSerializer):
    level = serializers.CharField(help_text="转办到的层级：grid、village、township 或 department")
    department = serializers.CharField(required=False, allow_blank=True, default="")


class RateSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(help_text="true 满意；false 不满意（须填写 reason，事件返工）")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, help_text="办理情况（必填）")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="照片，最多 9 张"
    )


class MergeSerializer(serializers.Serializer):
    into = serializers.CharField(help_text="合并到的事件：id 或事件编号")
    note = serializers.CharField(required=False, allow_blank=True, default="")

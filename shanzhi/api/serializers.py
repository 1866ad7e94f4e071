"""API serializers. Output serializers are ModelSerializers that never carry a full identity number or
phone (domain.md F2/F7: masked unless revealed, and a reveal is its own audited call). Input
serializers are plain Serializers: they parse types only and hand the values to the services,
which own every business rule and answer in Chinese."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shanzhi.access.models import RoleAssignment, User
from shanzhi.audit.models import AuditEntry
from shanzhi.core.identity import mask_phone
from shanzhi.orgs.models import Membership, Organisation
from shanzhi.people.choices import PersonTag, PoliticalStatus, Relation, ResidenceStatus, SubjectKind
from shanzhi.people.models import Household, Person, Subject
from shanzhi.people.services import REVEALABLE
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place


def _values(choices: Any) -> str:
    return "可选：" + "、".join(f"{v}（{label}）" for v, label in choices.choices)


# --- errors (for the schema) --------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The ApplicationError shape every error answers with."""

    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、not_found、forbidden")
    message = serializers.CharField(help_text="给人看的中文说明")
    errors = serializers.JSONField(required=False, help_text="按字段列出的输入错误（仅输入格式错误时）")


# --- auth -----------------------------------------------------------------------------------------------


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, help_text="用户名或手机号")
    phone = serializers.CharField(required=False, allow_blank=True, help_text="手机号（可代替 username）")
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="放在请求头：Authorization: Token <token>")
    username = serializers.CharField()


class PlaceBriefSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Place
        fields = ["code", "path", "name", "level", "level_display"]


class RoleSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    place = PlaceBriefSerializer(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_display", "place"]


class MeSerializer(serializers.ModelSerializer):
    phone_masked = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "phone_masked", "is_superuser", "must_change_password", "last_login",
                  "roles"]

    def get_phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, obj: User) -> list[dict[str, Any]]:
        assignments = obj.role_assignments.filter(is_active=True).select_related("place").order_by("place_path", "role")
        return RoleSerializer(assignments, many=True).data


# --- places ---------------------------------------------------------------------------------------------

class PlaceSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="上级区划代码")

    class Meta:
        model = Place
        fields = ["code", "path", "name", "level", "level_display", "parent", "is_synthetic", "is_active"]


class PlaceCreateSerializer(serializers.Serializer):
    parent = serializers.CharField(help_text="上级区划代码（须在您的管辖范围内）")
    level = serializers.CharField(help_text=_values(Level))
    name = serializers.CharField(allow_blank=True)
    code = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="仅新建村/社区时填写：12位统计用区划代码，以所属乡镇代码开头")


# --- people ---------------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    """A person as the API shows it: identity number and phone masked, the birth date cut to its year
    (with the masked number a full birth date would give the number back: 6 + 8 + 4 digits)."""

    household_number = serializers.CharField(source="household.number", read_only=True)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    birth_year = serializers.SerializerMethodField()
    sex_display = serializers.CharField(source="get_sex_display", read_only=True)
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)
    residence_status_display = serializers.CharField(source="get_residence_status_display", read_only=True)
    political_status_display = serializers.CharField(source="get_political_status_display", read_only=True)
    tag_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Person
        fields = ["id", "household", "household_number", "place_path", "name", "id_number_masked", "phone_masked",
                  "birth_year", "sex", "sex_display", "ethnicity", "relation", "relation_display", "residence_status",
                  "residence_status_display", "political_status", "political_status_display", "tags", "tag_labels",
                  "note", "created_at", "updated_at"]

    def get_birth_year(self, obj: Person) -> int | None:
        return obj.birth_date.year if obj.birth_date else None


class MemberSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)
    residence_status_display = serializers.CharField(source="get_residence_status_display", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "relation", "relation_display", "id_number_masked", "phone_masked", "residence_status",
                  "residence_status_display"]


class HouseholdSerializer(serializers.ModelSerializer):
    place = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="所属网格/村的代码")
    place_name = serializers.CharField(source="place.name", read_only=True)
    group = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="村民小组代码")
    group_name = serializers.CharField(source="group.name", read_only=True, default=None)

    class Meta:
        model = Household
        fields = ["id", "number", "place", "place_name", "place_path", "group", "group_name", "address", "latitude",
                  "longitude", "head", "head_name", "member_count", "is_active", "created_at", "updated_at"]


class HouseholdDetailSerializer(HouseholdSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="所属村代码")
    members = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "village", "members"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, obj: Household) -> list[dict[str, Any]]:
        return MemberSerializer(obj.members.order_by("id"), many=True).data


class HouseholdCreateSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="村/社区、网格或微网格的代码")
    address = serializers.CharField(allow_blank=True)
    group = serializers.CharField(required=False, allow_blank=True, default="", help_text="村民小组代码（可选）")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    number = serializers.CharField(required=False, allow_blank=True, default="", help_text="户编号；留空自动编号")


class PersonWriteSerializer(serializers.Serializer):
    """Fields of a person the services accept; choices are checked by the service (Chinese messages)."""

    name = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(required=False, allow_blank=True, help_text="18位公民身份号码；出生日期和性别由它推出")
    birth_date = serializers.DateField(required=False, allow_null=True, help_text="无身份证号时填写")
    sex = serializers.CharField(required=False, allow_blank=True, help_text="M（男）、F（女）")
    ethnicity = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    relation = serializers.CharField(required=False, allow_blank=True, help_text=_values(Relation))
    residence_status = serializers.CharField(required=False, allow_blank=True, help_text=_values(ResidenceStatus))
    political_status = serializers.CharField(required=False, allow_blank=True, help_text=_values(PoliticalStatus))
    tags = serializers.ListField(child=serializers.CharField(), required=False, help_text=_values(PersonTag))
    note = serializers.CharField(required=False, allow_blank=True)


class PersonCreateSerializer(PersonWriteSerializer):
    household = serializers.IntegerField(help_text="户的 id")
    kind = serializers.ChoiceField(choices=[("register", "登记在册人员"), ("birth", "出生")], required=False,
                                   default="register", help_text="register：登记在册人员；birth：登记出生（须填出生日期）")


class RevealSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="可选：" + "、".join(f"{k}（{v}）" for k, v in REVEALABLE.items()))


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class SubjectSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    phone_masked = serializers.ReadOnlyField(help_text="联系电话（脱敏），即 Subject.phone_masked")
    place = serializers.SlugRelatedField(slug_field="code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = Subject
        fields = ["id", "kind", "kind_display", "name", "credit_code", "legal_person", "phone_masked", "place",
                  "place_name", "place_path", "address", "is_active", "created_at"]


class SubjectCreateSerializer(serializers.Serializer):
    place = serializers.CharField(help_text="所在区划代码")
    kind = serializers.CharField(help_text=_values(SubjectKind))
    name = serializers.CharField(allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True, default="")
    legal_person = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")


# --- organisations --------------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    place = serializers.SlugRelatedField(slug_field="code", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "kind", "kind_display", "name", "place", "place_name", "place_path", "parent", "purpose",
                  "founded_on", "is_active"]


class MembershipSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    post_display = serializers.CharField(source="get_post_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "organisation_name", "person", "person_name", "post", "post_display",
                  "term_start", "term_end", "place_path"]


# --- audit ----------------------------------------------------------------------------------------------


class AuditEntrySerializer(serializers.ModelSerializer):
    """Before/after values are left out: they can hold full identity numbers (the page does not show them
    either)."""

    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_name", "action", "action_display", "event", "object_type", "object_id",
                  "object_repr", "place_path", "success", "detail", "ip", "request_id"]

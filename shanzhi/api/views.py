"""REST API v1 (conventions "Pages and API"). Views are thin: they parse input, call the same selectors and
services as the pages, and serialise. Every read starts from ``Model.objects.visible_to(user, perm)`` (through
the selectors), so "not yours" and "not there" both answer 404; every write goes through a service that
re-checks scope and writes its audit entry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from shanzhi.access import services as access_services
from shanzhi.access.roles import Perm
from shanzhi.access.services import LoginResult, LoginStatus
from shanzhi.audit.models import AuditAction, AuditEntry
from shanzhi.audit.services import audit_record
from shanzhi.audit.views import audit_entries
from shanzhi.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from shanzhi.orgs.models import Membership, Organisation
from shanzhi.people import selectors as people_selectors
from shanzhi.people import services as people_services
from shanzhi.people.choices import PersonTag
from shanzhi.people.models import Household, Person, Subject
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Place
from shanzhi.regions.selectors import place_search
from shanzhi.regions.services import place_create
from shanzhi.web.pagination import COUNT_CAP

from . import serializers as s
from .authentication import token_expired

ERRORS = {400: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer}


class TooManyAttempts(ApplicationError):
    """Too many failed logins from this client address (access.services.login_attempt)."""

    code = LoginStatus.THROTTLED.value
    status = 429


def _login_error(result: LoginResult) -> ApplicationError:
    """The login service's refusal in the API's error shape; the status codes are those of docs/api.md."""
    if result.status is LoginStatus.THROTTLED:
        return TooManyAttempts(result.message)
    if result.status is LoginStatus.INVALID:
        return ValidationFailed(result.message, code=result.status.value)
    return PermissionDenied(result.message, code=result.status.value)


class PasswordCurrent(BasePermission):
    """An account that still has its initial password works on no endpoint until it is changed on the web
    (等保 2.0: forced change of initial passwords; the page middleware does the same for pages)."""

    message = "请先在网页上登录并修改初始密码，再使用接口。"
    code = "password_change_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        return not getattr(request.user, "must_change_password", False)


class ApiViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated, PasswordCurrent]

    def page(self, queryset: QuerySet, serializer_class: type[BaseSerializer] | None = None) -> Response:
        rows = self.paginate_queryset(queryset)
        serializer = (serializer_class or self.get_serializer_class())(rows, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def parse(self, serializer_class: type[BaseSerializer], *, partial: bool = False) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def param(self, name: str) -> str:
        return (self.request.query_params.get(name) or "").strip()


def visible_place(user: Any, code: str, *, label: str = "区划") -> Place:
    """A place named in the input, if the user may see it; unknown and out of scope are answered alike."""
    place = Place.objects.visible_to(user, Perm.PLACE_VIEW).filter(code=(code or "").strip()).first()
    if place is None:
        raise ValidationFailed(f"{label}代码“{code}”不存在，或不在您的管辖范围内。", code="unknown_place")
    return place


def place_filter_path(view: ApiViewSet) -> str:
    """``?place=<code>``: that place and everything under it, as the place's path prefix."""
    code = view.param("place")
    return visible_place(view.request.user, code).path if code else ""


PLACE_PARAM = OpenApiParameter("place", str, description="区划代码：只列出该区划及其下级的记录")
Q_PARAM = OpenApiParameter("q", str, description="搜索：姓名/名称包含，或拼音、拼音首字母开头（张三 ← zs）")


def unknown_endpoint(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """Anything else under /api/v1/ answers 404 in the same JSON shape (not the HTML page)."""
    return JsonResponse({"code": "not_found", "message": "没有这个接口，请查看 /api/docs/。"}, status=404)


# --- auth -----------------------------------------------------------------------------------------------


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) the account's API token. Obtaining goes through the same lockout and
    audit as the login page (F4, F5)."""

    def get_authenticators(self) -> list:
        # Obtaining a token needs no prior authentication (and so no CSRF check of a browser session).
        request = getattr(self, "request", None)
        return [] if request is not None and request.method == "POST" else super().get_authenticators()

    def get_permissions(self) -> list:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(tags=["auth"], summary="用用户名或手机号和密码换取令牌", auth=[], request=s.TokenObtainSerializer,
                   responses={200: s.TokenSerializer, 400: s.ErrorSerializer, 403: s.ErrorSerializer,
                              429: s.ErrorSerializer})
    def post(self, request: Request) -> Response:
        data = s.TokenObtainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = (data.validated_data.get("username") or data.validated_data.get("phone") or "").strip()
        if not username:
            raise ValidationFailed("请填写用户名或手机号。", code="username_required")
        result = access_services.login_attempt(request=request._request, username=username,
                                               password=data.validated_data["password"], channel="api")
        if not result.ok:
            raise _login_error(result)
        user = result.user
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "username": user.username})

    @extend_schema(tags=["auth"], summary="注销令牌（此后该令牌失效）", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        deleted, _rows = Token.objects.filter(user=request.user).delete()
        audit_record(actor=request.user, action=AuditAction.LOGOUT, event="api_token_revoke", obj=request.user,
                     detail="注销接口令牌" if deleted else "注销接口令牌（无有效令牌）")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated, PasswordCurrent]

    @extend_schema(tags=["me"], summary="当前账号及其在各区划的角色", responses={200: s.MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user).data)


# --- places ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="列出区划/网格（本人管辖范围内）", parameters=[
        OpenApiParameter("parent", str, description="上级区划代码：只列出其直接下级"),
        OpenApiParameter("level", str, enum=Level.values, description="层级"),
        OpenApiParameter("q", str, description="按名称、拼音或拼音首字母搜索"),
    ]),
    retrieve=extend_schema(summary="按代码查看区划", responses={200: s.PlaceSerializer, 404: s.ErrorSerializer}),
    create=extend_schema(summary="新建下级区划（村/社区、村民小组、网格、微网格）", request=s.PlaceCreateSerializer,
                         responses={201: s.PlaceSerializer, **ERRORS}),
)
@extend_schema(tags=["places"])
class PlaceViewSet(ApiViewSet):
    serializer_class = s.PlaceSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Place]:
        return Place.objects.visible_to(self.request.user, Perm.PLACE_VIEW).select_related("parent").order_by("path")

    def list(self, request: Request) -> Response:
        qs = self.get_queryset()
        if parent := self.param("parent"):
            qs = qs.filter(parent__code=parent)
        if level := self.param("level"):
            if level not in Level.values:
                raise ValidationFailed(f"未知层级“{level}”，可选：{'、'.join(Level.values)}。", code="unknown_level")
            qs = qs.filter(level=level)
        if q := self.param("q"):
            qs = qs.filter(pk__in=place_search(user=request.user, query=q, limit=COUNT_CAP).values("pk"))
        return self.page(qs)

    def retrieve(self, request: Request, code: str) -> Response:
        place = Place.objects.select_related("parent").get_visible(request.user, Perm.PLACE_VIEW, code=code)
        return Response(s.PlaceSerializer(place).data)

    def create(self, request: Request) -> Response:
        data = self.parse(s.PlaceCreateSerializer)
        parent = visible_place(request.user, data["parent"], label="上级区划")
        place = place_create(acting_user=request.user, parent=parent, level=data["level"], name=data["name"],
                             code=data["code"])
        return Response(s.PlaceSerializer(place).data, status=status.HTTP_201_CREATED)


# --- households and persons -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="列出户", parameters=[
        OpenApiParameter("q", str, description="户编号开头，或户主姓名、住址包含"), PLACE_PARAM]),
    retrieve=extend_schema(summary="查看户及其成员（身份证号、手机号脱敏）",
                           responses={200: s.HouseholdDetailSerializer, 404: s.ErrorSerializer}),
    create=extend_schema(summary="登记户", request=s.HouseholdCreateSerializer,
                         responses={201: s.HouseholdDetailSerializer, **ERRORS}),
)
@extend_schema(tags=["households"])
class HouseholdViewSet(ApiViewSet):
    serializer_class = s.HouseholdSerializer

    def get_queryset(self) -> QuerySet[Household]:
        return people_selectors.household_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        return self.page(people_selectors.household_list(user=request.user, q=self.param("q"),
                                                         place_path=place_filter_path(self)))

    def retrieve(self, request: Request, pk: str) -> Response:
        household = people_selectors.household_detail(user=request.user, pk=pk)
        return Response(s.HouseholdDetailSerializer(household).data)

    def create(self, request: Request) -> Response:
        data = self.parse(s.HouseholdCreateSerializer)
        place = visible_place(request.user, data["place"])
        group = visible_place(request.user, data["group"], label="村民小组") if data["group"] else None
        household = people_services.household_create(
            acting_user=request.user, place=place, address=data["address"], group=group, latitude=data["latitude"],
            longitude=data["longitude"], number=data["number"])
        return Response(s.HouseholdDetailSerializer(household).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="列出人员（身份证号、手机号脱敏）", parameters=[
        OpenApiParameter("q", str, description="姓名包含，或拼音、拼音首字母开头（张三 ← zs），或完整身份证号"),
        OpenApiParameter("tag", str, enum=PersonTag.values, description="关注标签"),
        OpenApiParameter("status", str, description="居住状态：resident、away、moved_out、deceased"),
        OpenApiParameter("sex", str, enum=["M", "F"], description="性别"),
        PLACE_PARAM]),
    retrieve=extend_schema(summary="查看人员（身份证号、手机号脱敏）", responses={200: s.PersonSerializer, 404: s.ErrorSerializer}),
    create=extend_schema(summary="登记人员（或登记出生）", request=s.PersonCreateSerializer,
                         responses={201: s.PersonSerializer, **ERRORS}),
    partial_update=extend_schema(summary="修改人员信息（只改所给字段）", request=s.PersonWriteSerializer,
                                 responses={200: s.PersonSerializer, **ERRORS}),
    reveal=extend_schema(summary="查看完整身份证号或手机号（单独授权，每次记入审计）", request=s.RevealSerializer,
                         responses={200: s.RevealedSerializer, **ERRORS}),
)
@extend_schema(tags=["persons"])
class PersonViewSet(ApiViewSet):
    serializer_class = s.PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        return people_selectors.person_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        tag = self.param("tag")
        if tag and tag not in PersonTag.values:
            raise ValidationFailed(f"未知标签“{tag}”，可选：{'、'.join(PersonTag.values)}。", code="unknown_tag")
        filters = people_selectors.PersonFilters(q=self.param("q"), place_path=place_filter_path(self), tag=tag,
                                                 residence_status=self.param("status"), sex=self.param("sex"))
        return self.page(people_selectors.person_list(user=request.user, filters=filters))

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.PersonSerializer(people_selectors.person_detail(user=request.user, pk=pk)).data)

    def create(self, request: Request) -> Response:
        data = self.parse(s.PersonCreateSerializer)
        try:
            household = people_selectors.household_detail(user=request.user, pk=data.pop("household"))
        except NotFound:
            raise ValidationFailed("所填的户不存在，或不在您的管辖范围内。", code="unknown_household")
        if data.pop("kind") == "birth":
            person = people_services.person_record_birth(acting_user=request.user, household=household, data=data)
        else:
            person = people_services.person_create(acting_user=request.user, household=household, data=data)
        return Response(s.PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        person = people_selectors.person_detail(user=request.user, pk=pk)
        data = self.parse(s.PersonWriteSerializer, partial=True)
        people_services.person_update(acting_user=request.user, person=person, data=data)
        return Response(s.PersonSerializer(people_selectors.person_detail(user=request.user, pk=person.pk)).data)

    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        person = people_selectors.person_detail(user=request.user, pk=pk)
        field = self.parse(s.RevealSerializer)["field"]
        value = people_services.person_reveal(acting_user=request.user, person=person, field=field)
        response = Response({"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response


@extend_schema_view(
    list=extend_schema(summary="列出其他主体（企业、家庭农场、个体工商户）", parameters=[
        Q_PARAM, OpenApiParameter("kind", str, description="主体类型"), PLACE_PARAM]),
    retrieve=extend_schema(summary="查看其他主体", responses={200: s.SubjectSerializer, 404: s.ErrorSerializer}),
    create=extend_schema(summary="登记其他主体", request=s.SubjectCreateSerializer,
                         responses={201: s.SubjectSerializer, **ERRORS}),
)
@extend_schema(tags=["subjects"])
class SubjectViewSet(ApiViewSet):
    serializer_class = s.SubjectSerializer

    def get_queryset(self) -> QuerySet[Subject]:
        return people_selectors.subject_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        qs = people_selectors.subject_list(user=request.user, q=self.param("q"), kind=self.param("kind"))
        if path := place_filter_path(self):
            qs = qs.filter(place_path__prefix=path)
        return self.page(qs)

    def retrieve(self, request: Request, pk: str) -> Response:
        subject = people_selectors.subject_list(user=request.user).get_visible(request.user, Perm.PEOPLE_VIEW, pk=pk)
        return Response(s.SubjectSerializer(subject).data)

    def create(self, request: Request) -> Response:
        data = self.parse(s.SubjectCreateSerializer)
        place = visible_place(request.user, data.pop("place"))
        subject = people_services.subject_create(acting_user=request.user, place=place, **data)
        return Response(s.SubjectSerializer(subject).data, status=status.HTTP_201_CREATED)


# --- organisations (read-only) --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="列出组织", parameters=[OpenApiParameter("kind", str, description="组织类型"), PLACE_PARAM]),
    retrieve=extend_schema(summary="查看组织", responses={200: s.OrganisationSerializer, 404: s.ErrorSerializer}),
)
@extend_schema(tags=["organisations"])
class OrganisationViewSet(ApiViewSet):
    serializer_class = s.OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.visible_to(self.request.user, Perm.ORG_VIEW).select_related("place")

    def list(self, request: Request) -> Response:
        qs = self.get_queryset()
        if kind := self.param("kind"):
            qs = qs.filter(kind=kind)
        if path := place_filter_path(self):
            qs = qs.filter(place_path__prefix=path)
        return self.page(qs.order_by("place_path", "kind", "name", "id"))

    def retrieve(self, request: Request, pk: str) -> Response:
        org = Organisation.objects.select_related("place").get_visible(request.user, Perm.ORG_VIEW, pk=pk)
        return Response(s.OrganisationSerializer(org).data)


@extend_schema_view(
    list=extend_schema(summary="列出任职", parameters=[
        OpenApiParameter("organisation", OpenApiTypes.INT, description="组织 id"),
        OpenApiParameter("person", OpenApiTypes.INT, description="人员 id"), PLACE_PARAM]),
    retrieve=extend_schema(summary="查看任职", responses={200: s.MembershipSerializer, 404: s.ErrorSerializer}),
)
@extend_schema(tags=["organisations"])
class MembershipViewSet(ApiViewSet):
    serializer_class = s.MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.visible_to(self.request.user, Perm.ORG_VIEW).select_related("organisation", "person")

    def list(self, request: Request) -> Response:
        qs = self.get_queryset()
        for name in ("organisation", "person"):
            if value := self.param(name):
                if not value.isdigit():
                    raise ValidationFailed(f"{name} 应为数字 id。", code="bad_filter")
                qs = qs.filter(**{f"{name}_id": int(value)})
        if path := place_filter_path(self):
            qs = qs.filter(place_path__prefix=path)
        return self.page(qs.order_by("organisation_id", "post", "term_start", "id"))

    def retrieve(self, request: Request, pk: str) -> Response:
        membership = Membership.objects.select_related("organisation", "person").get_visible(
            request.user, Perm.ORG_VIEW, pk=pk)
        return Response(s.MembershipSerializer(membership).data)


# --- audit (read-only) ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="查询审计日志（须有审计查看权限）", parameters=[
        OpenApiParameter("actor", str, description="操作人姓名包含"),
        OpenApiParameter("action", str, enum=AuditAction.values, description="操作"),
        OpenApiParameter("event", str, description="事项（服务名），如 person_reveal"),
        OpenApiParameter("object", str, description="对象描述包含"),
        OpenApiParameter("start", OpenApiTypes.DATE, description="开始日期（含）"),
        OpenApiParameter("end", OpenApiTypes.DATE, description="结束日期（含）"),
        OpenApiParameter("failed", str, description="任意非空值：只看失败的操作"),
    ]),
)
@extend_schema(tags=["audit"])
class AuditEntryViewSet(ApiViewSet):
    serializer_class = s.AuditEntrySerializer

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.visible_to(self.request.user, Perm.AUDIT_VIEW)

    def list(self, request: Request) -> Response:
        if not request.user.has_perm_anywhere(Perm.AUDIT_VIEW):
            raise NotFound()
        qs, _filters = audit_entries(user=request.user, params=request.query_params)
        return self.page(qs)

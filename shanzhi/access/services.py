"""Account services: creating users, granting roles at places, login bookkeeping (F4, F5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.timezone import now

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.identity import validate_phone

from .models import RoleAssignment, User
from .roles import ROLE_LEVELS, Role


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="password_policy")


@transaction.atomic
def user_create(
    *,
    acting_user: Any,
    username: str,
    password: str,
    full_name: str = "",
    phone: str = "",
    must_change_password: bool = True,
    is_superuser: bool = False,
) -> User:
    username = username.strip()
    if not username:
        raise ValidationFailed("用户名不能为空。")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名 {username} 已被使用。", code="username_taken")
    phone_value = validate_phone(phone) if phone else None
    if phone_value and User.objects.filter(phone=phone_value).exists():
        raise ValidationFailed("该手机号已绑定其他账号。", code="phone_taken")
    user = User(username=username, full_name=full_name, phone=phone_value, is_superuser=is_superuser, is_staff=is_superuser)
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change_password and settings.FORCE_INITIAL_PASSWORD_CHANGE
    user.password_changed_at = now()
    user.save()
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="user_create", obj=user,
                 after={"username": username, "full_name": full_name, "phone": phone_value})
    return user


@transaction.atomic
def role_assign(*, acting_user: Any, user: User, role: str, place: Any) -> RoleAssignment:
    """Grant ``role`` at ``place``; the role must make sense at that level (a village cadre at a village)."""
    if role not in Role.values:
        raise ValidationFailed(f"未知角色：{role}。")
    if place.level not in ROLE_LEVELS[role]:
        raise ValidationFailed(f"“{Role(role).label}”不能设在{place.get_level_display()}一级。", code="role_level")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, place=place, defaults={"place_path": place.path}
    )
    if not created and not assignment.is_active:
        assignment.is_active = True
        assignment.save(update_fields=["is_active"])
    audit_record(actor=acting_user, action=AuditAction.CREATE, event="role_assign", obj=assignment,
                 place_path=place.path, after={"user": user.username, "role": role, "place": place.code})
    user.__dict__.pop("_grants_cache", None)
    return assignment


def _user_place_path(user: User) -> str:
    first = user.role_assignments.order_by("place_path").values_list("place_path", flat=True).first()
    return first or ""


def login_succeeded(*, user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now())
        audit_record(actor=user, action=AuditAction.LOGIN, event="login", obj=user, place_path=_user_place_path(user))


def login_failed(*, username: str) -> str:
    """Count a failed attempt; lock after LOGIN_MAX_FAILURES. Returns the message to show."""
    generic = "用户名或密码错误。"
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first() or (
            User.objects.select_for_update().filter(phone=username).first() if username else None
        )
        if user is None:
            audit_record(actor=None, action=AuditAction.LOGIN_FAILED, event="login", success=False,
                         object_type="access.user", object_repr=username[:100], detail="未知账号")
            return generic
        user.failed_logins += 1
        fields = ["failed_logins"]
        message = generic
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            fields.append("locked_until")
            message = f"连续登录失败 {user.failed_logins} 次，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟。"
        user.save(update_fields=fields)
        audit_record(actor=None, action=AuditAction.LOGIN_FAILED, event="login", obj=user, success=False,
                     place_path=_user_place_path(user), actor_name=user.display_name,
                     detail=f"第 {user.failed_logins} 次失败")
        if "locked_until" in fields:
            audit_record(actor=None, action=AuditAction.LOCKED, event="login", obj=user, success=False,
                         place_path=_user_place_path(user), actor_name=user.display_name, detail=message)
        return message


def locked_message(*, username: str) -> str | None:
    user = User.objects.filter(username=username).only("locked_until").first() or (
        User.objects.filter(phone=username).only("locked_until").first() if username else None
    )
    if user and user.locked_until and user.locked_until > now():
        minutes = max(1, int((user.locked_until - now()).total_seconds() // 60) + 1)
        return f"账号已锁定，请 {minutes} 分钟后再试，或联系管理员解锁。"
    return None


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationFailed("原密码不正确。", code="old_password")
    if old_password == new_password:
        raise ValidationFailed("新密码不能与原密码相同。", code="same_password")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(actor=user, action=AuditAction.PASSWORD, event="password_change", obj=user, place_path=_user_place_path(user))

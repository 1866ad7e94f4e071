"""Account services: creating users, granting and revoking roles at places, logging in (F4, F5)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.timezone import now

from shanzhi.audit.services import AuditAction, audit_record
from shanzhi.core import context
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.core.identity import validate_phone
from shanzhi.core.middleware import client_ip

from .models import RoleAssignment, User
from .roles import ROLE_LEVELS, Perm, Role


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="password_policy")


def _is_system(acting_user: Any) -> bool:
    """``acting_user=None`` is the system itself (demo loader, bootstrap commands, tests' setup)."""
    return acting_user is None


def _require_user_manage(acting_user: Any, path: str | None) -> None:
    """Managing accounts needs Perm.USER_MANAGE at the place (``path``), or anywhere (``None``). Without it the
    answer is NotFound, like any other object outside the user's scope (conventions, "Scope")."""
    if _is_system(acting_user):
        return
    if not getattr(acting_user, "is_authenticated", False):
        raise NotFound()
    allowed = (acting_user.has_perm_anywhere(Perm.USER_MANAGE) if path is None
               else acting_user.has_perm_at(Perm.USER_MANAGE, path))
    if not allowed:
        raise NotFound()


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
    """Create an account. A person doing it needs Perm.USER_MANAGE somewhere (the roles it is then given are
    checked place by place in ``role_assign``)."""
    _require_user_manage(acting_user, None)
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
    """Grant ``role`` at ``place`` (or re-activate it); the role must make sense at that level (a village cadre
    at a village, roles.ROLE_LEVELS), and a person granting it needs Perm.USER_MANAGE at that place."""
    _require_user_manage(acting_user, place.path)
    role_check(role=role, place=place)
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


def role_check(*, role: str, place: Any) -> None:
    """The role exists and may be held at the place's level (roles.ROLE_LEVELS). Forms call it to answer early;
    ``role_assign`` calls it again."""
    if role not in Role.values:
        raise ValidationFailed(f"未知角色：{role}。", code="unknown_role")
    if place.level not in ROLE_LEVELS[role]:
        raise ValidationFailed(f"“{Role(role).label}”不能设在{place.get_level_display()}一级。", code="role_level")


@transaction.atomic
def role_revoke(*, acting_user: Any, assignment: RoleAssignment) -> RoleAssignment:
    """End a role assignment. The row is kept, inactive, so the audit trail still names what the user held
    (domain.md F5); a person revoking needs Perm.USER_MANAGE at the assignment's place."""
    _require_user_manage(acting_user, assignment.place_path)
    locked = RoleAssignment.objects.select_for_update().select_related("user", "place").get(pk=assignment.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(actor=acting_user, action=AuditAction.UPDATE, event="role_revoke", obj=locked,
                     place_path=locked.place_path, before={"is_active": True}, after={"is_active": False},
                     detail=f"{locked.user.username}：{locked.get_role_display()} @ {locked.place.name}")
    assignment.is_active = False
    locked.user.__dict__.pop("_grants_cache", None)
    assignment.user.__dict__.pop("_grants_cache", None)
    return locked


@transaction.atomic
def password_admin_set(*, acting_user: Any, user: User) -> None:
    """An administrator has just set ``user``'s password (Django admin). Someone else knows it now, so it counts
    as an initial password and must be changed at the next login (等保 2.0; as in ``user_create``), unless the
    administrator set their own."""
    _require_user_manage(acting_user, None)
    own = getattr(acting_user, "pk", None) == user.pk
    fields = {"password_changed_at": now(), "must_change_password": settings.FORCE_INITIAL_PASSWORD_CHANGE and not own}
    User.objects.filter(pk=user.pk).update(**fields)
    for name, value in fields.items():
        setattr(user, name, value)
    audit_record(actor=acting_user, action=AuditAction.PASSWORD, event="password_admin_set", obj=user,
                 place_path=_user_place_path(user),
                 detail="管理员修改本人密码" if own else "管理员设置密码，须在下次登录时修改")


def _user_place_path(user: User) -> str:
    first = user.role_assignments.order_by("place_path").values_list("place_path", flat=True).first()
    return first or ""


# --- logging in ------------------------------------------------------------------------------------------


class LoginStatus(enum.StrEnum):
    """How a login attempt ended; the values double as the API's error codes."""

    OK = "ok"
    INVALID = "invalid_credentials"
    LOCKED = "account_locked"
    THROTTLED = "too_many_attempts"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str
    status: LoginStatus

    @property
    def ok(self) -> bool:
        return self.status is LoginStatus.OK


GENERIC_LOGIN_ERROR = "用户名或密码错误。"


def login_attempt(
    *, request: HttpRequest, username: str, password: str, channel: Literal["web", "api"] = "web"
) -> LoginResult:
    """The one login path of the login page and the API token endpoint (F4, 等保 2.0):

    1. a client IP with LOGIN_IP_MAX_FAILURES failures in LOGIN_IP_WINDOW_MINUTES is refused outright
       (password spraying across many accounts never trips a single account's lockout);
    2. a locked account is refused, even with the right password;
    3. otherwise the password is checked; a failure counts toward the account's lockout and the IP's limit;
    4. the API gives no token to an account that still has its initial password (it cannot change it there).

    The caller only starts the session (page) or hands out the token (API)."""
    username = (username or "").strip()
    ip = _login_ip(request)
    if ip and (blocked := _ip_blocked_message(ip)):
        return LoginResult(None, blocked, LoginStatus.THROTTLED)
    if locked := _locked_message(username=username):
        return LoginResult(None, locked, LoginStatus.LOCKED)
    user = authenticate(request, username=username, password=password)
    if user is None:
        message, account_locked = _login_failed(username=username)
        if ip and (blocked := _ip_failure(ip)):
            return LoginResult(None, blocked, LoginStatus.THROTTLED)
        return LoginResult(None, message, LoginStatus.LOCKED if account_locked else LoginStatus.INVALID)
    if channel == "api" and user.must_change_password:
        audit_record(actor=user, action=AuditAction.LOGIN, event="api_token", obj=user, success=False,
                     detail="须先修改初始密码，未发放接口令牌")
        return LoginResult(None, "您的账号须先修改初始密码：请先在网页上登录并修改密码，再申请接口令牌。",
                           LoginStatus.PASSWORD_CHANGE_REQUIRED)
    _login_succeeded(user=user)
    return LoginResult(user, "", LoginStatus.OK)


def _login_ip(request: HttpRequest) -> str | None:
    ctx = context.current()
    return (ctx.ip if ctx else None) or client_ip(request)


# Failed logins per client IP live in Django's cache. With the default local-memory cache (settings.CACHES)
# the count is per process: N worker processes let an address try up to N × LOGIN_IP_MAX_FAILURES times per
# window. That is accepted here; a shared cache (Redis, Memcached) in CACHES makes the limit global.
def _ip_limits() -> tuple[int, int]:
    return settings.LOGIN_IP_MAX_FAILURES, settings.LOGIN_IP_WINDOW_MINUTES


def _ip_keys(ip: str) -> tuple[str, str]:
    return f"shanzhi:login-ip-failures:{ip}", f"shanzhi:login-ip-blocked:{ip}"


def _throttle_message(until: float) -> str:
    minutes = max(1, int((until - now().timestamp()) // 60) + 1)
    return f"尝试次数过多，请 {minutes} 分钟后再试。"


def _ip_blocked_message(ip: str) -> str | None:
    until = cache.get(_ip_keys(ip)[1])
    if until is not None and until > now().timestamp():
        return _throttle_message(until)
    return None


def _ip_failure(ip: str) -> str | None:
    """Count a failure from ``ip`` (window from its first failure); at the limit, block the IP for the window and
    write one audit entry. Returns the message to show if the IP is now blocked."""
    limit, window = _ip_limits()
    failures_key, blocked_key = _ip_keys(ip)
    cache.add(failures_key, 0, timeout=window * 60)
    try:
        count = cache.incr(failures_key)
    except ValueError:  # expired between add and incr
        cache.set(failures_key, 1, timeout=window * 60)
        count = 1
    if count < limit:
        return None
    until = (now() + dt.timedelta(minutes=window)).timestamp()
    if cache.add(blocked_key, until, timeout=window * 60):
        cache.delete(failures_key)
        audit_record(actor=None, action=AuditAction.LOCKED, event="login_ip_blocked", success=False,
                     object_type="client_ip", object_repr=ip,
                     detail=f"{window} 分钟内登录失败 {count} 次，该地址暂停登录 {window} 分钟")
    else:
        until = cache.get(blocked_key) or until
    return _throttle_message(until)


def _mask_username(username: str) -> str:
    """An unknown "username" is often a password typed into the wrong field: keep only a hint of it."""
    return f"{username[:2]}***"


def _find_account(username: str, *, for_update: bool = False) -> User | None:
    if not username:
        return None
    qs = User.objects.select_for_update() if for_update else User.objects.only("locked_until")
    return qs.filter(username=username).first() or qs.filter(phone=username).first()


def _login_succeeded(*, user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now())
        audit_record(actor=user, action=AuditAction.LOGIN, event="login", obj=user, place_path=_user_place_path(user))


def _login_failed(*, username: str) -> tuple[str, bool]:
    """Count a failed attempt; lock after LOGIN_MAX_FAILURES. Returns (message to show, account now locked)."""
    with transaction.atomic():
        user = _find_account(username, for_update=True)
        if user is None:
            audit_record(actor=None, action=AuditAction.LOGIN_FAILED, event="login", success=False,
                         object_type="access.user", object_repr=_mask_username(username), detail="未知账号")
            return GENERIC_LOGIN_ERROR, False
        user.failed_logins += 1
        fields = ["failed_logins"]
        message = GENERIC_LOGIN_ERROR
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
        return message, "locked_until" in fields


def _locked_message(*, username: str) -> str | None:
    user = _find_account(username)
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

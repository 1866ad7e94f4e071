"""Accounts and roles held at places (domain.md F4)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_PERMS, Role


class User(AbstractUser):
    """账号: logs in with username or phone; lockout and forced password change per 等保 2.0."""

    phone = models.CharField(_("手机号"), max_length=11, unique=True, null=True, blank=True)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("对应人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    must_change_password = models.BooleanField(_("须修改初始密码"), default=True)
    failed_logins = models.PositiveIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def grants(self) -> list[tuple[str, frozenset[str], str]]:
        """(role, permissions, place path) for each assignment; cached on the instance per request."""
        cached = getattr(self, "_grants_cache", None)
        if cached is None:
            cached = [
                (a.role, ROLE_PERMS.get(a.role, frozenset()), a.place_path)
                for a in self.role_assignments.filter(is_active=True).only("role", "place_path", "user_id")
            ]
            self._grants_cache = cached
        return cached

    def scope_paths(self, perm: str) -> list[str]:
        """Place paths at which this user holds ``perm``; a superuser holds everything everywhere."""
        if not self.is_active:
            return []
        if self.is_superuser:
            return [""]
        paths = sorted({path for _role, perms, path in self.grants() if perm in perms})
        # Drop paths already covered by a shorter one, so scope filters stay short.
        return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]

    def has_perm_at(self, perm: str, path: str) -> bool:
        return any(path.startswith(p) for p in self.scope_paths(perm))

    def has_perm_anywhere(self, perm: str) -> bool:
        return bool(self.scope_paths(perm))

    def roles(self) -> list[str]:
        return sorted({role for role, _perms, _path in self.grants()})


class RoleAssignment(models.Model):
    """角色任职: a role held at a place; rights reach the place and everything under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("账号"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    place = models.ForeignKey("regions.Place", on_delete=models.PROTECT, verbose_name=_("所在区划"))
    place_path = models.CharField(_("区划路径"), max_length=24, db_index=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色任职")
        verbose_name_plural = _("角色任职")
        constraints = [models.UniqueConstraint(fields=["user", "role", "place"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.place}"

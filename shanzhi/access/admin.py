"""Accounts in the Django admin. Saves are audited like every admin (core.admin.AuditedAdmin); role assignments
and passwords set here go through the access services, so the admin cannot grant a role the pages could not."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.timezone import now
from django.views.decorators.debug import sensitive_post_parameters

from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.admin import AuditedAdmin
from shanzhi.core.errors import ValidationFailed

from . import services
from .models import RoleAssignment, User


def _user_snapshot(user: User) -> dict[str, Any]:
    """A user's fields for the audit trail, without the password hash (a hash is still a secret)."""
    return snapshot(user, [f.attname for f in User._meta.concrete_fields if f.attname != "password"])


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["role", "place", "is_active"]

    def clean(self) -> dict[str, Any]:
        # Answer a role at the wrong level on the form, in the service's words; role_assign checks it again.
        data = super().clean()
        role, place = data.get("role"), data.get("place")
        if role and place and (self.instance.pk is None or {"role", "place"} & set(self.changed_data)):
            try:
                services.role_check(role=role, place=place)
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return data


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    raw_id_fields = ["place"]
    extra = 0
    readonly_fields = ["place_path"]


@admin.register(User)
class ShanzhiUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("善治", {"fields": ["full_name", "phone", "person", "must_change_password", "failed_logins", "locked_until"]}),
    ]
    raw_id_fields = ["person"]
    inlines = [RoleAssignmentInline]

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        # AuditedAdmin's audit would copy the password hash into before/after; this one leaves it out.
        if not change and obj.has_usable_password():
            # A password chosen by an administrator is an initial password (等保 2.0, as in user_create).
            obj.must_change_password = settings.FORCE_INITIAL_PASSWORD_CHANGE
            obj.password_changed_at = now()
        before = _user_snapshot(User.objects.get(pk=obj.pk)) if change and obj.pk else None
        super(AuditedAdmin, self).save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE,
                     event="admin_user_save", obj=obj, before=before, after=_user_snapshot(obj))

    def delete_model(self, request: Any, obj: User) -> None:
        audit_record(actor=request.user, action=AuditAction.DELETE, event="admin_user_delete", obj=obj,
                     before=_user_snapshot(obj))
        super(AuditedAdmin, self).delete_model(request, obj)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Role rows go through role_assign / role_revoke (level check, scope check, audit). A deleted or
        unticked row is revoked, not deleted, so the trail keeps what the user held."""
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        user = form.instance
        formset.save(commit=False)  # sorts the rows into new / changed / deleted; writes nothing
        for row in formset.deleted_objects:
            services.role_revoke(acting_user=request.user, assignment=row)
        for row, changed in formset.changed_objects:
            if {"role", "place"} & set(changed):
                # Another role or place is another assignment: end the old one, grant the new one.
                services.role_revoke(acting_user=request.user, assignment=RoleAssignment.objects.get(pk=row.pk))
                if row.is_active:
                    services.role_assign(acting_user=request.user, user=user, role=row.role, place=row.place)
            elif "is_active" in changed:
                if row.is_active:
                    services.role_assign(acting_user=request.user, user=user, role=row.role, place=row.place)
                else:
                    services.role_revoke(acting_user=request.user, assignment=row)
        for row in formset.new_objects:
            if row.is_active:
                services.role_assign(acting_user=request.user, user=user, role=row.role, place=row.place)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's password form, then password_admin_set (forced change at next login, audited), in one
        transaction."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and user is not None:
                user.refresh_from_db()
                if user.password != before:
                    services.password_admin_set(acting_user=request.user, user=user)
        return response

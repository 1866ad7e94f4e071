"""Django admin edits configuration tables; each save and delete there is audited like a service call."""

from __future__ import annotations

from typing import Any

from django.contrib import admin


class AuditedAdmin(admin.ModelAdmin):
    audit_exclude: tuple[str, ...] = ("password",)  # never copy secrets into the trail

    def _snapshot(self, obj: Any) -> dict[str, Any]:
        from shanzhi.audit.services import snapshot

        return {k: v for k, v in snapshot(obj).items() if k not in self.audit_exclude}

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        from shanzhi.audit.services import AuditAction, audit_record

        before = self._snapshot(form.instance.__class__.objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE,
                     event=f"admin_{obj._meta.model_name}_save", obj=obj, before=before, after=self._snapshot(obj))

    def delete_model(self, request: Any, obj: Any) -> None:
        from shanzhi.audit.services import AuditAction, audit_record

        audit_record(actor=request.user, action=AuditAction.DELETE, event=f"admin_{obj._meta.model_name}_delete", obj=obj,
                     before=self._snapshot(obj))
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only services write (audit entries, history, publications, imports, files, messages):
    the admin may look, never add, change or delete (deletion would bypass the audit trail)."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

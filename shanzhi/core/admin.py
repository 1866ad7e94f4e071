"""Django admin edits configuration tables; each save and delete there is audited like a service call."""

from __future__ import annotations

from typing import Any

from django.contrib import admin


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        from shanzhi.audit.services import AuditAction, audit_record, snapshot

        before = snapshot(form.instance.__class__.objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE,
                     event=f"admin_{obj._meta.model_name}_save", obj=obj, before=before, after=snapshot(obj))

    def delete_model(self, request: Any, obj: Any) -> None:
        from shanzhi.audit.services import AuditAction, audit_record, snapshot

        audit_record(actor=request.user, action=AuditAction.DELETE, event=f"admin_{obj._meta.model_name}_delete", obj=obj,
                     before=snapshot(obj))
        super().delete_model(request, obj)

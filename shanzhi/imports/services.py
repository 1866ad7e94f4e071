"""Importing households and persons from Excel (domain.md F2, F8).

All or nothing: the whole file is checked first (``imports.people``); if any row is bad, nothing is
written and the job lists every bad row. Otherwise one transaction writes every household and person
through the registry's own services (``household_create``, ``person_create``, ``person_update``), so
an imported person is checked, historied and audited exactly like one typed in by hand.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from shanzhi.access.roles import Perm
from shanzhi.audit.services import AuditAction, audit_record, snapshot
from shanzhi.core.errors import NotFound, ValidationFailed
from shanzhi.people.services import PERSON_FIELDS, household_create, person_create, person_update

from .choices import ImportKind, ImportStatus
from .models import ImportJob
from .people import COLUMN_BY_KEY, FileRejected, ImportPlan, Issue, error_column, plan_people_import


class _RowFailed(Exception):
    """A registry service refused a row after the check passed (a concurrent change): roll back."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class _Counts:
    households_created: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0


def _file_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return "".join(ch for ch in base if ch.isprintable())[:200] or "未命名.xlsx"


def _read(upload: Any) -> tuple[bytes | None, str, int]:
    """(content, sha256, size); content is None when the file is over the limit (it is hashed, not kept)."""
    hasher = hashlib.sha256()
    limit = settings.IMPORT_MAX_BYTES
    parts: list[bytes] = []
    size = 0
    for chunk in upload.chunks():
        hasher.update(chunk)
        size += len(chunk)
        if size <= limit:
            parts.append(chunk)
    return (b"".join(parts) if size <= limit else None), hasher.hexdigest(), size


def people_import(*, acting_user: Any, upload: Any) -> ImportJob:
    """Import households and persons from an uploaded xlsx (the template of ``people_template``).

    Upsert by 公民身份号码: a registered person is updated with the cells the row fills, a new one is
    created in the household the row names (an existing 户编号, the household of an existing head, or a
    new household). Returns the job; its status says whether anything was written."""
    if acting_user is None or not acting_user.has_perm_anywhere(Perm.PEOPLE_IMPORT):
        raise NotFound()
    name = _file_name(getattr(upload, "name", ""))
    content, sha256, size = _read(upload)

    def new_job(**counts: Any) -> ImportJob:
        return ImportJob(kind=ImportKind.PEOPLE, created_by=acting_user, file_name=name, file_size=size, sha256=sha256,
                         **counts)

    job = new_job()
    if content is None:
        limit_mb = settings.IMPORT_MAX_BYTES / 1024 / 1024
        return _reject(job, [Issue(None, "", f"文件过大（{size / 1024 / 1024:.1f} MB），导入文件不能超过 {limit_mb:.0f} MB。")])
    try:
        plan = plan_people_import(user=acting_user, content=content)
    except FileRejected as exc:
        return _reject(job, [Issue(None, "", exc.message)])
    job.row_count = plan.row_count
    job.place_path = plan.place_path
    if plan.issues:
        return _reject(job, plan.issues)
    try:
        with transaction.atomic():
            counts = _write(plan, acting_user)
            job.status = ImportStatus.IMPORTED
            job.households_created = counts.households_created
            job.persons_created = counts.persons_created
            job.persons_updated = counts.persons_updated
            job.persons_unchanged = counts.persons_unchanged
            job.save()
            audit_record(actor=acting_user, action=AuditAction.IMPORT, event="people_import", obj=job,
                         after=snapshot(job, ["file_name", "sha256", "row_count", "households_created",
                                              "persons_created", "persons_updated", "persons_unchanged"]))
    except _RowFailed as exc:
        return _reject(new_job(row_count=plan.row_count, place_path=plan.place_path), [exc.issue])
    return job


def _write(plan: ImportPlan, acting_user: Any) -> _Counts:
    counts = _Counts()
    for household_plan in plan.households:
        household = household_plan.existing
        if household is None:
            assert household_plan.place is not None
            try:
                household = household_create(acting_user=acting_user, place=household_plan.place,
                                             address=household_plan.address, group=household_plan.group,
                                             number=household_plan.number)
            except ValidationFailed as exc:
                raise _RowFailed(Issue(household_plan.rows[0].row, COLUMN_BY_KEY["household_number"].header, exc.message))
            counts.households_created += 1
        for row in household_plan.write_order():
            try:
                if row.person is None:
                    person_create(acting_user=acting_user, household=household, data=row.create_data())
                    counts.persons_created += 1
                    continue
                before = snapshot(row.person, PERSON_FIELDS)
                person = person_update(acting_user=acting_user, person=row.person, data=row.update_data())
                if snapshot(person, PERSON_FIELDS) == before:
                    counts.persons_unchanged += 1
                else:
                    counts.persons_updated += 1
            except ValidationFailed as exc:
                column = error_column(exc)
                raise _RowFailed(Issue(row.row, COLUMN_BY_KEY[column].header if column else "", exc.message))
    return counts


@transaction.atomic
def _reject(job: ImportJob, issues: list[Issue]) -> ImportJob:
    """Record a refused import (nothing was written) and audit it as a failed import."""
    job.status = ImportStatus.REJECTED
    job.errors = [i.as_dict() for i in issues]
    job.error_count = len(issues)
    job.save()
    audit_record(actor=job.created_by, action=AuditAction.IMPORT, event="people_import", obj=job, success=False,
                 detail=f"{job.error_count} 处错误，未导入。首个：{issues[0].message}"[:500],
                 after={"file_name": job.file_name, "sha256": job.sha256, "row_count": job.row_count})
    return job

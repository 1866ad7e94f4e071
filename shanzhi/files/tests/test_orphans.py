"""The orphaned-upload sweep (F8): stored files no attachment references are deleted after a day; files that
rows reference (original or public variant) and young files (an upload still in flight) are kept."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from shanzhi.core import periodic
from shanzhi.files.models import Attachment
from shanzhi.files.services import attachment_create, orphan_files_sweep, public_image
from shanzhi.files.tasks import sweep_orphan_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 10)).save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue())


def age(media, name: str, days: float) -> None:
    when = (timezone.now() - dt.timedelta(days=days)).timestamp()
    os.utime(media / name, (when, when))


def test_orphans_older_than_a_day_are_deleted(media, tree):
    storage = Attachment._meta.get_field("file").storage
    kept = attachment_create(acting_user=None, file=jpeg(), place_path=tree.v1.path)
    public_image(kept)
    kept.refresh_from_db()
    # An upload whose transaction rolled back after the file was written leaves the file behind.
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = attachment_create(acting_user=None, file=jpeg(), place_path=tree.v1.path)
        raise RuntimeError("the surrounding service failed")
    assert not Attachment.objects.filter(pk=lost.pk).exists() and storage.exists(lost.file.name)
    young = storage.save("attachments/2026/11/22/young.jpg", ContentFile(b"in flight"))
    for name in (kept.file.name, kept.public_file.name, lost.file.name):
        age(media, name, 3)

    assert orphan_files_sweep() == 1
    assert not storage.exists(lost.file.name)
    assert storage.exists(kept.file.name) and storage.exists(kept.public_file.name) and storage.exists(young)
    assert orphan_files_sweep() == 0  # idempotent
    # A day later the young orphan goes too; the referenced files never do.
    assert orphan_files_sweep(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert not storage.exists(young) and storage.exists(kept.file.name)


def test_sweep_without_stored_files_and_as_a_periodic_task(media):
    assert orphan_files_sweep() == 0
    assert sweep_orphan_files.call() == 0
    assert "shanzhi.files.tasks.sweep_orphan_files" in [p.name for p in periodic.registered()]

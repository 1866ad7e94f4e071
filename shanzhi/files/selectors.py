"""Reads of attachments. An attachment is seen by whoever uploaded it, by staff whose scope covers its place,
and — for records whose app registers who may see them (``register_owner``) — by whoever may see the record it
is attached to (an event's photos: the handling county department, the reporter following it); everyone else
gets "not found"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse

from shanzhi.access.roles import Perm
from shanzhi.core.errors import NotFound

from .choices import AttachmentKind
from .models import Attachment

# Attachments are mostly evidence about people (photos of a dispute, a household's papers), so the
# kernel shows them to those who may see the registry there. Domain apps with narrower rules serve
# their attachments through their own views.
VIEW_PERM = Perm.PEOPLE_VIEW
PUBLIC_SALT = "shanzhi.files.public"

# "app_label.ModelName" → a function giving the records of that model ``user`` may see (the app's own selector).
_owners: dict[str, Callable[[Any], QuerySet]] = {}


def register_owner(model: str, visible: Callable[[Any], QuerySet]) -> None:
    """Let whoever may see a record of ``model`` also see its attachments. Called from the app's
    ``AppConfig.ready`` with its scoped selector, e.g. ``register_owner("events.Event", lambda u: ...)``; the
    kernel stays ignorant of the domain's rules."""
    _owners[model.lower()] = visible


def _owner_q(user: Any) -> models.Q:
    q = models.Q(pk__in=[])
    for label, visible in _owners.items():
        model = apps.get_model(label)
        q |= models.Q(object_type=ContentType.objects.get_for_model(model),
                      object_id__in=visible(user).values("pk"))
    return q


def attachments_visible(*, user: Any) -> QuerySet[Attachment]:
    if not getattr(user, "is_authenticated", False):
        return Attachment.objects.none()
    return (Attachment.objects.visible_to(user, VIEW_PERM) | Attachment.objects.filter(uploaded_by=user)
            | Attachment.objects.filter(_owner_q(user)))


def attachment_detail(*, user: Any, pk: int) -> Attachment:
    try:
        return attachments_visible(user=user).get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound()


def attachment_list(*, user: Any, obj: models.Model) -> QuerySet[Attachment]:
    """The attachments of one record that ``user`` may see, oldest first."""
    return attachments_visible(user=user).filter(
        object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("created_at", "id")


def public_url(attachment: Attachment) -> str:
    """A link to the EXIF-stripped image for public pages. The link is signed, so only pages that
    publish it can hand it out; attachment numbers cannot be guessed into public images."""
    if attachment.kind != AttachmentKind.IMAGE:
        raise ValueError("only images have a public variant")
    token = signing.Signer(salt=PUBLIC_SALT).sign(str(attachment.pk))
    return reverse("attachment_public", args=[token])


def public_attachment(token: str) -> Attachment:
    try:
        pk = int(signing.Signer(salt=PUBLIC_SALT).unsign(token))
        return Attachment.objects.get(pk=pk, kind=AttachmentKind.IMAGE)
    except (signing.BadSignature, ValueError, Attachment.DoesNotExist):
        raise NotFound()

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("图片")
    DOCUMENT = "document", _("文档")

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse

from . import selectors
from .services import public_image


@login_required
def attachment_view(request: HttpRequest, pk: int) -> FileResponse:
    """The original file, to the uploader and to staff in scope (404 for anyone else)."""
    attachment = selectors.attachment_detail(user=request.user, pk=pk)
    disposition = "attachment" if request.GET.get("download") else "inline"
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.mime_type)
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(attachment.original_name)}"
    response["Cache-Control"] = "private, max-age=3600"
    if attachment.is_image:
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def attachment_public(request: HttpRequest, token: str) -> HttpResponse:
    """The EXIF-stripped image behind a signed public link (public pages, no login)."""
    attachment = selectors.public_attachment(token)
    response = HttpResponse(public_image(attachment), content_type=attachment.mime_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=86400"
    return response

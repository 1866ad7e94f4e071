"""The printable notice (公示单) for the physical board (公示栏): A4, Chinese fonts embedded (WeasyPrint
embeds the subset of Noto Sans CJK it uses), the table, the period, how to object, a QR code to the
online copy and the content fingerprint (domain.md F7)."""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import qrcode
import qrcode.image.svg
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.timezone import localtime

from .models import Publication

logger = logging.getLogger(__name__)


def qr_svg_data_uri(url: str) -> str:
    """The QR code as an inline SVG (vector, sharp at any print size), as a data: URI for <img>."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(url)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def committee_name(village_name: str, level: str = "village") -> str:
    """东坡村 → 东坡村村民委员会; 城关社区 → 城关社区居民委员会; a township's or county's own board: 克井镇 →
    克井镇人民政府, 天坛街道 → 天坛街道办事处."""
    if level != "village":
        return f"{village_name}办事处" if village_name.endswith("街道") else f"{village_name}人民政府"
    return f"{village_name}居民委员会" if village_name.endswith("社区") else f"{village_name}村民委员会"


def notice_html(publication: Publication) -> str:
    url = publication.get_public_url()
    return render_to_string("publication/notice_pdf.html", {
        "p": publication, "c": publication.content, "public_url": url, "qr": qr_svg_data_uri(url),
        "committee": committee_name(publication.village.name, publication.village.level),
        "published_on": localtime(publication.published_at).date(),
    })


def data_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs only: whatever ends up in the notice (a crafted
    cell, a future template change), rendering never makes the server fetch a URL or read a local file."""
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"refused to fetch {url[:80]!r}: the notice may only use data: URLs")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols={"data"}, allow_redirects=False)


def notice_pdf(publication: Publication) -> bytes:
    """Render the notice (about half a second: use ``notice_pdf_cached`` for requests)."""
    from weasyprint import HTML  # imported late: loading Pango is slow and only the PDF needs it

    return HTML(string=notice_html(publication), url_fetcher=data_only_fetcher()).write_pdf()


def notice_storage_name(publication: Publication) -> str:
    """Where the rendered notice is kept. The content behind the fingerprint never changes; the public id
    is part of the name because a publication republished with identical content has the same fingerprint
    but its own QR code, contact and date."""
    return f"notices/{publication.fingerprint}-{publication.public_id}.pdf"


def notice_pdf_cached(publication: Publication) -> bytes:
    """The notice, rendered once and then read from the default storage (the public download is anonymous,
    so it must not cost a WeasyPrint render per request). Callers decide whether it may be served
    (withdrawn or superseded publications have no notice)."""
    name = notice_storage_name(publication)
    stored = default_storage.exists(name)
    if stored:
        with default_storage.open(name, "rb") as f:
            cached = f.read()
        if cached.rstrip().endswith(b"%%EOF"):  # complete (not cut short, nor still being written)
            return cached
    data = notice_pdf(publication)
    try:
        if stored:
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent first request stored it meanwhile: keep one copy
            default_storage.delete(saved)
    except OSError:
        logger.exception("could not store the notice %s", name)
    return data

"""The printable notice (公示单) for the physical board (公示栏): A4, Chinese fonts embedded (WeasyPrint
embeds the subset of Noto Sans CJK it uses), the table, the period, how to object, a QR code to the
online copy and the content fingerprint (domain.md F7)."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from django.utils.timezone import localtime

from .models import Publication


def qr_svg_data_uri(url: str) -> str:
    """The QR code as an inline SVG (vector, sharp at any print size), as a data: URI for <img>."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(url)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def committee_name(village_name: str) -> str:
    """东坡村 → 东坡村村民委员会; 城关社区 → 城关社区居民委员会."""
    return f"{village_name}居民委员会" if village_name.endswith("社区") else f"{village_name}村民委员会"


def notice_html(publication: Publication) -> str:
    url = publication.get_public_url()
    return render_to_string("publication/notice_pdf.html", {
        "p": publication, "c": publication.content, "public_url": url, "qr": qr_svg_data_uri(url),
        "committee": committee_name(publication.village.name),
        "published_on": localtime(publication.published_at).date(),
    })


def notice_pdf(publication: Publication) -> bytes:
    from weasyprint import HTML  # imported late: loading Pango is slow and only the PDF needs it

    return HTML(string=notice_html(publication)).write_pdf()

"""The printable service card of a village affairs assistant (服务卡, domain.md G6) as a PDF: A6, Chinese text in
Noto Sans CJK embedded by WeasyPrint, the QR code as an inline SVG. Rendering fetches nothing but ``data:`` URLs
(the publication kernel's fetcher), so nothing on the card can make the server read a URL or a local file."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def card_html(data: dict[str, Any]) -> str:
    return render_to_string("grid/assistants/card_pdf.html", data)


def card_pdf(data: dict[str, Any]) -> bytes:
    """About half a second (Pango loads on first use); staff download it to print, so it is not cached."""
    from weasyprint import HTML  # imported late: loading Pango is slow and only the PDF needs it

    from shanzhi.publication.pdf import data_only_fetcher

    return HTML(string=card_html(data), url_fetcher=data_only_fetcher()).write_pdf()

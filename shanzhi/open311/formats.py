"""The two output formats of GeoReport v2: XML (required; schemaless, no namespace, UTF-8 declaration) and JSON
(the Spark convention: the XML's repeated elements become arrays, so a list answers a bare JSON array), and the
spec's error document in both (``<errors><error><code/><description/></error></errors>``)."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 (building, never parsing)

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The element name of one item of each list (the spec's ⇊ / ↴ pairs).
ITEM = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


# Characters XML 1.0 cannot carry at all (a pasted control character must not break the whole document).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else XML_INVALID.sub("", str(value))


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for name, child in value.items():
            element.append(_element(name, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(ITEM[tag], child))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, value: Any) -> bytes:
    body = ET.tostring(_element(root, value), encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def render(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """``value`` is what the JSON holds; ``root`` names the XML document element (``services``, ``service_requests``,
    ``service_definition``, ``discovery``, ``errors``)."""
    content = json.dumps(value, ensure_ascii=False).encode("utf-8") if fmt == "json" else to_xml(root, value)
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))
    response["Cache-Control"] = "no-store"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error document: the HTTP status as the code, the description written for the person."""
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)

"""Public pages (no login, domain.md F7): a publication, its fingerprint check, the objection form, the
printable notice, the receipt of an objection, and a village's board. Only masked content is shown."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from shanzhi.core.errors import NotFound, ValidationFailed

from . import selectors, services
from .fingerprint import FINGERPRINT_RE, FORMAT_VERSION, normalise
from .models import Publication
from .pdf import committee_name, notice_pdf_cached

HOW_TO_VERIFY = ("fingerprint = SHA-256 (lowercase hex) of the UTF-8 bytes of `canonical`, a JSON object with "
                 "sorted keys and no whitespace. Example: curl -s <this url> | jq -j .canonical | sha256sum")


def verify(publication: Publication, value: str) -> dict[str, Any]:
    """Compare a fingerprint someone typed or pasted (from the paper notice) with this publication's."""
    given = normalise(value)
    if not FINGERPRINT_RE.match(given):
        return {"state": "invalid", "given": value[:100]}
    if not publication.integrity_ok():
        return {"state": "tampered", "given": given}
    return {"state": "match" if given == publication.fingerprint else "mismatch", "given": given}


def _context(publication: Publication, **extra: Any) -> dict[str, Any]:
    return {"p": publication, "committee": committee_name(publication.village.name, publication.village.level),
            "superseded_by": selectors.superseding(publication) if not publication.is_live else None,
            "replies_public": selectors.replies_public(publication), "answers": selectors.public_answers(publication),
            "row_refs": selectors.row_refs(publication), **extra}


@require_http_methods(["GET", "POST"])
def public_page(request: HttpRequest, public_id: str) -> HttpResponse:
    publication = selectors.public_publication(public_id=public_id)
    result = verify(publication, request.GET["fp"]) if "fp" in request.GET else None
    form = {"name": "", "phone": "", "text": ""}
    about = (request.GET.get("about") or "").strip()[:40]
    if about and selectors.replies_public(publication):  # "question this row": the question names the row
        form["text"] = f"关于 {about}："
    error = ""
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            objection = services.objection_file(acting_user=request.user, publication=publication, **form)
        except ValidationFailed as exc:
            error = exc.message
        else:
            return redirect("publication_objection_receipt", public_id=publication.public_id, receipt=objection.receipt)
    return render(request, "publication/public.html", _context(publication, verify=result, form=form, error=error),
                  status=400 if error else 200)


@require_GET
def verify_json(request: HttpRequest, public_id: str) -> JsonResponse:
    """The canonical content and its fingerprint, so anyone can recompute it with their own tools."""
    p = selectors.public_publication(public_id=public_id)
    data: dict[str, Any] = {
        "public_id": p.public_id, "status": p.status, "phase": p.phase(), "algorithm": "SHA-256",
        "format_version": FORMAT_VERSION, "fingerprint": p.fingerprint, "integrity_ok": p.integrity_ok(),
        "how_to_verify": HOW_TO_VERIFY,
        "canonical": p.canonical_text if p.is_live else None,
        "content": p.content if p.is_live else None,
    }
    if "fp" in request.GET:
        data["match"] = verify(p, request.GET["fp"])["state"] == "match"
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
def notice(request: HttpRequest, public_id: str) -> HttpResponse:
    publication = selectors.public_publication(public_id=public_id)
    if not publication.is_live:
        raise NotFound(f"该公示{publication.get_status_display()}，不再提供公示单。")
    response = HttpResponse(notice_pdf_cached(publication), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"公示-{publication.public_id}.pdf")
    return response


@require_GET
def objection_receipt(request: HttpRequest, public_id: str, receipt: str) -> HttpResponse:
    publication = selectors.public_publication(public_id=public_id)
    objection = selectors.public_objection(publication=publication, receipt=receipt)
    return render(request, "publication/public_receipt.html", _context(publication, objection=objection))


@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    village = selectors.board_village(code=code)
    return render(request, "publication/board.html", {"village": village, "committee": committee_name(village.name, village.level),
                                                      "board": selectors.board_publications(village=village)})

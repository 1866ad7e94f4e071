"""The fingerprint of a publication (domain.md F7): anyone can check that what is online is what was posted.

Canonical serialisation, version 1 — the UTF-8 bytes of the JSON object

    {"v": 1, "kind": ..., "title": ..., "place": <place code>, "place_name": ...,
     "starts_on": "YYYY-MM-DD", "ends_on": "YYYY-MM-DD", "columns": [<label>, ...], "rows": [[<cell>, ...], ...]}

written with keys sorted, no whitespace (separators "," and ":"), non-ASCII characters as themselves
(not ``\\u`` escapes), every cell a string. The fingerprint is the lowercase hex SHA-256 of those bytes.
``/p/<public id>/verify.json`` returns the canonical text, so
``curl -s …/verify.json | jq -j .canonical | sha256sum`` recomputes it without trusting this code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

FORMAT_VERSION = 1
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def canonical_content(
    *, kind: str, title: str, place_code: str, place_name: str, starts_on: dt.date, ends_on: dt.date,
    columns: list[str], rows: list[list[str]],
) -> dict[str, Any]:
    return {
        "v": FORMAT_VERSION, "kind": kind, "title": title, "place": place_code, "place_name": place_name,
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "columns": [str(c) for c in columns], "rows": [[str(c) for c in row] for row in rows],
    }


def canonical_text(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(value: str) -> str:
    """What a person pastes or types: spaces, line breaks and dashes dropped, case ignored."""
    return re.sub(r"[\s\-–—_:：]", "", value or "").lower()


def grouped(fingerprint: str, size: int = 8) -> str:
    """64 hex digits in groups of 8, easier to compare by eye on the paper notice."""
    return " ".join(fingerprint[i : i + size] for i in range(0, len(fingerprint), size))

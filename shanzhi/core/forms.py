"""Parsing what forms post, with the platform's Chinese messages."""

from __future__ import annotations

import datetime as dt

from .errors import ValidationFailed


def parse_date(value: str | None, label: str, *, required: bool = True) -> dt.date | None:
    """A 年-月-日 date from a form field; empty is None unless ``required``."""
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed(f"请填写{label}。")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{label}“{value}”格式不正确，应为 年-月-日。")


def parse_pk(value: object) -> int:
    """A row id from a form or query field; anything that is not a positive integer becomes 0, which matches no
    row, so a tampered field gives "not found" instead of a server error."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return 0
    return int(text)

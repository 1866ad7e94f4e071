"""Pinyin keys for search: 张三 → full "zhangsan", initials "zs" (issue #2, F1/F2 search)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials) without tones or spaces, lower case; phrases read in context (重庆 → cq)."""
    syllables = [s.lower() for s in lazy_pinyin(text or "", style=Style.NORMAL, errors="default")]
    full = "".join(ch for s in syllables for ch in s if ch.isalnum())
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum())
    return full, initials


def search_key(query: str) -> str:
    return "".join(ch for ch in (query or "").strip().lower() if ch.isalnum())

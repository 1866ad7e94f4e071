"""Anonymising text for the library of exemplary cases (domain.md M7: "anonymised") and article numerals.

An exemplary case must not name the parties nor carry identity or phone numbers: ``anonymise`` replaces each
given name (a party of the mediation case) by 甲方/乙方/丙方…, masks 18-digit identity numbers and mobile
numbers; ``identifying_text`` finds what is left, so a hand-written case with an ID or phone number in it is
refused rather than kept."""

from __future__ import annotations

import re
from collections.abc import Sequence

# 18-digit identity numbers, and the 15-digit ones issued before 1999 (two-digit year, no check digit).
ID_RE = re.compile(r"(?<![0-9])(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{2}[0-9]{3}[0-9Xx]"
                   r"|[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})(?![0-9Xx])")
# Mobile numbers as people write them: 13812345678, 138-1234-5678, 138 1234 5678, +86 138…, 86138….
PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}(?![0-9])")
PARTY_LABELS = "甲乙丙丁戊己庚辛壬癸"
DIGITS = "零一二三四五六七八九"


def party_label(index: int) -> str:
    return f"{PARTY_LABELS[index]}方" if index < len(PARTY_LABELS) else f"当事人{index + 1}"


def anonymise(text: str, names: Sequence[str] = ()) -> str:
    """The text with each of ``names`` (longest first, so 张三丰 is not left as 甲方丰) replaced by its party
    label in the order given, identity numbers and mobile numbers masked out."""
    labels = {name: party_label(i) for i, name in enumerate(dict.fromkeys(n.strip() for n in names if n.strip()))}
    for name in sorted(labels, key=len, reverse=True):
        text = text.replace(name, labels[name])
    text = ID_RE.sub("[身份证号已隐去]", text)
    return PHONE_RE.sub("[电话已隐去]", text)


def identifying_text(text: str) -> str:
    """The first identity number or mobile number found in ``text``, else ""."""
    found = ID_RE.search(text) or PHONE_RE.search(text)
    return found.group(0) if found else ""


def chinese_numeral(n: int) -> str:
    """Article numbers as the statutes write them: 1 → 一, 10 → 十, 17 → 十七, 105 → 一百零五, 1260 → 一千二百六十."""
    if n <= 0:
        return str(n)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    out = ""
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    zero = False
    for value, unit in units:
        digit = (n // value) % 10
        if n < value:
            continue
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + unit
    return out

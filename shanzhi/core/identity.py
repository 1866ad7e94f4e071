"""公民身份号码 (GB 11643-1999) and mobile-phone checks, and the masks of domain.md F7.

Identity number: 6-digit area code, 8-digit birth date, 3-digit sequence (odd = male, even =
female), check character ``"10X98765432"[sum(d_i * w_i) % 11]`` with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class Sex:
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class IdentityFacts:
    number: str
    area_code: str
    birth_date: dt.date
    sex: str


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdentityFacts:
    """Validate an identity number and derive birth date and sex; raise ValidationFailed in Chinese."""
    number = normalise_id_number(value)
    if not number:
        raise ValidationFailed("身份证号不能为空。", code="id_number_required")
    if not _ID_RE.match(number):
        raise ValidationFailed("身份证号应为18位：前17位为数字，最后一位为数字或X。", code="id_number_format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(f"身份证号中的出生日期 {number[6:14]} 不是有效日期。", code="id_number_birth")
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise ValidationFailed(f"身份证号中的出生日期 {birth:%Y-%m-%d} 不合理。", code="id_number_birth")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationFailed("身份证号校验码错误，请核对后重新输入。", code="id_number_checksum")
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return IdentityFacts(number=number, area_code=number[:6], birth_date=birth, sex=sex)


def cross_check(facts: IdentityFacts, *, birth_date: dt.date | None, sex: str | None) -> None:
    """A birth date or sex typed beside the number must agree with what the number says."""
    if birth_date and birth_date != facts.birth_date:
        raise ValidationFailed(
            f"出生日期 {birth_date:%Y-%m-%d} 与身份证号中的 {facts.birth_date:%Y-%m-%d} 不一致。", code="birth_mismatch"
        )
    if sex and sex != facts.sex:
        raise ValidationFailed("性别与身份证号第17位（奇数为男，偶数为女）不一致。", code="sex_mismatch")


def make_id_number(area_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): area, birth date, 3-digit sequence, check."""
    first17 = f"{area_code[:6]}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def validate_phone(value: str) -> str:
    phone = normalise_phone(value)
    if not _PHONE_RE.match(phone):
        raise ValidationFailed("手机号应为11位、以1开头的中国大陆手机号码。", code="phone_format")
    return phone


def mask_id_number(value: str | None) -> str:
    """6 + 8 stars + 4 (domain.md F7)."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """3 + 4 stars + 4."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname (first character) stays."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)

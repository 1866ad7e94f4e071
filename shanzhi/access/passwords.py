"""Password policy of 等保 2.0 level 3 practice: length and character classes are settings."""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class ComplexityValidator:
    def validate(self, password: str, user: Any = None) -> None:
        min_len = settings.PASSWORD_MIN_LENGTH
        min_classes = settings.PASSWORD_MIN_CLASSES
        if len(password) < min_len:
            raise ValidationError(f"密码至少需要 {min_len} 个字符。", code="password_too_short")
        if character_classes(password) < min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {min_classes} 类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return (
            f"至少 {settings.PASSWORD_MIN_LENGTH} 个字符，包含大写字母、小写字母、数字、符号中的至少 "
            f"{settings.PASSWORD_MIN_CLASSES} 类。"
        )

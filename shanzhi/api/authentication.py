"""Token authentication with the account rules of the login page: tokens expire after
API_TOKEN_TTL_HOURS (default 7 days), and a locked or deactivated account's token stops working."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.timezone import now
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expired(token: Any) -> bool:
    return token.created < now() - dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("令牌已过期，请重新获取。")
        if user.locked_until and user.locked_until > now():
            raise exceptions.AuthenticationFailed("账号已锁定，令牌暂不可用。")
        return user, token


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "shanzhi.api.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token-based authentication: `Authorization: Token <key>` (see docs/api.md)."}

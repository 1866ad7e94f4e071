from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User


class UsernameOrPhoneBackend(ModelBackend):
    """Log in with username or phone number (issue #2, F4)."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> User | None:
        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(phone=username)).first()
        if user is None:
            User().set_password(password)  # same work either way, so timing does not tell
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

"""Sending SMS (domain.md F8). ``settings.SMS_BACKEND`` names the backend class; a deployment plugs
in its provider (运营商短信网关, a cloud SMS service) by subclassing ``SmsBackend``."""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from shanzhi.core.identity import mask_phone

logger = logging.getLogger("shanzhi.sms")


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str


class SmsBackend(abc.ABC):
    """One method: send ``text`` to ``phone`` (11 digits) or raise. Called after the commit that caused it."""

    @abc.abstractmethod
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend(SmsBackend):
    """Writes each SMS to the log (phone masked) and keeps the latest ones in ``outbox`` for tests and demos."""

    outbox: ClassVar[list[Sms]] = []
    OUTBOX_LIMIT = 1000

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        self.outbox.append(Sms(phone=phone, text=text))
        del self.outbox[: -self.OUTBOX_LIMIT]


@lru_cache(maxsize=4)
def _backend_class(path: str) -> type[SmsBackend]:
    cls = import_string(path)
    if not (isinstance(cls, type) and issubclass(cls, SmsBackend)):
        raise TypeError(f"{path} is not an SmsBackend")
    return cls


def get_backend() -> SmsBackend:
    return _backend_class(settings.SMS_BACKEND)()

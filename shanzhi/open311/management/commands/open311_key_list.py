from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from shanzhi.open311.selectors import api_key_list


class Command(BaseCommand):
    help = (
        "List the Open311 API keys: id, prefix, client system, account, created and revoked (never the key)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = list(api_key_list())
        if not keys:
            self.stdout.write("还没有 Open311 接口密钥。")
            return
        for key in keys:
            state = (
                f"已吊销 {timezone.localtime(key.revoked_at):%Y-%m-%d %H:%M}" if key.revoked_at else "有效"
            )
            self.stdout.write(
                f"{key.pk}\t{key.prefix}…\t{key.name}\t{key.user.username}\t"
                f"{timezone.localtime(key.created_at):%Y-%m-%d %H:%M}\t{state}"
            )

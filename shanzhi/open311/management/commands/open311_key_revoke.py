from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ApplicationError
from shanzhi.open311.models import ApiKey
from shanzhi.open311.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an Open311 API key by its id or its prefix (see open311_key_list); every call with it then answers 403."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("key", help="the key's id or prefix (o311_…)")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["key"].strip().rstrip("…")
        matches = list(
            ApiKey.objects.filter(pk=int(ref)) if ref.isdigit() else ApiKey.objects.filter(prefix=ref)
        )
        if len(matches) != 1:
            raise CommandError(f"没有找到唯一的密钥“{ref}”；请用 open311_key_list 查看编号。")
        try:
            key = api_key_revoke(acting_user=None, key=matches[0])
        except ApplicationError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"已吊销“{key.name}”的接口密钥（{key.prefix}…）。")

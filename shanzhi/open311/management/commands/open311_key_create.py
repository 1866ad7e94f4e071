from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shanzhi.access.models import User
from shanzhi.core.errors import ApplicationError
from shanzhi.open311.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an Open311 API key for a client system, acting as a Shanzhi account (its roles decide where it "
        "may report and what it may read). The key is printed once; only its digest is kept."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="username of the account the client acts as")
        parser.add_argument("--name", required=True, help="name of the client system, e.g. 12345热线")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"没有用户名为“{options['user']}”的账号。")
        try:
            key, raw = api_key_create(acting_user=None, user=user, name=options["name"])
        except ApplicationError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            f"已为“{key.name}”创建 Open311 接口密钥（编号 {key.pk}，代表账号 {user.username}）："
        )
        self.stdout.write(raw)
        self.stdout.write("密钥只显示这一次，请立即交给客户端系统保存；平台只保存其摘要。")

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand

from shanzhi.demo.services import demo_accounts


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo accounts: username, role, place and the shared demo password."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_accounts()
        if not rows:
            self.stdout.write("没有演示账号：请先运行 `shanzhi demo`。")
            return
        header = ["用户名", "角色", "所在区划", "姓名", "密码"]
        table = [[r["username"], r["role"], r["place"], r["full_name"], r["password"]] for r in rows]
        widths = [max(_width(row[i]) for row in [header, *table]) for i in range(len(header))]
        for row in [header, ["-" * w for w in widths], *table]:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write("演示账号共用上表密码（除非已自行修改）；仅用于演示，切勿用于生产。")

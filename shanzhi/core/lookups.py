"""``field__prefix="x"``: "starts with x" written as the range ``field >= 'x' AND field < succ('x')``.

Django's ``startswith`` becomes ``LIKE 'x%'``: on SQLite that LIKE is case-insensitive and cannot use the
index, and on PostgreSQL the pattern index cannot give ``ORDER BY`` order, so scope filters over 730,000
persons walked whole tables (benchmarks/README.md). Place paths hold digits and the capital markers Z/W,
search keys digits and lower-case letters; within each alphabet the range is exact under any collation.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Lookup


def successor(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix``; None when there is none."""
    head = prefix.rstrip("Zz")
    if not head:
        return None
    last = head[-1]
    if last != "9":
        return head[:-1] + chr(ord(last) + 1)
    return head[:-1] + ("a" if any(c.islower() for c in prefix) else "A")


@CharField.register_lookup
class Prefix(Lookup):
    lookup_name = "prefix"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        upper = successor(prefix)
        if not prefix:
            return "1=1", []
        if upper is None:
            return f"{lhs} >= %s", [*lhs_params, prefix]
        return f"{lhs} >= %s AND {lhs} < %s", [*lhs_params, prefix, *lhs_params, upper]

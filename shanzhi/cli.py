"""The ``shanzhi`` command: Django's management commands under the project's settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "shanzhi", *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""The `lectern` command: Django's management commands, with Lectern's own among them.

`lectern serve`, `lectern token`, `lectern demo`, `lectern check-seats`, and every other
Django command (`lectern migrate`, `lectern createsuperuser`...). Hyphens and underscores
in a command's name are the same.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["lectern", *args])


if __name__ == "__main__":
    main()

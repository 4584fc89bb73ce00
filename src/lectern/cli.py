"""The `lectern` command: Django's management commands, with Lectern's own among them.

`lectern serve`, `lectern token`, `lectern demo`, `lectern check-seats`, and every other
Django command (`lectern migrate`, `lectern createsuperuser`...). Hyphens and underscores
in a command's name are the same.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def metrics_folder_for(args: list[str]) -> None:
    """For `serve`, before anything loads the metrics library (it reads this once): each
    gunicorn worker counts into its own file in the data folder, and `/metrics` adds them
    up (`lectern.core.metrics`). An operator's own `PROMETHEUS_MULTIPROC_DIR` wins."""
    if args[:1] == ["serve"] and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        data_dir = Path(os.environ.get("LECTERN_DATA_DIR", "var")).resolve()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(data_dir / "metrics")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    # Before anything imports the metrics library, which reads it once.
    metrics_folder_for(args)
    execute_from_command_line(["lectern", *args])


if __name__ == "__main__":
    main()

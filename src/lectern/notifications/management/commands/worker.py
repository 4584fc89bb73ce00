"""`lectern worker`: the scheduler and email sender, running until stopped."""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from lectern.notifications.scheduler import tick
from lectern.notifications.sender import send_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the scheduler every minute and send due emails every few seconds."
    requires_system_checks: list[str] = []  # start fast: the scheduler runs every minute

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick-seconds", type=float, default=60.0)
        parser.add_argument("--send-seconds", type=float, default=5.0)

    def handle(self, *args: Any, tick_seconds: float, send_seconds: float, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        parent = os.getppid()
        next_tick = 0.0
        while not stopping and os.getppid() == parent:
            close_old_connections()
            try:
                if time.monotonic() >= next_tick:
                    report = tick()
                    next_tick = time.monotonic() + tick_seconds
                    if any(report.rules.values()) or report.mail.sent or report.errors:
                        logger.info("tick: %s", str(report).replace("\n", "; "))
                else:
                    send_due()
            except Exception:
                logger.exception("worker cycle failed; trying again")
            deadline = time.monotonic() + send_seconds
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)

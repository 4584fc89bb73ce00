"""Progress of long commands: a bar on a terminal, nothing at all otherwise.

`lectern demo`, `backup`, `restore`, `check-seats` and the imports run for a while at scale;
on a terminal they draw a bar (rich) on standard error, so that standard output stays what
scripts read. When standard error is not a terminal (cron, CI, a pipe) they stay quiet.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

T = TypeVar("T")


def _stream(stream: Any) -> IO[str]:
    # A management command's `self.stderr` wraps the real stream.
    return getattr(stream, "_out", stream) if stream is not None else sys.stderr


def on_terminal(stream: Any = None) -> bool:
    isatty = getattr(_stream(stream), "isatty", None)
    return bool(isatty and isatty())


class Bar:
    """What a command tells as it goes: `advance(n)` or `update(done, total)`."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress, self._task = progress, task

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def update(self, done: int, total: int | None = None) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def say(self, label: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=label)


@contextmanager
def progress_bar(label: str, total: int | None = None, *, stream: Any = None) -> Iterator[Bar]:
    """A bar while the block runs (a spinner when `total` is None), on a terminal only."""
    out = _stream(stream)
    if not on_terminal(out):
        yield Bar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
    columns += [MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=Console(file=out), transient=True) as bar:
        yield Bar(bar, bar.add_task(label, total=total))


def track(
    items: Iterable[T], label: str, *, total: int | None = None, stream: Any = None
) -> Iterator[T]:
    """Yield `items`, advancing a bar on a terminal."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar(label, total, stream=stream) as bar:
        for item in items:
            yield item
            bar.advance()

"""The seat-use chart on the coordinator page: an SVG step chart drawn on the server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from lectern.memberships.selectors import SeatUsePoint, add_months

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 16, 36


@dataclass(frozen=True)
class Line:
    name: str
    css_class: str
    points: str


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class SeatChart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    today_x: float | None
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def seat_chart(series: list[SeatUsePoint], start: date, end: date, today: date) -> SeatChart:
    """Lay out available, reserved and used seats over the membership year."""
    span = max((end - start).days, 1)
    top = max([1, *(max(p.available, p.reserved, p.used) for p in series)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        offset = min(max((day - start).days, 0), span)
        return round(LEFT + plot_w * offset / span, 1)

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - max(value, 0) / top), 1)

    def steps(field: str) -> str:
        coords: list[str] = []
        value = 0
        coords.append(f"{x(start)},{y(0)}")
        for point in series:
            px = x(point.day)
            coords.append(f"{px},{y(value)}")
            value = getattr(point, field)
            coords.append(f"{px},{y(value)}")
        coords.append(f"{x(min(max(today, start), end))},{y(value)}")
        return " ".join(coords)

    lines = [
        Line(gettext("Available"), "available", steps("available")),
        Line(gettext("Reserved"), "reserved", steps("reserved")),
        Line(gettext("Used"), "used", steps("used")),
    ]
    x_ticks = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            x_ticks.append(Tick(x(month), HEIGHT - BOTTOM + 16, date_format(month, "M")))
        month = add_months(month, 1)
    step = max(1, round(top / 4))
    y_ticks = [Tick(LEFT - 6, y(v), str(v)) for v in range(0, top + 1, step)]
    today_x = x(today) if start <= today <= end else None
    return SeatChart(
        WIDTH, HEIGHT, lines, x_ticks, y_ticks, today_x, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    )

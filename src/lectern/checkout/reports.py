"""Reading a video-conference participant report (Zoom's participant CSV).

What Zoom exports varies: a UTF-8 byte-order mark; a meeting-information block (meeting id,
topic, start and end time, ...) and a blank line above the participant table; the name
column as "Name (Original Name)" (values like "Ali (Alison Smith)") or "Name"; the email as
"User Email" or "Email"; times as `01/30/2027 08:58:01 AM`, with or without seconds, on a 12-
or 24-hour clock. Other tools' reports with the same columns read the same way. Times are
wall-clock in the event's zone unless the report names one (in a column header such as
"Join Time (UTC)" or a "Time Zone" column of the meeting block). One row is one stay in the
meeting, from its join to its leave time; a participant who rejoined has several rows.

Nothing here touches the database: `report_read` turns text into rows or refuses the report
naming the line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext

from lectern.core.errors import Invalid
from lectern.events.deadlines import wall_to_instant
from lectern.events.timezones import known_zones

TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
MAX_REPORT_CHARACTERS = 2_000_000  # under the 2.5 MB a request may carry
MAX_ROWS = 20_000
ZONE_IN_TEXT = re.compile(r"\b([A-Z][A-Za-z_]+(?:/[A-Za-z_+\-0-9]+)+)\b")
OFFSET_IN_TEXT = re.compile(r"\b(?:UTC|GMT)\s*([+-])(\d{1,2}):?(\d{2})?\b")
BARE_UTC = re.compile(r"\b(?:UTC|GMT)\b")


@dataclass(frozen=True)
class ReportRow:
    """One stay in the meeting: a line of the participant table."""

    line: int
    name: str
    original_name: str
    email: str
    joined: datetime  # UTC
    left: datetime  # UTC

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.original_name, self.name) if n)


def _refuse(line: int, message: str) -> Invalid:
    said = gettext("Line %(line)d: %(problem)s") % {"line": line, "problem": message}
    return Invalid(said, fields={"report": [said]})


def zone_named(text: str, line: int = 0) -> tzinfo | None:
    """The time zone a piece of the report names, if any: an IANA name, `UTC+01:00`, or
    UTC/GMT alone. A zone or offset that does not exist is refused naming the line."""
    for candidate in ZONE_IN_TEXT.findall(text):
        if candidate in known_zones():
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError, OSError):  # pragma: no cover
                pass
        raise _refuse(
            line,
            gettext("%(text)s is not a time zone (e.g. America/New_York).")
            % {"text": repr(candidate)},
        )
    offset = OFFSET_IN_TEXT.search(text)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if int(minutes or 0) >= 60 or delta > timedelta(hours=14):
            raise _refuse(
                line,
                gettext("%(text)s is not a UTC offset (at most 14 hours).")
                % {"text": repr(offset.group(0))},
            )
        return timezone(-delta if sign == "-" else delta)
    if BARE_UTC.search(text):
        return UTC
    return None


def _column(header: list[str], *starts: str) -> int | None:
    for index, cell in enumerate(header):
        label = cell.strip().lower()
        if any(label == s or label.startswith(s + " (") for s in starts):
            return index
    return None


def _instant(raw: str, tz: tzinfo, line: int, what: str) -> datetime:
    value = " ".join(raw.split())
    for pattern in TIME_FORMATS:
        try:
            wall = datetime.strptime(value, pattern)  # noqa: DTZ007 (the zone comes next)
        except ValueError:
            continue
        try:
            if isinstance(tz, ZoneInfo):
                return wall_to_instant(wall, tz)
            return wall.replace(tzinfo=tz).astimezone(UTC)
        except OverflowError:
            raise _refuse(
                line,
                gettext("the %(what)s %(text)s is out of range.")
                % {"what": what, "text": repr(raw)},
            ) from None
    raise _refuse(
        line,
        gettext("the %(what)s %(text)s is not a date and time like 01/30/2027 09:05:00 AM.")
        % {"what": what, "text": repr(raw)},
    )


def _split_name(raw: str) -> tuple[str, str]:
    """ "Ali (Alison Smith)" -> ("Ali", "Alison Smith"); a name alone -> (name, "")."""
    raw = " ".join(raw.split())
    match = re.fullmatch(r"(.*?)\s*\(([^()]+)\)", raw)
    if match and match.group(1):
        return match.group(1), match.group(2)
    return raw, ""


def report_read(text: str, event_zone: str) -> list[ReportRow]:
    """The stays a participant report lists, or `validation_error` naming the line that is
    not readable."""
    if len(text) > MAX_REPORT_CHARACTERS:
        raise Invalid.field("report", gettext("The report is too large."))
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    tz: tzinfo = ZoneInfo(event_zone)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    block: list[str] | None = None  # the meeting block's header row
    rows: list[ReportRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                join, leave = _column(cells, "join time"), _column(cells, "leave time")
                name = _column(cells, "name", "name (original name)", "participant", "user name")
                if join is None or leave is None:
                    if block is not None:  # the meeting block's values
                        zone_column = _column(block, "time zone", "timezone")
                        if zone_column is not None and zone_column < len(cells):
                            tz = zone_named(cells[zone_column], line) or tz
                    block = cells
                    continue
                if name is None:
                    raise _refuse(line, gettext("the participant table has no Name column."))
                header = cells
                email = _column(cells, "user email", "email", "e-mail")
                columns = {"name": name, "join": join, "leave": leave}
                if email is not None:
                    columns["email"] = email
                tz = zone_named(cells[join], line) or tz
                continue
            if len(cells) <= max(columns.values()):
                raise _refuse(
                    line,
                    gettext("%(count)d columns where the table has %(expected)d.")
                    % {"count": len(cells), "expected": len(header)},
                )
            display, original = _split_name(cells[columns["name"]])
            joined = _instant(cells[columns["join"]], tz, line, gettext("join time"))
            left = _instant(cells[columns["leave"]], tz, line, gettext("leave time"))
            if left < joined:
                raise _refuse(line, gettext("the leave time is before the join time."))
            rows.append(
                ReportRow(
                    line=line,
                    name=display,
                    original_name=original,
                    email=cells[columns["email"]].strip() if "email" in columns else "",
                    joined=joined,
                    left=left,
                )
            )
            if len(rows) > MAX_ROWS:
                raise _refuse(
                    line, gettext("more than %(count)s rows.") % {"count": f"{MAX_ROWS:,}"}
                )
    except csv.Error as exc:
        raise _refuse(
            reader.line_num, gettext("not readable as CSV (%(problem)s).") % {"problem": exc}
        ) from None
    if header is None:
        raise Invalid.field(
            "report",
            gettext("No participant table found: it needs Name, Join Time and Leave Time columns."),
        )
    return rows

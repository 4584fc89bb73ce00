"""Recording attendance from a video-conference participant report.

Rows are matched to the event's trainees by email, then by name (a name that two trainees
share matches neither); rows matched by hand (`matches`: line -> registration) win. Each
trainee's time in the meeting is the union of their stays, clipped to each session; minutes
missed per session follow. The report records the sessions it covers (those any stay
overlaps): a report of the first day leaves the second as it is. A trainee missing from the
report was absent from the sessions it covers. The preview writes nothing; `commit` records
the rows as `attendance_record` does (same rules, same refusals).
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from lectern.checkout.attendance import (
    RECORDABLE,
    AttendanceRecord,
    attendance_record,
    require_event_teacher,
    result_of,
)
from lectern.checkout.models import AttendanceOutcome, SessionAttendance
from lectern.checkout.reports import ReportRow, report_read
from lectern.core import clock
from lectern.core.errors import Invalid
from lectern.core.permissions import Principal
from lectern.events.models import Event, Session
from lectern.registrations.models import Registration

Interval = tuple[datetime, datetime]


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def union(intervals: Sequence[Interval]) -> list[Interval]:
    """Overlapping or touching stays merged into one."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def seconds_missed(stays: Sequence[Interval], session: Session) -> float:
    """Seconds of the session outside the stays."""
    present = sum(
        max((min(end, session.end) - max(start, session.start)).total_seconds(), 0)
        for start, end in union(stays)
    )
    return max((session.end - session.start).total_seconds() - present, 0.0)


def minutes_per_session(seconds: dict[int, float]) -> dict[int, int]:
    """Whole minutes per session whose sum is the total's minutes, rounded up (60:01 missed
    is 61 minutes, more than an hour; 60:00 is 60), shared out by largest remainder, so that
    rounding each session on its own can never hide a minute: four sessions of 15:29 missed
    are 62 minutes, not 4 x 15."""
    total = math.ceil(round(sum(seconds.values()), 3) / 60)
    floors = {i: int(s // 60) for i, s in seconds.items()}
    left = total - sum(floors.values())
    by_remainder = sorted(seconds, key=lambda i: (-(seconds[i] % 60), i))
    for i in by_remainder[: max(left, 0)]:
        floors[i] += 1
    return floors


@dataclass
class ImportedRow:
    registration_id: int
    name: str
    minutes_missed: int
    outcome: str  # passed, failed, no_show, or pending (sessions not recorded yet)
    sessions: list[dict[str, int]]
    lines: list[int] = field(default_factory=list)


@dataclass
class Unmatched:
    line: int
    name: str
    email: str
    minutes: int


@dataclass
class ImportPreview:
    rows: list[ImportedRow]
    unmatched: list[Unmatched]
    sessions: list[int]  # the 1-based indexes of the sessions the report covers
    committed: bool = False


def _matcher(
    registrations: Sequence[Registration],
) -> tuple[dict[str, Registration], dict[str, Registration | None]]:
    by_email = {r.trainee.email.lower(): r for r in registrations}
    by_name: dict[str, Registration | None] = {}
    for registration in registrations:
        for name in {registration.submitted_name, registration.trainee.name}:
            key = _name_key(name)
            if key and by_name.get(key, registration) is not registration:
                by_name[key] = None  # two trainees share it: neither matches by name
            else:
                by_name[key] = registration
    return by_email, by_name


def _match(
    row: ReportRow,
    by_email: Mapping[str, Registration],
    by_name: Mapping[str, Registration | None],
) -> Registration | None:
    if row.email and row.email.lower() in by_email:
        return by_email[row.email.lower()]
    for name in row.names:
        found = by_name.get(_name_key(name))
        if found is not None:
            return found
    return None


def _outcome_word(
    registration: Registration, missed: dict[int, int], sessions: list[Session]
) -> str:
    if len(missed) < len(sessions):
        return "pending"
    made_up = AttendanceOutcome.objects.filter(registration=registration, made_up=True).exists()
    result = result_of(missed, sessions, made_up)
    if result.no_show:
        return "no_show"
    return "passed" if result.passed else "failed"


@transaction.atomic
def attendance_import(
    *,
    actor: Principal,
    event: Event,
    report: str,
    commit: bool,
    matches: Mapping[int, int] | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> ImportPreview:
    """Preview (or, with `commit`, record) the attendance a participant report shows."""
    require_event_teacher(actor, event)
    now = clock.resolve(now)
    rows = report_read(report, event.timezone)
    sessions = list(event.sessions.all())
    registrations = list(
        Registration.objects.select_related("trainee")
        .filter(event=event, status__in=RECORDABLE)
        .order_by("trainee__name", "pk")
    )
    by_id = {r.pk: r for r in registrations}
    by_email, by_name = _matcher(registrations)
    trainers = {email.lower() for email in event.trainers.values_list("email", flat=True)}
    lines = {row.line for row in rows}
    for line, registration_id in (matches or {}).items():
        if line not in lines:
            raise Invalid.field(
                "matches",
                gettext("Line %(line)d is not a participant row of the report.") % {"line": line},
            )
        if registration_id not in by_id:
            raise Invalid.field(
                "matches",
                gettext("Registration %(id)s is not a trainee of this event.")
                % {"id": registration_id},
            )
    stays: dict[int, list[Interval]] = defaultdict(list)
    lines_of: dict[int, list[int]] = defaultdict(list)
    unmatched: list[Unmatched] = []
    for row in rows:
        registration = (
            by_id[matches[row.line]] if matches and row.line in matches else None
        ) or _match(row, by_email, by_name)
        if registration is None:
            if row.email.lower() not in trainers:
                minutes = int((row.left - row.joined).total_seconds() // 60)
                unmatched.append(Unmatched(row.line, row.name, row.email, minutes))
            continue
        stays[registration.pk].append((row.joined, row.left))
        lines_of[registration.pk].append(row.line)
    covered = [
        index
        for index, session in enumerate(sessions, start=1)
        if any(start < session.end and end > session.start for start, end in _all(rows))
    ]
    if not covered:
        raise Invalid.field(
            "report",
            gettext(
                "The report's times fall in no session of this event; check the event and the "
                "time zone (times are read in %(zone)s unless the report names one)."
            )
            % {"zone": event.timezone},
        )
    recorded: dict[int, dict[int, int]] = defaultdict(dict)
    for a in SessionAttendance.objects.filter(registration__in=registrations):
        recorded[a.registration_id][a.session_id] = a.minutes_missed
    preview_rows = []
    for registration in registrations:
        per_index = minutes_per_session(
            {i: seconds_missed(stays[registration.pk], sessions[i - 1]) for i in covered}
        )
        merged = {**recorded[registration.pk]}
        merged.update({sessions[i - 1].pk: m for i, m in per_index.items()})
        preview_rows.append(
            ImportedRow(
                registration_id=registration.pk,
                name=registration.submitted_name,
                minutes_missed=sum(per_index.values()),
                outcome=_outcome_word(registration, merged, sessions),
                sessions=[{"session_index": i, "minutes_missed": m} for i, m in per_index.items()],
                lines=lines_of[registration.pk],
            )
        )
    preview = ImportPreview(preview_rows, unmatched, covered)
    if commit:
        attendance_record(
            actor=actor,
            event=event,
            records=[
                AttendanceRecord(
                    r.registration_id,
                    sessions={s["session_index"]: s["minutes_missed"] for s in r.sessions},
                )
                for r in preview_rows
            ],
            reason=reason,
            now=now,
        )
        preview.committed = True
    return preview


def _all(rows: Sequence[ReportRow]) -> list[Interval]:
    return [(row.joined, row.left) for row in rows]

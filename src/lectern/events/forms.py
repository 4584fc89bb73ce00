"""Staff forms for events. Sessions are typed one per line, in the event's local time."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from lectern.accounts.models import User
from lectern.core.forms import InputForm
from lectern.core.validators import date_problem
from lectern.events.models import Event
from lectern.events.services import LocalTimes
from lectern.memberships.models import Membership

SESSION_LINE = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})[ T](?P<start>\d{1,2}:\d{2})\s*(?:-|\u2013|to)?\s*"
    r"(?:(?P<end_day>\d{4}-\d{2}-\d{2})[ T])?(?P<end>\d{1,2}:\d{2})$"
)
SESSIONS_HELP = (
    "One session per line, in the event's time zone: `2027-03-04 09:00 - 17:00`. "
    "A session past midnight names its end day: `2027-03-04 22:00 - 2027-03-05 02:00`."
)


def sessions_text(event: Event) -> str:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(event.timezone)
    lines = []
    for session in event.sessions.all():
        start, end = session.start.astimezone(tz), session.end.astimezone(tz)
        end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        lines.append(f"{start:%Y-%m-%d %H:%M} - {end_text}")
    return "\n".join(lines)


class DatalistInput(forms.TextInput):
    """A text box that suggests from a list as you type (`<input list=...>`): a searchable
    picker for long lists such as the 600 time zones, without any script."""

    def __init__(self, options: list[str], attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.options = options

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        list_id = f"{name}-options"
        box = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">', ((o,) for o in self.options))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


def zone_field() -> forms.CharField:
    return forms.CharField(
        max_length=64,
        widget=DatalistInput(sorted(available_timezones()), attrs={"autocomplete": "off"}),
        help_text="The zone trainees see the schedule in: type to search, e.g. Berlin.",
    )


def clean_zone(value: str) -> str:
    value = value.strip()
    if value not in available_timezones():
        raise forms.ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin).")
    return value


class EventForm(InputForm):
    title = forms.CharField(max_length=200)
    timezone = zone_field()
    sessions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text=SESSIONS_HELP)
    capacity = forms.IntegerField(min_value=1)
    min_enrolment = forms.IntegerField(min_value=0, label="Minimum enrolment")
    trainers = forms.ModelMultipleChoiceField(
        User.objects.filter(is_trainer=True, is_active=True),
        required=False,
        help_text="At least two are recommended.",
    )
    meeting_url = forms.URLField(
        assume_scheme="https",
        max_length=500,
        required=False,
        label="Video-conference link",
        help_text="Shown only to confirmed trainees.",
    )
    preparation_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Software and hardware requirements, homework.",
    )
    language = forms.CharField(max_length=16, initial="en")
    public = forms.BooleanField(required=False, initial=True, help_text="Listed on the calendar.")
    membership = forms.ModelChoiceField(
        Membership.objects.select_related("organization"),
        required=False,
        label="In-house for membership",
        help_text="Makes this an in-house event of this membership (not on the public calendar).",
    )
    run_regardless = forms.BooleanField(required=False, help_text="Never cancel for low enrolment.")
    change_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Reason for the change",
        help_text="Told to trainees, the waiting list and trainers when the dates, title or "
        "link change. Needed when the new cutoff has passed or the event would start after a "
        "registered trainee's membership ends.",
    )

    def clean_timezone(self) -> str:
        return clean_zone(self.cleaned_data["timezone"])

    def clean_sessions(self) -> list[LocalTimes]:
        result = []
        for number, line in enumerate(self.cleaned_data["sessions"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = SESSION_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    f"Line {number} is not like 2027-03-04 09:00 - 17:00: {line}"
                )
            day = match.group("day")
            result.append(
                LocalTimes(
                    f"{day}T{match.group('start'):0>5}",
                    f"{match.group('end_day') or day}T{match.group('end'):0>5}",
                )
            )
        if not result:
            raise forms.ValidationError("Give at least one session.")
        return result

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, object]:
        return {
            "title": event.title,
            "timezone": event.timezone,
            "sessions": sessions_text(event),
            "capacity": event.capacity,
            "min_enrolment": event.min_enrolment,
            "trainers": list(event.trainers.all()),
            "meeting_url": event.meeting_url,
            "preparation_notes": event.preparation_notes,
            "language": event.language,
            "public": event.public,
            "membership": event.membership,
            "run_regardless": event.run_regardless,
        }


MAX_MORE_DATES = 20


class Format:
    """A common shape of training: how many sessions of how many hours, one a day."""

    def __init__(self, key: str, label: str, days: int, hours: int) -> None:
        self.key, self.label, self.days, self.hours = key, label, days, hours


FORMATS = {
    f.key: f
    for f in (
        Format("two_full_days", "Two full days (2 x 8 hours)", 2, 8),
        Format("four_half_days", "Four half days (4 x 4 hours)", 4, 4),
    )
}


def format_sessions(
    fmt: Format, first_date: date, start: time, *, skip_weekends: bool
) -> list[LocalTimes]:
    """The sessions of a format from its first day: one a day, weekends skipped if asked."""
    result: list[LocalTimes] = []
    day = first_date
    while len(result) < fmt.days:
        if not (skip_weekends and day.weekday() >= 5):
            begin = datetime.combine(day, start)
            end = begin + timedelta(hours=fmt.hours)
            result.append(LocalTimes(f"{begin:%Y-%m-%dT%H:%M}", f"{end:%Y-%m-%dT%H:%M}"))
        day += timedelta(days=1)
    return result


class EventFormatForm(EventForm):
    """An event from a format: the sessions follow from the first date and start time."""

    field_order = [
        "title",
        "format",
        "first_date",
        "more_dates",
        "start_time",
        "skip_weekends",
        "timezone",
    ]

    format = forms.ChoiceField(choices=[(f.key, f.label) for f in FORMATS.values()])
    first_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        initial="09:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Local time in the event's zone; each session lasts the format's hours.",
    )
    skip_weekends = forms.BooleanField(
        required=False, initial=True, help_text="No session on a Saturday or Sunday."
    )
    more_dates = forms.CharField(
        required=False,
        label="Also on these first dates",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One date per line (2027-03-04), to schedule the same event again on each; "
        "leave empty for one event.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["sessions"]
        del self.fields["change_reason"]

    def clean_more_dates(self) -> list[date]:
        dates = []
        for number, line in enumerate(self.cleaned_data["more_dates"].splitlines(), start=1):
            if not (text := line.strip()):
                continue
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise forms.ValidationError(
                    f"Line {number}: {text!r} is not a date like 2027-03-04."
                ) from None
            if problem := date_problem(day):
                raise forms.ValidationError(f"Line {number}: {problem}")
            dates.append(day)
        if len(dates) > MAX_MORE_DATES:
            raise forms.ValidationError(f"At most {MAX_MORE_DATES} more dates at once.")
        return dates

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(k) is not None for k in ("format", "first_date", "start_time")):
            fmt, start = FORMATS[data["format"]], data["start_time"]
            skip = data.get("skip_weekends", False)
            data["sessions"] = format_sessions(fmt, data["first_date"], start, skip_weekends=skip)
            data["more_sessions"] = [
                format_sessions(fmt, day, start, skip_weekends=skip)
                for day in data.get("more_dates", [])
            ]
        data["change_reason"] = ""
        return data


class CancelForm(InputForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Trainees and coordinators are told this reason.",
    )

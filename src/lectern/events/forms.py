"""Staff forms for events. Sessions are typed one per line, in the event's local time."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from django import forms

from lectern.accounts.models import User
from lectern.core.forms import InputForm
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


class EventForm(InputForm):
    title = forms.CharField(max_length=200)
    timezone = forms.ChoiceField(
        choices=[(z, z) for z in sorted(available_timezones())],
        help_text="The zone trainees see the schedule in.",
    )
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


class CancelForm(InputForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Trainees and coordinators are told this reason.",
    )

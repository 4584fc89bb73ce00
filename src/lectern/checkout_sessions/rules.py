"""Scheduled rules of welcome sessions and teaching demos: the reminder before one starts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise, lazy

from lectern.checkout_sessions.models import CheckoutSessionStatus, SessionSignup, SignupStatus
from lectern.checkout_sessions.places import REMINDER
from lectern.checkout_sessions.selectors import local_time_label
from lectern.events.timezones import moment_text
from lectern.notifications.scheduler import rule
from lectern.notifications.services import message_queue
from lectern.registrations.emails import personal_url

# Texts written when the email reads them, in its language (the session's)
_label = lazy(lambda session: session.label, str)
_local_time_label = lazy(local_time_label, str)
_moment_text = lazy(moment_text, str)


def reminder_hours() -> int:
    return int(settings.LECTERN["CHECKOUT_SESSION_REMINDER_HOURS"])


@rule("checkout_session_reminders")
def checkout_session_reminders(now: datetime) -> int:
    """Remind each trainee signed up for a session `CHECKOUT_SESSION_REMINDER_HOURS` (a
    duration, 24) before it starts, with its meeting link. A reminder missed during downtime
    goes late, until the session starts; the key is the session's start, so a session that
    moves reminds again and a second run sends nothing twice."""
    due = SessionSignup.objects.select_related("session__host", "trainee").filter(
        status=SignupStatus.SIGNED_UP,
        session__status=CheckoutSessionStatus.SCHEDULED,
        session__start__gt=now,
        session__start__lte=now + timedelta(hours=reminder_hours()),
    )
    queued = 0
    for signup in due:
        session, trainee = signup.session, signup.trainee
        viewer: str | Promise = ""
        if trainee.timezone:
            viewer = _moment_text(session.start.astimezone(ZoneInfo(trainee.timezone)))
        if message_queue(
            kind=REMINDER,
            key=f"{session.start:%Y%m%dT%H%MZ}",
            to=trainee.email,
            name=trainee.name,
            obj=signup,
            context={
                "session": session,
                "session_label": _label(session),
                "local_time": _local_time_label(session),
                "viewer_time": viewer,
                "viewer_zone": trainee.timezone,
                "host_name": session.host.get_full_name(),
                "meeting_url": session.meeting_url,
                "hours": reminder_hours(),
                "personal_url": personal_url(trainee),
            },
            expires_at=session.start,
            language=session.language,
            now=now,
        ):
            queued += 1
    return queued

"""Emails about one welcome session or teaching demo, in the session's language."""

from __future__ import annotations

from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext

from lectern.checkout_sessions.models import CheckoutSession, SessionKind, SessionSignup
from lectern.events.timezones import known_zones, offset_label, span_text, zone
from lectern.notifications.services import message_queue
from lectern.registrations.emails import personal_url

CANCELLED = "checkout_session_cancelled"


def kind_name(kind: str) -> str:
    """ "teaching demo", "demostración docente": a kind in the active language."""
    if kind == SessionKind.WELCOME_SESSION:
        return gettext("welcome session")
    return gettext("teaching demo")


def session_time(session: CheckoutSession, zone_name: str) -> str:
    """`Wed 10 Feb 2027, 15:00-16:00 CET (UTC+01:00)` in a zone, in the active language."""
    tz = zone(zone_name)
    start, end = session.start.astimezone(tz), session.end.astimezone(tz)
    return f"{span_text(start, end)} ({offset_label(start)})"


def cancelled_send(session: CheckoutSession, signup: SessionSignup, now: datetime) -> None:
    """Tell a trainee whose place was released that the session is cancelled, with their
    personal page to choose another; once per session and trainee (the key)."""
    trainee = signup.trainee
    link = personal_url(trainee)
    theirs = trainee.timezone if trainee.timezone in known_zones() else ""
    with translation.override(session.language):
        name = kind_name(session.kind)
        context = {
            "session": session,
            "session_label": session.title or name[:1].upper() + name[1:],
            "kind_name": name,
            "local_time": session_time(session, session.timezone),
            "viewer_time": session_time(session, theirs) if theirs else "",
            "viewer_zone": theirs,
            "host_name": session.host.get_full_name(),
            "reason": session.cancel_reason,
            "personal_url": link,
            "choose_url": f"{link}#sessions-{session.kind}",
        }
    message_queue(
        kind=CANCELLED,
        key=f"t{trainee.pk}",
        to=trainee.email,
        name=trainee.name,
        obj=session,
        context=context,
        now=now,
        language=session.language,
    )

"""Pages of team registration: the coordinator names their people, each completes their
details from their personal link."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from lectern.core import clock
from lectern.core.adminviews import form_errors_from
from lectern.core.errors import DomainError, Invalid, NotFound
from lectern.core.permissions import Principal, get_visible
from lectern.events.deadlines import REGISTRATION_CUTOFF
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import with_schedule
from lectern.events.views import event_card
from lectern.memberships.models import Membership
from lectern.memberships.selectors import memberships_visible_to
from lectern.registrations import services
from lectern.registrations.forms import DetailsForm
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.registrations.selectors import trainee_for_token

MAX_UPLOAD_BYTES = 200_000
ADDRESS = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>\s*$")


@dataclass(frozen=True)
class Line:
    number: int
    person: services.Person | None
    problem: str = ""


def people_parse(text: str) -> list[Line]:
    """One person a line: `Name, email`, `email, name`, `Name <email>`, or a CSV row with
    a `name` and an `email` column (a header line without an address is skipped)."""
    lines: list[Line] = []
    rows = csv.reader(io.StringIO(text), skipinitialspace=True)
    number = 0
    while True:
        number += 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error:  # a cell past the csv module's limit (128 kB)
            lines.append(
                Line(number, None, gettext("This line is not readable: a cell is too long."))
            )
            break
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        if len(cells) == 1 and (match := ADDRESS.match(cells[0])):
            cells = [match["name"], match["email"]]
        emails = [c for c in cells if "@" in c]
        names = [c for c in cells if "@" not in c]
        if not emails:
            if number == 1:  # a header (name,email)
                continue
            lines.append(Line(number, None, gettext("No email address on this line.")))
        elif len(emails) > 1:
            lines.append(Line(number, None, gettext("More than one email address on this line.")))
        elif not names:
            lines.append(Line(number, None, gettext("No name on this line.")))
        else:
            lines.append(Line(number, services.Person(name=" ".join(names), email=emails[0])))
    return lines


def team_events(membership: Membership) -> list[Event]:
    """Events the team may be registered for: scheduled, open, with places, public or
    in-house for this membership."""
    events = Event.objects.filter(
        REGISTRATION_CUTOFF.q(now=clock.now(), passed=False),
        status=EventStatus.SCHEDULED,
        places_taken__lt=F("capacity"),
    ).filter(Q(public=True, membership__isnull=True) | Q(membership_id=membership.pk))
    return list(with_schedule(events).order_by("first_start")[:200])


def _coordinator(request: HttpRequest) -> Principal:
    user = request.user
    return Principal(user=user) if user.is_authenticated else Principal.anonymous()


def membership_for_coordinator(request: HttpRequest, membership_id: int) -> Membership:
    try:
        return get_visible(
            memberships_visible_to(_coordinator(request)), membership_id, "membership"
        )
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = membership_for_coordinator(request, membership_id)
    now = clock.now()
    context: dict[str, object] = {
        "membership": membership,
        "events": [event_card(e, now) for e in team_events(membership)],
        "people": request.POST.get("people", ""),
        "chosen": request.POST.get("event_id", ""),
    }
    if request.method == "POST":
        upload = request.FILES.get("csv")
        problems: list[str] = []
        # The typed lines and the file are read apart, so that each refusal names the line
        # where the coordinator will find it, and the file's header line is recognised.
        sources = [(gettext("Line %(number)s"), request.POST.get("people", ""))]
        if upload is not None:
            if upload.size and upload.size > MAX_UPLOAD_BYTES:
                problems.append(gettext("The CSV file is too large (at most 200 kB)."))
            else:
                try:
                    sources.append(
                        (gettext("CSV file, line %(number)s"), upload.read().decode("utf-8-sig"))
                    )
                except UnicodeDecodeError:
                    problems.append(gettext("The CSV file is not UTF-8 text."))
        parse_refused: list[tuple[str, str]] = []
        people: list[services.Person] = []
        for where, text in sources:
            for line in people_parse(text):
                if line.person is None:
                    parse_refused.append((where % {"number": line.number}, line.problem))
                else:
                    people.append(line.person)
        try:
            event_id = int(request.POST.get("event_id", ""))
        except ValueError:
            problems.append(gettext("Choose an event."))
            event_id = 0
        if not people and not problems and not parse_refused:
            problems.append(
                gettext("Name at least one person: a name and an email address a line.")
            )
        if problems or not people:
            context.update(problems=problems, parse_refused=parse_refused)
            return render(request, "registrations/team.html", context, status=422)
        try:
            result = services.team_register(
                actor=_coordinator(request),
                membership_id=membership.pk,
                event_id=event_id,
                people=people,
            )
        except DomainError as exc:
            context.update(problems=[exc.explained()], parse_refused=parse_refused)
            return render(request, "registrations/team.html", context, status=exc.status)
        event = Event.objects.get(pk=event_id)
        context.update(
            result=result,
            parse_refused=parse_refused,
            not_registered=len(result.refused) + len(parse_refused),
            card=event_card(Event.objects.prefetch_related("sessions").get(pk=event.pk), now),
            people="",
        )
    return render(request, "registrations/team.html", context)


@require_http_methods(["GET", "POST"])
def details_complete(request: HttpRequest, token: str, registration_id: int) -> HttpResponse:
    """The trainee completes a team registration's details from their personal link."""
    trainee = trainee_for_token(token)
    if trainee is None:
        raise Http404("This link is not valid, or it was replaced.")
    registration = (
        Registration.objects.select_related("event", "membership__organization", "trainee")
        .filter(pk=registration_id, trainee=trainee)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    if registration.status != RegistrationStatus.PENDING_DETAILS:
        messages.info(request, gettext("This registration needs nothing more from you."))
        return redirect("registrations:me", token=token)
    now = clock.now()
    given = registration.submitted_details
    initial = {
        "name": given.get("name") or trainee.name,
        "affiliation": given.get("affiliation") or trainee.affiliation,
        "country": str(trainee.country or registration.membership.organization.country),
    }
    form = DetailsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_details_complete(
                actor=Principal.personal(trainee.pk),
                registration=registration,
                details=form.details(email=trainee.email),
            )
        except Invalid as exc:
            form_errors_from(exc, form)
            status = 422
        except DomainError as exc:
            form_errors_from(exc, form)
            status = exc.status
        else:
            messages.success(
                request, gettext("Your registration is confirmed. We have emailed you the details.")
            )
            return redirect("registrations:me", token=token)
    if form.is_bound:
        form.mark_errors()
    card = event_card(Event.objects.prefetch_related("sessions").get(pk=registration.event_id), now)
    return render(
        request,
        "registrations/details.html",
        {"form": form, "card": card, "registration": registration, "token": token},
        status=status,
    )

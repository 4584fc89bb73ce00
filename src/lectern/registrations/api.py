"""Registration and waiting-list endpoints of the API (the README lists them)."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lectern.core.permissions import get_visible, principal, require_authenticated
from lectern.core.schemas import Line, Text, refusals
from lectern.events.api import CancelIn, EventOut, event_visible
from lectern.memberships.selectors import memberships_visible_to
from lectern.registrations import services
from lectern.registrations.models import Registration
from lectern.registrations.ratelimit import client_address
from lectern.registrations.selectors import registrations_visible_to
from lectern.registrations.services import messages as message_services
from lectern.registrations.services import waitlist
from lectern.registrations.services.signin import sign_in_request
from lectern.registrations.tokens import manage_token

router = Router(tags=["registrations"])

Technology = Literal["r", "python", "shell", "sql", "openrefine", "spreadsheets", "git"]


class RegistrationIn(Schema):
    event_id: int
    code: Line = Field(max_length=100)
    name: Line = Field(max_length=200)
    email: Line = Field(max_length=254)
    country: Line = Field(max_length=2, description="ISO 3166 alpha-2")
    affiliation: Line = Field(max_length=200)
    technologies: list[Technology]
    usage_frequency: Literal["daily", "weekly", "monthly", "less"]
    carpentries_experience: list[Literal["learner", "helper", "none"]]
    teaching_experience: Text = ""
    accept_code_of_conduct: bool
    accept_privacy: bool
    directory_consent: bool = False
    timezone: Line = Field("", max_length=64, description="The trainee's IANA zone, for emails")
    override_reason: Text = Field("", description="Staff only: let it through a closed rule")


class WaitlistIn(RegistrationIn):
    event_id: int | None = None  # type: ignore[assignment]


class RegistrationOut(Schema):
    id: int
    event_id: int
    membership_id: int
    trainee_id: int
    status: str
    manage_token: str | None = Field(description="Staff and the trainee only.")
    advisories: list[str]
    created_at: Any
    changed_at: Any

    @staticmethod
    def resolve_manage_token(obj: Registration, context: Any) -> str | None:
        caller = principal(context["request"])
        if (
            caller.is_staff
            or caller.registration_id == obj.pk
            or caller.acts_as_trainee(obj.trainee_id)
        ):
            return manage_token(obj.pk, obj.manage_nonce)
        return None


class CoordinatorRegistrationOut(RegistrationOut):
    trainee_name: str = Field(alias="submitted_name", description="As given with it")
    trainee_email: str = Field(alias="trainee.email")
    event_title: str = Field(alias="event.title")


class MoveIn(Schema):
    event_id: int
    reason: Text = ""


class WithdrawIn(Schema):
    reason: Text = ""


class EmergencyIn(Schema):
    reason: Text
    move_to_event_id: int | None = None


class WaitlistOut(Schema):
    id: int
    event_id: int
    position: int
    status: str

    @staticmethod
    def resolve_position(obj: Any) -> int:
        return waitlist.waitlist_position(obj)


class AcceptIn(Schema):
    token: Line


def details_from(payload: RegistrationIn) -> services.TraineeDetails:
    return services.TraineeDetails(
        name=payload.name,
        email=payload.email,
        affiliation=payload.affiliation,
        country=payload.country,
        technologies=list(payload.technologies),
        usage_frequency=payload.usage_frequency,
        carpentries_experience=list(payload.carpentries_experience),
        accept_code_of_conduct=payload.accept_code_of_conduct,
        accept_privacy=payload.accept_privacy,
        teaching_experience=payload.teaching_experience,
        directory_consent=payload.directory_consent,
        timezone=payload.timezone,
    )


def _registration(request: HttpRequest, registration_id: int) -> Registration:
    caller = principal(request)
    require_authenticated(caller)
    return get_visible(registrations_visible_to(caller), registration_id, "registration")


@router.post("/registrations", response={201: RegistrationOut, **refusals(403, 404, 409, 429)})
def registration_create(request: HttpRequest, payload: RegistrationIn) -> Status:
    """Register with an organisation's code. Failed codes are rate limited per address."""
    caller = principal(request)
    created = services.registration_create(
        actor=caller,
        event_id=payload.event_id,
        code=payload.code,
        details=details_from(payload),
        client=client_address(request),
        override_reason=payload.override_reason,
    )
    request.auth = caller.trainee(created.registration.pk)  # type: ignore[attr-defined]
    return Status(201, created.registration)


@router.get("/registrations/{registration_id}", response={200: RegistrationOut, **refusals(404)})
def registration_detail(request: HttpRequest, registration_id: int) -> Any:
    return _registration(request, registration_id)


@router.post(
    "/registrations/{registration_id}/move",
    response={200: RegistrationOut, **refusals(403, 404, 409)},
)
def registration_move(request: HttpRequest, registration_id: int, payload: MoveIn) -> Any:
    return services.registration_move(
        actor=principal(request),
        registration=_registration(request, registration_id),
        event_id=payload.event_id,
        reason=payload.reason,
    )


@router.post(
    "/registrations/{registration_id}/withdraw",
    response={200: RegistrationOut, **refusals(403, 404, 409)},
)
def registration_withdraw(request: HttpRequest, registration_id: int, payload: WithdrawIn) -> Any:
    return services.registration_withdraw(
        actor=principal(request),
        registration=_registration(request, registration_id),
        reason=payload.reason,
    )


@router.post(
    "/registrations/{registration_id}/emergency",
    response={200: RegistrationOut, **refusals(403, 404, 409)},
)
def registration_emergency(request: HttpRequest, registration_id: int, payload: EmergencyIn) -> Any:
    return services.registration_emergency(
        actor=principal(request),
        registration=_registration(request, registration_id),
        reason=payload.reason,
        move_to_event_id=payload.move_to_event_id,
    )


@router.post(
    "/events/{event_id}/cancel",
    tags=["events"],
    response={200: EventOut, **refusals(403, 404, 409)},
)
def event_cancel(request: HttpRequest, event_id: int, payload: CancelIn) -> Any:
    """Cancel an event (staff), with a reason: its registrations are cancelled and their
    seats released; trainees, coordinators and the waiting list are told."""
    event = event_visible(request, event_id)
    services.event_cancel(actor=principal(request), event=event, reason=payload.reason)
    return event_visible(request, event_id)


@router.post("/events/{event_id}/waitlist", response={201: WaitlistOut, **refusals(404, 409, 429)})
def waitlist_join(request: HttpRequest, event_id: int, payload: WaitlistIn) -> Status:
    entry = waitlist.waitlist_join(
        actor=principal(request),
        event_id=event_id,
        code=payload.code,
        details=details_from(payload),
        client=client_address(request),
    )
    return Status(201, entry)


@router.post("/waitlist/accept", response={201: RegistrationOut, **refusals(404, 409)})
def waitlist_accept(request: HttpRequest, payload: AcceptIn) -> Status:
    """Accept a waiting-list offer with the token from the offer email."""
    created = waitlist.waitlist_accept(raw=payload.token)
    request.auth = principal(request).trainee(created.registration.pk)  # type: ignore[attr-defined]
    return Status(201, created.registration)


@router.get(
    "/memberships/{membership_id}/registrations",
    response={200: list[CoordinatorRegistrationOut], **refusals(404)},
)
@paginate
def membership_registrations(request: HttpRequest, membership_id: int) -> Any:
    """A membership's registrations with trainee and event: for its coordinators and staff."""
    caller = principal(request)
    require_authenticated(caller)
    membership = get_visible(memberships_visible_to(caller), membership_id, "membership")
    return membership.registrations.select_related("trainee", "event").order_by(
        "-created_at", "-id"
    )


class PersonIn(Schema):
    name: Line = Field(max_length=200)
    email: Line = Field(max_length=254)


class TeamIn(Schema):
    event_id: int
    people: list[PersonIn] = Field(description="Named people of the organisation, up to 200.")


class TeamRefusalOut(Schema):
    email: str
    name: str
    error: dict[str, Any] = Field(description="As an error body: code, message, fields?")


class TeamOut(Schema):
    registrations: list[CoordinatorRegistrationOut]
    refused: list[TeamRefusalOut]


@router.post(
    "/memberships/{membership_id}/team",
    response={201: TeamOut, **refusals(404, 422)},
    tags=["memberships"],
)
def team_register(request: HttpRequest, membership_id: int, payload: TeamIn) -> Status:
    """A coordinator (or staff) registers named people for one event: each holds a place
    and a seat with status `pending_details` and is emailed their link to complete their
    details. No code is typed, so the code-guessing limits do not apply. Refusals are per
    person (`refused`), with the same codes as `POST /registrations`."""
    result = services.team_register(
        actor=principal(request),
        membership_id=membership_id,
        event_id=payload.event_id,
        people=[services.Person(name=p.name, email=p.email) for p in payload.people],
    )
    return Status(
        201,
        {
            "registrations": result.registrations,
            "refused": [
                {"email": person.email, "name": person.name, "error": error.as_dict()["error"]}
                for person, error in result.refused
            ],
        },
    )


class TraineeLinkIn(Schema):
    email: Line = Field(max_length=254)


class SentOut(Schema):
    status: Literal["sent"]


@router.post(
    "/auth/trainee-link",
    auth=None,
    response={202: SentOut, **refusals(422, 429)},
    tags=["auth"],
)
def trainee_link(request: HttpRequest, payload: TraineeLinkIn) -> Any:
    """Email a trainee their personal link. The answer is the same whether or not the
    address is known; rate limited per address and per client (429 `rate_limited`)."""
    sign_in_request(email=payload.email, client=client_address(request), users=False)
    return Status(202, {"status": "sent"})


class EventMessageIn(Schema):
    audience: Literal["confirmed", "waitlist", "trainers", "coordinators"]
    subject: Line = Field(max_length=200)
    body: Text = Field(max_length=20_000, description="Plain text, sent as written.")
    preview: bool = Field(
        False, description="Send nothing: answer 200 with the recipient count and the email."
    )


class EventMessageOut(Schema):
    queued: int


class EventMessagePreviewOut(Schema):
    recipients: int
    subject: str
    body_text: str
    body_html: str


@router.post(
    "/events/{event_id}/messages",
    tags=["events"],
    response={
        201: EventMessageOut,
        200: EventMessagePreviewOut,
        **refusals(403, 404),
    },
)
def event_message(request: HttpRequest, event_id: int, payload: EventMessageIn) -> Status:
    """Write to the event's confirmed trainees, waiting list, trainers or the coordinators
    of its trainees (staff), through the outbox (kind `staff_message`). With `preview: true`
    nothing is sent: the answer is how many would receive it and what the first would read."""
    caller = principal(request)
    event = event_visible(request, event_id)
    arguments: dict[str, Any] = dict(
        audience=payload.audience, subject=payload.subject, body=payload.body
    )
    if payload.preview:
        preview = message_services.event_message_preview(actor=caller, event=event, **arguments)
        return Status(
            200,
            {
                "recipients": preview.recipients,
                "subject": preview.rendered.subject,
                "body_text": preview.rendered.text,
                "body_html": preview.rendered.html,
            },
        )
    sent = message_services.event_message_send(actor=caller, event=event, **arguments)
    return Status(201, {"queued": len(sent)})

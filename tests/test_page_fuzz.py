"""Fuzzing the pages' forms and query strings (they are not in the OpenAPI document): any
text in any field, as the caller the form is for, never answers 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lectern.checkout.models import Step
from lectern.memberships.models import Membership
from lectern.registrations.models import Registration
from lectern.registrations.tokens import manage_token, trainee_token
from tests.world import NOW, fill

pytestmark = pytest.mark.slow  # fuzzes every form (hypothesis)

# Text a person or a script might send: anything printable or not (no lone surrogates, which
# no browser can encode), numbers past any column, digits int() refuses, long text.
VALUES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(["", " ", "0", "-1", "9" * 30, "\u00b2", "2027-02-30", "x" * 5000]),
    st.integers().map(str),
)
FORMS = {
    "register": ("anonymous", "/events/{E}/register/"),
    "move": ("trainee", "/manage/{token}/move/"),
    "withdraw": ("trainee", "/manage/{token}/withdraw/"),
    "checkout": ("trainee", "/me/{personal}/checkout/"),
    "directory": ("trainee", "/me/{personal}/directory/"),
    "roster": ("staff", "/events/{P}/roster/"),
    "review": ("staff", "/review/"),
    "login": ("anonymous", "/login/"),
}
# Each form's fields with a value that passes, so that a mix of these and fuzzed values reaches
# the services behind the forms, not only the forms' own checks.
VALID: dict[str, dict[str, str]] = {
    "register": {
        **{"code": "{code}", "name": "Fuzz", "email": "fuzz@x.example", "affiliation": "Uni"},
        **{"country": "GB", "technologies": "python", "usage_frequency": "weekly"},
        **{"carpentries_experience": "none", "teaching_experience": "", "timezone": "UTC"},
        **{"accept_code_of_conduct": "on", "accept_privacy": "on", "directory_consent": "on"},
        "action": "register",
    },
    "move": {"event_id": "{E2}"},
    "withdraw": {"reason": "ill", "confirm": "on"},
    "checkout": {
        **{"requirement": "get_involved", "kind": "github", "date": "2027-01-08"},
        **{"url": "https://github.com/carpentries/lesson-example", "description": "a fix"},
    },
    "directory": {
        **{"directory_consent": "on", "github": "octocat", "orcid": "0000-0002-1825-0097"},
        "website": "https://example.org",
    },
    "roster": {},  # filled in from the event's registrations and sessions
    "review": {"step_id": "{step}", "state": "passed", "notes": "good"},
    "login": {"email": "staff@x.example"},
}
QUERIES = ["/calendar/?quarter=", "/instructors/?q=", "/verify/", "/waitlist/", "/login/"]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _client(world: dict[str, Any], caller: str) -> Client:
    client = Client()
    if caller == "staff":
        client.force_login(world["users"]["staff"])
    return client


def _ids(world: dict[str, Any]) -> dict[str, Any]:
    """The world's ids, with the manage token and the personal link of a trainee in checkout,
    the code of the organisation and one of the trainee's checkout steps."""
    in_checkout = Registration.objects.get(trainee_id=world["ids"]["T"])
    trainee = in_checkout.trainee
    return {
        **world["ids"],
        "token": manage_token(in_checkout.pk, in_checkout.manage_nonce),
        "personal": trainee_token(trainee.pk, trainee.link_nonce),
        "code": Membership.objects.get(pk=world["ids"]["A"]).registration_code,
        "step": Step.objects.filter(checkout__trainee_id=world["ids"]["T"]).first().pk,  # type: ignore[union-attr]
    }


def _roster(world: dict[str, Any]) -> dict[str, str]:
    past = Registration.objects.filter(event_id=world["ids"]["P"])
    sessions = past.first().event.sessions.all()  # type: ignore[union-attr]
    return {f"{kind}-{r.pk}-{s.pk}": "0" for r in past for s in sessions for kind in ("missed",)}


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(FORMS))
def test_forms_take_any_text(world: dict[str, Any], form: str) -> None:
    caller, template = FORMS[form]
    ids = _ids(world)
    path = str(fill(template, ids))
    valid = {name: str(fill(value, ids)) for name, value in VALID[form].items()} or _roster(world)
    fields = {name: st.one_of(st.just(value), VALUES) for name, value in valid.items()}

    @FUZZ
    @given(st.fixed_dictionaries(fields))
    def post(data: dict[str, str]) -> None:
        with time_machine.travel(NOW, tick=False):
            response = _client(world, caller).post(path, data)
        assert response.status_code < 500, (path, data)

    post()


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", QUERIES)
def test_query_strings_and_path_parts_take_any_text(
    world: dict[str, Any],
    prefix: str,
) -> None:
    @FUZZ
    @given(VALUES)
    def get(value: str) -> None:
        from urllib.parse import quote

        suffix = quote(value, safe="") + ("" if "?" in prefix else "/")
        with time_machine.travel(NOW, tick=False):
            response = _client(world, "anonymous").get(prefix + suffix)
        assert response.status_code < 500, (prefix, value)

    get()

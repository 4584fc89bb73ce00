"""Names shown publicly carry no direction controls (directory, verification, certificate)."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import token_create, user_ensure
from lectern.checkout import services as checkout
from lectern.core.display import DIRECTION_CONTROLS, public_name
from lectern.core.permissions import Principal
from lectern.registrations.models import Trainee
from tests import demo_world

pytestmark = pytest.mark.django_db
world = demo_world.world  # the fixture
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
NAME = f"Ana \u202eevil\u202c Lima{CONTROLS}"


@pytest.fixture
def certified(world: Any, system: Principal) -> Any:
    trainee = world["trainee"]
    Trainee.objects.filter(pk=trainee.pk).update(name=NAME, directory_consent=True)
    trainee.refresh_from_db()
    with time_machine.travel(demo_world.NOW, tick=False):
        checkout.progress_record(
            actor=system, trainee=trainee, requirement="teaching_demo", state="passed"
        )
    trainee.refresh_from_db()
    return trainee.certificate


def test_every_control_is_dropped_and_nothing_else() -> None:
    assert len(DIRECTION_CONTROLS) == len(CONTROLS) == 11
    assert public_name(NAME) == "Ana evil Lima"
    assert public_name("José Ñúñez 王 \u200d") == "José Ñúñez 王 \u200d"  # ZWJ is not a control


def test_directory_page_and_feed(client: Client, certified: Any) -> None:
    page = client.get("/instructors/").content.decode()
    assert "Ana evil Lima" in page
    assert not any(c in page for c in CONTROLS)
    [entry] = client.get("/api/v1/instructors").json()["items"]
    assert entry["name"] == "Ana evil Lima"


def test_verification_page_and_api(client: Client, certified: Any) -> None:
    page = client.get(f"/verify/{certified.number}/").content.decode()
    assert "Ana evil Lima" in page
    assert not any(c in page for c in CONTROLS)
    assert client.get(f"/api/v1/verify/{certified.number}").json()["name"] == "Ana evil Lima"


def test_certificate_pdf(client: Client, certified: Any) -> None:
    token = token_create(user=user_ensure(email="staff@x.example", role="staff"))
    response = client.get(
        f"/api/v1/certificates/{certified.pk}/pdf", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text() + str(reader.metadata.get("/Subject", ""))
    assert "Ana evil Lima" in text
    assert not any(c in text for c in CONTROLS)

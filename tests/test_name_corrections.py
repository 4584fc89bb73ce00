"""Name corrections: staff correct with a reason, or accept the trainee's request; the
certificate is re-issued under a new number and verifying the old one says superseded."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import ApiClient
from lectern.accounts.services import user_ensure
from lectern.certificates.models import Certificate
from lectern.certificates.services import trainee_name_correct
from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.registrations.models import Trainee
from lectern.registrations.services import name_change_requested
from lectern.registrations.tokens import trainee_token
from tests.world import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(world: dict[str, Any]) -> Trainee:
    return Certificate.objects.get(pk=world["ids"]["C"]).trainee


def test_staff_correct_and_the_old_certificate_is_superseded(
    client: Client, anon_api: ApiClient, certified: Trainee
) -> None:
    old = certified.certificate.number
    with pytest.raises(DomainError) as refused:
        trainee_name_correct(actor=Principal.as_system(), trainee=certified, name="X", reason=" ")
    assert refused.value.code == "validation_error"
    trainee_name_correct(
        actor=Principal.as_system(), trainee=certified, name="Ada King", reason="Typo"
    )
    certificate = Certificate.objects.get(trainee=certified)
    assert certificate.number != old
    assert certificate.name_on_certificate == "Ada King"
    answer = anon_api.get(f"/verify/{old}").json()
    assert answer == {
        "number": old,
        "name": "Trainee 4",
        "awarded_on": str(certificate.awarded_on),
        "valid": False,
        "superseded": True,
        "superseded_by": certificate.number,
    }
    new = anon_api.get(f"/verify/{certificate.number}").json()
    assert (new["name"], new["valid"], new["superseded"]) == ("Ada King", True, False)
    page = client.get(f"/verify/{old}/")
    assert page.status_code == 200
    assert "Superseded." in page.content.decode()
    assert certificate.number in page.content.decode()


def test_the_trainee_asks_and_staff_accept(client: Client, certified: Trainee) -> None:
    token = trainee_token(certified.pk, certified.link_nonce)
    page = client.get(f"/me/{token}/").content.decode()
    assert "Is your name wrong?" in page
    client.post(f"/me/{token}/name/", {"name": "  "})
    assert name_change_requested(certified) is None
    client.post(f"/me/{token}/name/", {"name": "Ada Byron King"})
    assert name_change_requested(certified) == "Ada Byron King"
    staff = Client()
    with time_machine.travel(NOW, tick=False):
        staff.force_login(user_ensure(email="staff@x.example", role="staff"))
        change = staff.get(f"/admin/registrations/trainee/{certified.pk}/change/").content.decode()
        assert "Correct the name (requested: Ada Byron King)" in change
        done = staff.post(
            f"/admin/registrations/trainee/{certified.pk}/name/", {"name": "", "reason": "Asked"}
        )
    assert done.status_code == 302
    certified.refresh_from_db()
    assert certified.name == "Ada Byron King"
    assert Certificate.objects.get(trainee=certified).name_on_certificate == "Ada Byron King"
    assert name_change_requested(certified) is None
    with time_machine.travel(NOW, tick=False):
        staff.force_login(user_ensure(email="staff@x.example", role="staff"))
        history = staff.get(f"/admin/registrations/trainee/{certified.pk}/change/")
    assert "trainee name corrected" in history.content.decode()


def test_only_the_trainee_may_ask(certified: Trainee) -> None:
    from lectern.registrations.services import trainee_name_request

    with pytest.raises(DomainError) as refused:
        trainee_name_request(
            actor=Principal.personal(certified.pk + 1), trainee=certified, name="Z"
        )
    assert refused.value.code == "not_found"


def test_erasure_blanks_the_name_a_superseded_number_carried(
    client: Client, anon_api: ApiClient, certified: Trainee
) -> None:
    """Verifying the number replaced by a correction showed the old name after erasure."""
    from lectern.directory.personal_data import personal_data_erase

    old = certified.certificate.number
    trainee_name_correct(
        actor=Principal.as_system(), trainee=certified, name="Ada King", reason="Typo"
    )
    certified.refresh_from_db()
    personal_data_erase(actor=Principal.as_system(), trainee=certified)
    answer = anon_api.get(f"/verify/{old}").json()
    assert (answer["superseded"], answer["name"]) == (True, "Erased trainee")
    page = client.get(f"/verify/{old}/").content.decode()
    assert "Trainee 4" not in page


def test_the_trainees_history_shows_their_certificate(certified: Trainee) -> None:
    """Certified, re-issued and revoked are entries about the certificate: the trainee's
    page showed none of them, so a name correction showed without its re-issue."""
    trainee_name_correct(
        actor=Principal.as_system(), trainee=certified, name="Ada King", reason="Typo"
    )
    staff = Client()
    with time_machine.travel(NOW, tick=False):
        staff.force_login(user_ensure(email="staff@x.example", role="staff"))
        page = staff.get(f"/admin/registrations/trainee/{certified.pk}/change/").content.decode()
    assert "trainee name corrected" in page
    assert "certificate reissued" in page
    assert "name corrected: Typo" in page


def test_erasure_leaves_no_name_in_the_audit_trail_or_the_typed_details(
    certified: Trainee,
) -> None:
    """The audit entries of a correction, a request and a re-issue kept the old and new
    names after erasure, and each registration kept what was typed."""
    import json

    from lectern.core.models import AuditEntry
    from lectern.directory.personal_data import personal_data_erase
    from lectern.registrations.models import Registration
    from lectern.registrations.services import trainee_name_request

    before = certified.name
    trainee_name_request(
        actor=Principal.personal(certified.pk), trainee=certified, name="Ada B. King"
    )
    trainee_name_correct(
        actor=Principal.as_system(), trainee=certified, name="Ada King", reason="Typo"
    )
    certified.refresh_from_db()
    assert AuditEntry.objects.filter(data__icontains="Ada King").exists()
    personal_data_erase(actor=Principal.as_system(), trainee=certified)
    stored = json.dumps(list(AuditEntry.objects.values("data", "reason")))
    for name in (before, "Ada King", "Ada B. King"):
        assert name not in stored
    assert set(
        map(
            json.dumps,
            Registration.objects.filter(trainee=certified).values_list(
                "submitted_details", flat=True
            ),
        )
    ) == {"{}"}

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from lectern.accounts.models import User
from lectern.accounts.services import token_authenticate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "flag"), [("staff", "is_staff"), ("trainer", "is_trainer")])
def test_token_command_creates_user_and_prints_token_last(role: str, flag: str) -> None:
    out = StringIO()
    call_command("token", email="New.Person@Example.org", role=role, stdout=out, stderr=StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    user = User.objects.get(email="new.person@example.org")
    assert getattr(user, flag) is True
    assert token_authenticate(token) == user
    out2 = StringIO()
    call_command("token", email="new.person@example.org", role=role, stdout=out2, stderr=StringIO())
    assert out2.getvalue().strip() != token
    assert User.objects.count() == 1


def test_coordinator_token_grants_no_staff_rights() -> None:
    out = StringIO()
    call_command("token", email="c@example.org", role="coordinator", stdout=out, stderr=StringIO())
    user = User.objects.get(email="c@example.org")
    assert not user.is_staff
    assert not user.is_trainer

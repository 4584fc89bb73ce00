"""Setting up members quickly: one form for organisation, membership and coordinator; a CSV
import of many with a preview and refusals per line; domains typed as plain names."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lectern.memberships.models import Membership, MembershipContact, Organization
from lectern.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, staff_user: Any) -> Client:
    client.force_login(staff_user)
    return client


def member(**extra: str) -> dict[str, str]:
    return {
        "name": "Uni of Here",
        "country": "NZ",
        "domains": "here.ac.nz, https://www.Here.org/\nhere.ac.nz",
        "tier": "silver",
        "start_date": "2027-01-01",
        "coordinator_name": "Ana Coordinator",
        "coordinator_email": "Ana@Here.ac.nz",
        **extra,
    }


def test_one_form_creates_organisation_membership_and_coordinator(staff_client: Client) -> None:
    response = staff_client.post("/admin/memberships/membership/new-member/", member())
    membership = Membership.objects.get()
    assert response["Location"] == f"/admin/memberships/membership/{membership.pk}/change/"
    org = membership.organization
    assert (org.name, str(org.country), org.domains) == (
        "Uni of Here",
        "NZ",
        ["here.ac.nz", "here.org"],
    )
    assert membership.seats_granted > 0
    assert f"{membership.end_date}" == "2027-12-31"
    contact = MembershipContact.objects.get()
    assert (contact.email, contact.role) == ("ana@here.ac.nz", "coordinator")
    assert Message.objects.filter(kind="membership_welcome").count() == 1


def test_a_refused_coordinator_leaves_nothing_behind(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/memberships/membership/new-member/", member(coordinator_name=" ")
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = staff_client.post("/admin/memberships/membership/new-member/", member(country="XX"))
    assert "&#x27;XX&#x27; is not an ISO 3166 country code" in response.content.decode()
    assert Organization.objects.count() == Membership.objects.count() == 0


def test_the_organisation_form_takes_plain_domain_names(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/memberships/organization/add/",
        {"name": "X", "country": "GB", "domains": "x.org"},
    )
    assert response.status_code == 302
    org = Organization.objects.get()
    assert org.domains == ["x.org"]
    page = staff_client.get(f"/admin/memberships/organization/{org.pk}/change/").content.decode()
    assert "\nx.org</textarea>" in page
    staff_client.post(
        f"/admin/memberships/organization/{org.pk}/change/",
        {"name": "X", "country": "GB", "domains": "x.org,y.edu"},
    )
    org.refresh_from_db()
    assert org.domains == ["x.org", "y.edu"]
    response = staff_client.post(
        f"/admin/memberships/organization/{org.pk}/change/",
        {"name": "X", "country": "GB", "domains": "x.org, not a domain"},
    )
    assert "&#x27;not&#x27; is not a domain name like x.org." in response.content.decode()
    response = staff_client.post(
        f"/admin/memberships/organization/{org.pk}/change/",
        {"name": "X", "country": "GB", "domains": "localhost"},
    )
    assert "is not a domain name" in response.content.decode()
    org.refresh_from_db()
    assert org.domains == ["x.org", "y.edu"]


CSV = (
    "name,country,domains,tier,start_date,end_date,seats,registration_code,"
    "coordinator_name,coordinator_email\n"
    "Alpha U,GB,alpha.ac.uk,gold,2027-01-01,,,,Al Pha,al@alpha.ac.uk\n"
    "Beta U,ZZ,,gold,2027-01-01,,,,Be Ta,be@beta.edu\n"
    "Gamma U,US,gamma.edu;g.org,custom,2027-01-01,2027-06-30,7,GAMMA-2027-X,Ga Ma,ga@gamma.edu\n"
    "Delta U,US,,custom,2027-01-01,,,,De Lta,de@delta.edu\n"
    "Eps U,US,,gold,01/01/2027,,,,Ep S,not-an-email\n"
)


def test_an_import_previews_then_creates_and_refuses_per_line(staff_client: Client) -> None:
    url = "/admin/memberships/membership/import/"
    preview = staff_client.post(url, {"report": CSV}).content.decode()
    assert "Preview: nothing is created yet: 2 to create, 3 refused" in preview
    assert "&#x27;ZZ&#x27; is not an ISO 3166 country code" in preview
    assert "A custom tier needs the number of seats." in preview
    assert "&#x27;01/01/2027&#x27; is not a date like 2027-01-01." in preview
    assert "GAMMA-2027-X" in preview
    assert (
        Organization.objects.count() == Membership.objects.count() == Message.objects.count() == 0
    )

    upload = SimpleUploadedFile("members.csv", CSV.encode("utf-8-sig"), "text/csv")
    done = staff_client.post(url, {"upload": upload, "confirm": "on"}, follow=True)
    assert "Created 2 members; 3 lines refused." in done.content.decode()
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["Alpha U", "Gamma U"]
    gamma = Membership.objects.get(registration_code="GAMMA-2027-X")
    assert (gamma.seats_granted, f"{gamma.end_date}") == (7, "2027-06-30")
    assert gamma.organization.domains == ["gamma.edu", "g.org"]
    assert MembershipContact.objects.filter(role="coordinator").count() == 2


HEADER = CSV.splitlines()[0]


def test_an_import_refuses_what_its_columns_cannot_hold_per_line(staff_client: Client) -> None:
    """Each was a 500: digits int() refuses, names longer than their column (PostgreSQL)."""
    lines = [
        "Seats U,GB,,custom,2027-01-01,,\u00b2,,Se Ats,se@seats.edu",
        f"{'O' * 201},GB,,gold,2027-01-01,,,,Or G,or@org.edu",
        f"{'O' * 200},GB,,gold,2027-01-01,,,,Or G,or@long.edu",
        f"Coord U,GB,,gold,2027-01-01,,,,{'C' * 201},co@coord.edu",
        "Line U,GB,,gold,2027-01-01,,,,Bell\u2028Ringer,be@line.edu",
    ]
    page = staff_client.post(
        "/admin/memberships/membership/import/", {"report": "\n".join([HEADER, *lines])}
    ).content.decode()
    assert "Preview: nothing is created yet: 1 to create, 4 refused" in page
    assert "&#x27;\u00b2&#x27; is not a whole number of seats." in page
    assert page.count("At most 200 characters (201 given).") == 2
    assert "Give one line of text" in page


def test_an_import_with_a_cell_past_the_csv_limit_is_refused(staff_client: Client) -> None:
    report = "\n".join([HEADER, CSV.splitlines()[1], "A" * 140_000])
    response = staff_client.post("/admin/memberships/membership/import/", {"report": report})
    assert response.status_code == 200
    assert "Line 3 is not readable: a cell is too long." in response.content.decode()
    assert Organization.objects.count() == 0


def test_an_import_without_the_needed_columns_is_refused(staff_client: Client) -> None:
    page = staff_client.post(
        "/admin/memberships/membership/import/", {"report": "name,country\nA,GB\n"}
    ).content.decode()
    assert "The header lacks: tier, start_date, coordinator_name, coordinator_email." in page
    page = staff_client.post("/admin/memberships/membership/import/", {}).content.decode()
    assert "Paste the CSV or choose a file." in page
    listing = staff_client.get("/admin/memberships/membership/").content.decode()
    assert "Import members (CSV)" in listing


def test_the_import_command_previews_then_applies(tmp_path) -> None:
    import io

    from django.core.management import call_command

    source = tmp_path / "members.csv"
    source.write_text(CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", str(source), stdout=out, stderr=err)
    assert "line 3 Beta U: refused: country: 'ZZ' is not an ISO 3166" in out.getvalue()
    assert "would create (preview; --apply to create): 2; refused: 3" in out.getvalue()
    assert err.getvalue() == ""  # no progress drawn when not on a terminal
    assert Organization.objects.count() == 0
    out = io.StringIO()
    call_command("import_members", str(source), "--apply", stdout=out, stderr=io.StringIO())
    assert "created: 2; refused: 3" in out.getvalue()
    assert Membership.objects.count() == 2

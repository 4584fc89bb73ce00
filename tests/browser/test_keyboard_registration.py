"""A trainee whose browser speaks Spanish registers from the calendar with the keyboard alone:
Tab and Shift+Tab between fields, Space for the boxes, the arrow keys for the choices, Enter
to follow a link or send the form. A wrong code sends focus to the list of problems, whose
link takes it to the field; the confirmation reads in Spanish."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.site import site

__all__ = ["site"]  # the fixture
PRESSES = 80  # more Tabs than any page here needs to reach anything on it


@pytest.fixture
def page(browser: Browser, site: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(base_url=site["url"], locale="es", timezone_id="Europe/Madrid")
    yield context.new_page()
    context.close()


def focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement.matches(s)", selector))


def tab_to(page: Page, selector: str, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    for _ in range(PRESSES):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{PRESSES} presses of {key} never reached {selector}")


def test_register_from_the_calendar_with_the_keyboard_alone(
    page: Page, site: dict[str, Any]
) -> None:
    page.goto("/calendar/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    tab_to(page, f'a[href$="/events/{site["E"]}/register/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/events/{site['E']}/register/")

    tab_to(page, "#id_code")
    page.keyboard.type("WRONG-CODE-1")
    tab_to(page, "#id_name")
    page.keyboard.type("Ada Lovelace")
    tab_to(page, "#id_email")
    page.keyboard.type("ada@harbour.example")
    tab_to(page, "#id_code", "Shift+Tab")  # back up to check the code, then on again
    expect(page.locator("#id_code")).to_have_value("WRONG-CODE-1")
    tab_to(page, "#id_affiliation")
    page.keyboard.type("Universidad del Puerto")
    tab_to(page, "#id_country")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_country").input_value()
    tab_to(page, "#id_technologies_0")
    page.keyboard.press("Space")
    tab_to(page, "input[name=usage_frequency]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the next choice, checked as it takes the focus
    expect(page.locator("#id_usage_frequency_1")).to_be_checked()
    tab_to(page, "#id_carpentries_experience_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_accept_code_of_conduct")
    page.keyboard.press("Space")
    tab_to(page, "#id_accept_privacy")
    page.keyboard.press("Space")
    tab_to(page, "button[value=register]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The problem, in a summary that has the focus, whose link takes the focus to the field
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Hay un problema con su inscripción")
    expect(page.locator("#id_name")).to_have_value("Ada Lovelace")
    expect(page.locator("#id_technologies_0")).to_be_checked()
    tab_to(page, "#error-summary a[href='#id_code']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(site["CODE"].lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")  # sends the form from its text box

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("status")).to_contain_text("Inscripción hecha.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Su inscripción")

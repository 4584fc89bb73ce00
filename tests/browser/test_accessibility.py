"""Every page, in English and in Spanish, passes axe-core with no violation at any impact:
every rule axe runs by default (WCAG 2.0, 2.1 and 2.2 A and AA, and its best practices)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser import axe
from tests.browser.site import PAGES, Case, Contexts, site, visit

__all__ = ["site"]  # the fixture


@pytest.fixture(scope="module")
def context_for(browser: Browser, site: dict[str, Any]) -> Iterator[Contexts]:
    source = axe.source()
    made = Contexts(browser, site)
    made.setup = lambda ctx: ctx.add_init_script(script=source)
    yield made
    made.close()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("case", PAGES, ids=lambda c: c.name)
def test_the_page_passes_axe(
    case: Case, language: str, context_for: Contexts, site: dict[str, Any]
) -> None:
    page = context_for.page(case.who, language)
    visit(page, case, site)
    assert page.locator("html").get_attribute("lang") == language
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    problems = axe.violations(result)
    assert not problems, f"{page.url}\n" + "\n".join(problems)


def test_the_check_finds_a_violation(context_for: Contexts) -> None:
    """The same check on a page given an image without a text alternative fails."""
    page = context_for.page("anonymous", "en")
    page.goto("/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML("
        "'beforeend', '<img src=\"/static/lectern/favicon.svg\">')"
    )
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert [line.split()[0] for line in axe.violations(result)] == ["image-alt"]

"""On a phone (320 and 390 CSS pixels wide), no public or trainee page scrolls sideways: wide
content wraps, stacks, or scrolls inside its own box."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.site import PUBLIC, TRAINEE, Case, Contexts, site, visit

__all__ = ["site"]  # the fixture

WIDTHS = [320, 390]
# What is wider than the window, for the failure message: the outermost such elements.
WIDER = """() => {
  const limit = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > limit + 0.5 && !(e.parentElement && e.parentElement.closest('.table-scroll'));
  });
  return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
         + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
}"""


@pytest.fixture(scope="module")
def phone(browser: Browser, site: dict[str, Any]) -> Iterator[Contexts]:
    made = Contexts(browser, site, is_mobile=True, has_touch=True)
    yield made
    made.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", PUBLIC + TRAINEE, ids=lambda c: c.name)
def test_the_page_does_not_scroll_sideways(
    case: Case, width: int, phone: Contexts, site: dict[str, Any]
) -> None:
    page = phone(case.who, "en").new_page()
    try:
        page.set_viewport_size({"width": width, "height": 800})
        visit(page, case, site)
        scroll, client, inner = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " window.innerWidth]"
        )
        assert client <= inner == width
        assert scroll <= client, f"{page.url} is {scroll}px wide: {page.evaluate(WIDER)}"
    finally:
        page.close()

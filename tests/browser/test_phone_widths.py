"""On a phone (320 and 390 CSS pixels wide), no public or trainee page scrolls sideways: wide
content wraps, stacks, or scrolls inside its own box; and each passes axe-core there too (its
layout at that width: reflow, target sizes, what a narrow screen hides)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser import axe
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
    source = axe.source()
    made = Contexts(browser, site, is_mobile=True, has_touch=True)
    made.setup = lambda ctx: ctx.add_init_script(script=source)
    yield made
    made.close()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", PUBLIC + TRAINEE, ids=lambda c: c.name)
def test_the_page_does_not_scroll_sideways_and_passes_axe(
    case: Case, width: int, language: str, phone: Contexts, site: dict[str, Any]
) -> None:
    page = phone.page(case.who, language)
    page.set_viewport_size({"width": width, "height": 800})
    visit(page, case, site)
    scroll, client, inner = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " window.innerWidth]"
    )
    assert scroll <= client, f"{page.url} is {scroll}px wide: {page.evaluate(WIDER)}"
    assert client <= inner == width  # nor does a phone widen the window to fit the page
    problems = axe.violations(
        page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    )
    assert not problems, f"{page.url} at {width}px\n" + "\n".join(problems)


def test_the_check_sees_a_page_that_scrolls(phone: Contexts) -> None:
    page = phone.page("anonymous", "en")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/")
    page.evaluate(  # a style set from a script: the pages' policy refuses style attributes
        "() => { const wide = document.createElement('div'); wide.style.width = '400px';"
        " wide.textContent = 'wide';"
        " document.querySelector('main').append(wide); }"
    )
    assert page.evaluate("document.documentElement.scrollWidth") > 320
    assert page.evaluate(WIDER) == ["div 416px"]  # main's padding, then 400 px

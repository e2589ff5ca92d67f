"""A bad date typed into the circuit lab (the classroom page) is reported right under its box, and
the answers above are marked stale (banner, dimmed) until the date is valid again."""
from __future__ import annotations

import pytest

from bench import browser as drive

pytestmark = pytest.mark.browser

BOX = ".deshaney-fact-conduct_date input"
MESSAGE = ".deshaney-box-message-conduct_date .dsh-error"
BANNER = ".dsh-stale-banner"


def test_a_bad_date_is_shown_beside_its_box_and_the_answers_go_stale(context, voila, artifacts):
    page = context.new_page()
    try:
        drive.open_voila(page, voila["circuit_lab"])
        box = page.locator(BOX).first
        good = box.input_value()
        box.scroll_into_view_if_needed()
        box.fill("1998-13-01")
        box.press("Enter")
        message = page.locator(MESSAGE).first
        message.wait_for(state="visible", timeout=30_000)
        page.screenshot(path=str(artifacts / "voila-bad-date.png"))
        under, near = box.bounding_box(), message.bounding_box()
        gap = near["y"] - (under["y"] + under["height"])
        assert 0 <= gap < 80, f"the message is {gap:.0f} px below the date box"
        assert "press Enter" in page.locator(".deshaney-box-message-conduct_date").first.inner_text()
        assert page.locator(BANNER).first.is_visible() and "Stale: fix the date" in page.locator(BANNER).first.inner_text()
        assert page.locator(".deshaney-circuit-table.deshaney-stale").count() == 1
        assert float(page.locator(".deshaney-projector").first.evaluate("e => getComputedStyle(e).opacity")) < 0.5

        box.fill(good)
        box.press("Enter")
        page.locator(BANNER).first.wait_for(state="detached", timeout=30_000)
        assert page.locator(".deshaney-stale").count() == 0 and page.locator(MESSAGE).count() == 0
        assert float(page.locator(".deshaney-projector").first.evaluate("e => getComputedStyle(e).opacity")) == 1
    finally:
        page.close()

"""The qualified-immunity lab on the classroom page: drawn, and the answer follows the conduct date."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

RESULT = ".deshaney-qi-result"


def test_qi_lab_is_drawn_and_answers_a_new_conduct_date(context, voila, artifacts):
    page = context.new_page()
    try:
        page.goto(voila["qi_lab"], wait_until="commit")
        page.wait_for_function(f"() => document.querySelector('{RESULT}')?.innerText.trim()", timeout=60_000)
        assert page.locator(".deshaney-qi-lab").count() == 1
        page.locator(".deshaney-timeline .js-plotly-plot").wait_for(state="attached")
        assert page.locator(".jp-InputArea, .jp-Cell-inputWrapper").count() == 0, "the demo shows code"
        page.screenshot(path=str(artifacts / "voila-qi-lab-opened.png"))
        before = page.locator(RESULT).inner_text()
        # Before DeShaney itself (1989) nothing about state-created danger was clearly established.
        date_box = page.locator(".deshaney-conduct-date input").first
        date_box.fill("1988-01-04")
        date_box.press("Enter")
        page.wait_for_function(f"(b) => document.querySelector('{RESULT}').innerText !== b", arg=before,
                               timeout=30_000)
        assert page.locator(".deshaney-conduct-date input").first.input_value() == "1988-01-04"
        page.screenshot(path=str(artifacts / "voila-qi-lab-changed.png"))
    finally:
        page.close()

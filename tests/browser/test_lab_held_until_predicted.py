"""Predict first, in JupyterLab: after Run All the lab under lesson 00's prediction is still held
back (no answer on the page); checking the prediction opens it."""
from __future__ import annotations

import pytest

from bench import browser as drive

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/00_start_here.ipynb"
PREDICTION = ".deshaney-exercise-predict_kennedy_everywhere"


def test_run_all_keeps_the_lab_held_until_the_prediction_is_checked(context, jupyterlab, artifacts):
    page = context.new_page()
    try:
        drive.open_lab_notebook(page, jupyterlab, NOTEBOOK, reveal=False)
        held = page.locator(".deshaney-held-lab").first
        held.wait_for(state="attached", timeout=60_000)
        held.scroll_into_view_if_needed()
        assert "held back until you predict" in held.inner_text()
        assert drive.table_text(page) is None and page.locator(".deshaney-projector").count() == 0
        page.screenshot(path=str(artifacts / "jupyterlab-lab-held.png"))

        box = page.locator(PREDICTION).first
        box.scroll_into_view_if_needed()
        box.locator(".deshaney-choices input[type=checkbox]").first.check()
        box.locator("button.deshaney-check").click()
        box.locator(".deshaney-feedback div").first.wait_for(timeout=60_000)
        drive.wait_table(page)  # the lab opened in place of the note
        assert page.locator(".deshaney-held-lab").count() == 0
        page.screenshot(path=str(artifacts / "jupyterlab-lab-opened-after-prediction.png"))
    finally:
        page.close()

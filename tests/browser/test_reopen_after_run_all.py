"""A lesson run and saved in JupyterLab reopens without "Error displaying widget: model not found",
and the save changed no byte of the committed file (so `git pull` never conflicts). JupyterLab is
the tests' own (started as `make lab` starts it, with the pre-save hook of helpers/saving.py)."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from bench import browser as drive

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "notebooks/00_start_here.ipynb"

JS_SAVE = """async () => { const w = window.jupyterapp.shell.currentWidget;
  await w.context.save(); return w.context.model.dirty; }"""
JS_DRAWN = """() => { const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.widgets;
  return cells.length === w.content.model.cells.length && cells.every(c => c.isAttached
         && (c.model.type !== 'code' || c.outputArea.widgets.length === c.model.outputs.length)); }"""
JS_OUTPUTS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(c => c.model.type === 'code').reduce((n, c) => n + c.model.outputs.length, 0)"""


def test_a_run_lesson_saves_as_committed_and_reopens_cleanly(context, jupyterlab, artifacts):
    path = ROOT / NOTEBOOK
    committed = path.read_bytes()
    page = context.new_page()
    try:
        drive.open_lab_notebook(page, jupyterlab, NOTEBOOK)
        page.wait_for_selector(".deshaney-exercise-set", state="attached")
        assert page.evaluate(JS_OUTPUTS) > 0  # the run drew its widgets
        assert page.evaluate(JS_SAVE) is False  # saved
        saved = path.read_bytes()
        if saved != committed:
            (artifacts / "reopen-saved.ipynb").write_bytes(saved)
        assert saved == committed, f"saving a lesson that was only run changed the file: {artifacts / 'reopen-saved.ipynb'}"

        page.goto(drive.lab_url(jupyterlab, f"lab/workspaces/w{secrets.token_hex(4)}/tree/{NOTEBOOK}"),
                  wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.context"
                               " && window.jupyterapp.shell.currentWidget.context.isReady", timeout=120_000)
        # Every cell drawn from the file as reopened (the panel revealed, each cell's view built): any
        # output it kept, and any widget view in it, is on the page now.
        page.evaluate("async () => { await window.jupyterapp.shell.currentWidget.revealed; }")
        page.wait_for_function(JS_DRAWN, timeout=120_000)
        page.screenshot(path=str(artifacts / "jupyterlab-reopened-after-run-all.png"))
        assert "model not found" not in page.inner_text("body")
        assert page.evaluate(JS_OUTPUTS) == 0
    finally:
        if path.read_bytes() != committed:  # never leave the repository changed
            path.write_bytes(committed)
        page.close()

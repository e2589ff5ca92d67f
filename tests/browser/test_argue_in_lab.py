"""In JupyterLab a student plays Kennedy's three plies: a weak case first (told why: the mechanism),
then the strong one; the next ply opens; the complete argument is right and saved."""
from __future__ import annotations

import pytest

from bench import browser as drive
from helpers.exercises import load_lesson

pytestmark = pytest.mark.browser

LESSON = "06_qualified_immunity"


def _scratch_notebook(artifacts) -> str:
    """A notebook with the lesson's exercise set alone (the cell lesson 06 ends with), in artifacts/."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f'from helpers.exercises import exercise_set\nexercise_set("{LESSON}")')]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = artifacts / "argue_kennedy.ipynb"
    nbformat.write(nb, path)
    return str(path.relative_to(artifacts.parents[2]))
MOVES = {"cite": "l_w_v_grubbs_1992", "distinguish": "act_kind", "counter": "l_w_v_grubbs_1996",
         "rebut": "distinction_immaterial"}


def test_kennedy_three_plies_in_jupyterlab(context, jupyterlab, artifacts, server_env):
    ex = load_lesson(LESSON)["kennedy_three_ply"]
    text = {p.id: {m.id: m.text for m in p.moves} for p in ex.plies}
    page = context.new_page()
    try:
        notebook = _scratch_notebook(artifacts)
        drive.open_lab_notebook(page, jupyterlab, notebook, timeout=240_000)
        errors = drive.lab_errors(page)
        assert not errors, f"{notebook} raised in JupyterLab:\n{errors[0]}"
        box = page.locator(".deshaney-exercise-kennedy_three_ply").first
        box.scroll_into_view_if_needed()
        feedback = box.locator(".deshaney-feedback")

        def pick(ply: str, move: str) -> None:
            box.locator(f".deshaney-ply-{ply} label", has_text=text[ply][move]).first.click()

        assert box.locator(".deshaney-ply-distinguish").is_hidden()
        pick("cite", "wood_v_ostrander_1989")
        box.locator("button.deshaney-check").click()
        feedback.locator(".deshaney-feedback-wrong").wait_for()
        said = feedback.inner_text()
        assert "Weak" in said and "mechanism" in said, said[:300]
        box.locator("button.deshaney-retry").click()
        pick("cite", "l_w_v_grubbs_1992")
        box.locator("button.deshaney-check").click()
        box.locator(".deshaney-ply-distinguish").wait_for(state="visible")
        for ply in ("distinguish", "counter", "rebut"):
            pick(ply, MOVES[ply])
            box.locator("button.deshaney-check").click()
            if ply != "rebut":
                box.locator(f".deshaney-ply-{ex.plies[[p.id for p in ex.plies].index(ply) + 1].id}").wait_for(state="visible")
        feedback.locator(".deshaney-feedback-right").wait_for()
        assert "complete three-ply argument" in feedback.inner_text()
        from helpers.progress import ProgressStore

        saved = [(a.correct, a.answer) for a in ProgressStore(server_env["DESHANEY_PROGRESS_DB"]).attempts("browser-test")
                 if a.exercise == "kennedy_three_ply"]
        assert saved[-2:] == [(False, "cite=wood_v_ostrander_1989"),
                              (True, ";".join(f"{k}={v}" for k, v in MOVES.items()))]  # the moves, saved
        box.screenshot(path=str(artifacts / "jupyterlab-kennedy-three-ply.png"))
    finally:
        page.close()

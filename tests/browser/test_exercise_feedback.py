"""An exercise answered wrong, then right, in JupyterLab (notebooks/05 ends with its lesson's set).

The right and wrong choices come from the lesson's bank, so the test follows the author.
"""
from __future__ import annotations

import re

import pytest

from helpers.exercises import grade, load_lesson

pytestmark = pytest.mark.browser

LESSON = "05_circuit_lab"


def one_answer_exercise():
    """The first exercise answered by one choice, with one wrong and one right choice."""
    for ex in load_lesson(LESSON).exercises:
        if ex.select != "one":
            continue
        wrong = [i for i, c in enumerate(ex.choices) if not grade(ex, c.id).correct]
        right = [i for i, c in enumerate(ex.choices) if grade(ex, c.id).correct]
        if wrong and right:
            return ex, wrong[0], right[0]
    raise AssertionError(f"lessons/{LESSON}/exercises.yaml has no one-answer exercise to try")


def words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text).split()).lower()


def test_an_exercise_wrong_then_right(jupyterlab_circuit_lab, artifacts):
    page = jupyterlab_circuit_lab
    ex, wrong, right = one_answer_exercise()
    box = page.locator(f".deshaney-exercise-{ex.id}").first
    box.scroll_into_view_if_needed()
    choices = box.locator(".deshaney-choices input[type=radio]")
    assert choices.count() == len(ex.choices)
    feedback = box.locator(".deshaney-feedback")
    # The choices are shuffled per student (stable across retries): find each by its text.
    shown = [t.strip() for t in box.locator(".deshaney-choices .widget-radio-box label").all_inner_texts()]
    assert sorted(shown) == sorted(c.text for c in ex.choices), shown

    def answer(index: int, outcome: str, score: int) -> None:
        choices.nth(shown.index(ex.choices[index].text)).check()
        box.locator("button.deshaney-check").click()
        feedback.locator(f".deshaney-feedback-{outcome}").wait_for()
        said, expected = words(feedback.inner_text()), words(grade(ex, ex.choices[index].id).message)
        assert expected[:60] in said, f"{outcome}-answer feedback {said[:200]!r} lacks {expected[:60]!r}"
        score_line = page.locator(".deshaney-score").first.inner_text()
        assert re.search(rf"score:\s*{score} of", score_line, re.I), score_line
        box.screenshot(path=str(artifacts / f"jupyterlab-exercise-{outcome}.png"))

    answer(wrong, "wrong", 0)
    box.locator("button.deshaney-retry").click()
    page.wait_for_function("el => el.innerText.trim() === ''", arg=feedback.element_handle())
    answer(right, "right", 1)
    assert [t.strip() for t in box.locator(".deshaney-choices .widget-radio-box label").all_inner_texts()] == shown  # no reshuffle

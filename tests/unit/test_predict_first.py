"""Predict first: a prediction is placed once, before its lab; the lab stays held back until the
prediction is checked (or was, in an earlier session, or the student chooses to see it), so Run All
gives nothing away; the lesson's set counts the prediction without showing it a second time."""
from __future__ import annotations

import ipywidgets as widgets
import pytest

from helpers.exercises import PLACED_ON_THEIR_OWN, after_prediction, exercise, exercise_set, load_lesson
from helpers.exercises.widgets import ExerciseWidget, PlacedElsewhere
from helpers.progress import ProgressStore

LESSON, PREDICTION = "00_start_here", "predict_kennedy_everywhere"


def key(ex_id: str = PREDICTION) -> list[str]:
    return [c.id for c in load_lesson(LESSON)[ex_id].choices if c.correct]


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "p.sqlite3")


def test_the_lab_is_held_back_until_the_prediction_is_checked(store):
    lab = widgets.HTML("the lab")
    prediction = exercise(LESSON, PREDICTION, store=store, student="ann")
    gate = after_prediction(LESSON, PREDICTION, lab, store=store, student="ann")
    assert lab not in gate.children and "held back" in gate.children[0].value  # Run All ran both cells: still held
    prediction.item.set_answer(["ca9"])
    assert prediction.item.submit().answered
    assert gate.children == (lab,)


def test_an_unanswered_check_does_not_open_the_lab(store):
    lab = widgets.HTML("the lab")
    prediction = exercise(LESSON, PREDICTION, store=store, student="ann")
    gate = after_prediction(LESSON, PREDICTION, lab, store=store, student="ann")
    prediction.item.check.click()  # nothing ticked in a 'many' question is an answer: it is graded
    assert (gate.children == (lab,)) == (prediction.item.last is not None)


def test_the_student_may_see_the_lab_without_predicting(store):
    lab = widgets.HTML("the lab")
    gate = after_prediction(LESSON, PREDICTION, lab, store=store, student="ann")
    reveal = next(w for w in gate.children if isinstance(w, widgets.Button))
    reveal.click()
    assert gate.children == (lab,)
    assert store.attempts("ann") == []  # seeing the lab is not a prediction


def test_a_prediction_made_in_an_earlier_session_opens_the_lab_at_once(store):
    store.record(LESSON, PREDICTION, True, ",".join(key()), "ann")
    assert after_prediction(LESSON, PREDICTION, lab := widgets.HTML("lab"), store=store, student="ann").children == (lab,)
    held = after_prediction(LESSON, PREDICTION, lab2 := widgets.HTML("lab"), store=store, student="bo")
    assert lab2 not in held.children  # another student has not predicted


def test_a_broken_reference_never_hides_the_lab():
    lab = widgets.HTML("the lab")
    assert after_prediction(LESSON, "no_such_exercise", lab, store=None) is lab


def test_every_bank_has_a_prediction_to_place():
    from helpers.exercises import LESSONS_DIR

    for lesson in sorted(p.name for p in LESSONS_DIR.iterdir() if (p / "exercises.yaml").exists()):
        assert any(ex.type in PLACED_ON_THEIR_OWN for ex in load_lesson(lesson).exercises), lesson


def test_the_set_shows_the_placed_prediction_once_and_counts_it(store):
    bank = load_lesson(LESSON)
    ui = exercise_set(LESSON, store=store, student="ann")
    full = [it for it in ui.items if isinstance(it, ExerciseWidget)]
    placed = [it for it in ui.items if isinstance(it, PlacedElsewhere)]
    assert [it.exercise.id for it in placed] == [ex.id for ex in bank.exercises if ex.type in PLACED_ON_THEIR_OWN]
    assert len(full) + len(placed) == len(bank.exercises)
    assert [it.box for it in full if it.exercise.id == PREDICTION] == []
    assert [int(it.prompt.value.split("<b>")[1].split(".")[0]) for it in full] == list(range(1, len(full) + 1))
    n = len(bank.exercises)
    assert f"Score: 0 of {n} right</b> ({len(full)} questions below and 1 prediction above the lab)" in ui.score.value
    assert "not made yet" in placed[0].line.value and placed[0].answer_here.layout.display is None

    prediction = exercise(LESSON, PREDICTION, store=store, student="ann")  # the cell above the lab, answered
    prediction.item.set_answer(key())
    assert prediction.item.submit().correct
    assert f"Score: 1 of {n} right" in ui.score.value and "First try: 1 of" in ui.score.value
    assert "made, and right" in placed[0].line.value and placed[0].answer_here.layout.display == "none"
    assert [a.exercise for a in store.attempts("ann")] == [PREDICTION]  # saved once, by the placed widget

    again = exercise_set(LESSON, store=ProgressStore(store.path), student="ann")  # a new kernel
    assert f"Score: 1 of {n} right" in again.score.value and "made, and right" in again.item(PREDICTION).line.value


NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}


def test_a_count_in_a_banks_intro_is_the_number_of_questions_its_set_shows():
    """'Seven short questions' stands above the set: it must be the number of questions shown there
    (the prediction is above the lab, counted in the score but not among them)."""
    import re

    from helpers.exercises import LESSONS_DIR

    for lesson in sorted(p.name for p in LESSONS_DIR.iterdir() if (p / "exercises.yaml").exists()):
        bank = load_lesson(lesson)
        shown = sum(ex.type not in PLACED_ON_THEIR_OWN for ex in bank.exercises)
        for m in re.finditer(r"\b(\w+)\s+(?:short\s+)?(?:questions|exercises)\b", bank.intro or "", re.I):
            word = m.group(1).lower()
            n = int(word) if word.isdigit() else NUMBERS.get(word)
            if n is not None:
                assert n == shown, f"lessons/{lesson}/exercises.yaml intro says {m.group(0)!r}; its set shows {shown}"


def test_a_prediction_the_notebook_did_not_place_can_be_answered_in_the_set(store):
    """A bank's prediction whose cell was not run (or that no notebook places) is not a dead end."""
    ui = exercise_set(LESSON, store=store, student="ann")
    line = ui.item(PREDICTION)
    gate = after_prediction(LESSON, PREDICTION, lab := widgets.HTML("lab"), store=store, student="ann")
    line.answer_here.click()
    assert line.here is not None and line.box.children == (line.here.box,)
    line.here.set_answer(key())
    assert line.here.submit().correct
    assert f"Score: 1 of {len(ui.items)} right" in ui.score.value
    assert [a.exercise for a in store.attempts("ann")] == [PREDICTION]  # saved once
    assert gate.children == (lab,)  # the lab it held back opens

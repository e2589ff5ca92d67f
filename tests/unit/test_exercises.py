"""Exercise banks: every type graded right and wrong, the strict check, and the widgets."""
from __future__ import annotations

import builtins
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import compare, evaluate
from helpers.exercises import (
    Feedback, answer_hash, build_exercise, check_lessons, exercise_set, grade, load_bank, normalise_text,
)
from helpers.loading import DataError
from helpers.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]

BANK = """\
lesson: sample
title: Sample
exercises:
  - id: promise
    type: multiple_choice
    prompt: Does a promise create custody?
    choices:
      - text: Yes, reliance creates a duty.
        feedback: No - promises do not create a special relationship (Pinder, 54 F.3d at 1175).
      - text: No, only restraint of liberty does.
        correct: true
        feedback: Yes - DeShaney, 489 U.S. at 200.
    explanation: Custody, not a promise, is the trigger.
  - id: custody_kinds
    type: multiple_choice
    select: many
    prompt: Which are custody in every circuit here?
    choices:
      - text: Prison
        correct: true
        feedback: Yes - Estelle.
      - text: Involuntary commitment
        correct: true
        feedback: Yes - Youngberg.
      - text: Compulsory school
        feedback: No - schools are not custody (Patel).
  - id: kennedy_elements
    type: element_check
    prompt: Which elements are met?
    case: kennedy_v_ridgefield_2006
    opinion: bybee_dissent
    explanation: Judge Bybee's facts.
  - id: kennedy_circuits
    type: which_circuits
    prompt: Which circuits find a violation?
    case: kennedy_v_ridgefield_2006
    explanation: The recognising circuits.
  - id: pena_clear
    type: clearly_established_on
    prompt: Clearly established in August 2001?
    case: pena_v_deprisco_2005
    explanation: Pena extended Dwares.
  - id: boy
    type: short_answer
    prompt: The boy's first name?
    accept: [Joshua]
    explanation: Joshua DeShaney.
  - id: boy_hidden
    type: short_answer
    prompt: The boy's first name, hidden?
    accept_sha256: [{hidden}]
    explanation: Joshua again.
"""


@pytest.fixture()
def bank(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(BANK.replace("{hidden}", answer_hash("sample", "boy_hidden", "Joshua")))
    return load_bank(path)


# --- grading, type by type ---------------------------------------------------------------

def test_multiple_choice_right_wrong_and_unanswered(bank):
    ex = bank["promise"]
    assert ex.key == ("b",)
    right = grade(ex, "b")
    assert right == Feedback(True, "Yes - DeShaney, 489 U.S. at 200.\nCustody, not a promise, is the trigger.")
    wrong = grade(ex, "a")
    assert not wrong.correct and "Pinder, 54 F.3d at 1175" in wrong.message
    assert "Custody, not a promise" not in wrong.message  # the explanation waits for a right answer
    assert grade(ex, "  No, only RESTRAINT of liberty does ").correct  # by its text, normalised
    assert not grade(ex, None).answered
    assert not grade(ex, "z").answered


def test_tick_all_that_apply(bank):
    ex = bank["custody_kinds"]
    assert grade(ex, ["a", "b"]).correct
    assert grade(ex, {"b", "a"}).correct
    partial = grade(ex, ["a"])
    assert not partial.correct and "1 more choice should be ticked" in partial.message
    over = grade(ex, ["a", "b", "c"])
    assert not over.correct and "schools are not custody" in over.message


def test_element_check_key_is_the_engines(bank):
    ex = bank["kennedy_elements"]
    from helpers.law import law

    answer = evaluate(law().precedents["kennedy_v_ridgefield_2006"].fact_pattern("bybee_dissent"))
    met = {e.id for e in answer.state_created_danger.elements if e.met}
    assert set(ex.key) == met
    assert "affirmative_act" in met and "danger_created_or_increased" not in met
    assert grade(ex, sorted(met)).correct
    wrong = grade(ex, sorted(met | {"danger_created_or_increased"}))
    assert not wrong.correct and "not met" in wrong.message


def test_which_circuits_key_and_circuit_spellings(bank):
    ex = bank["kennedy_circuits"]
    from helpers.law import law

    c = compare(law().precedents["kennedy_v_ridgefield_2006"].fact_pattern())
    key = {a.circuit for a in c.results if a.violation}
    assert set(ex.key) == key
    assert grade(ex, sorted(key)).correct
    spelled = ["2d", "3rd", "6th", "7th", "8th", "Ninth Circuit", "10", "D.C."]
    assert {"ca2", "ca3", "ca6", "ca7", "ca8", "ca9", "ca10", "cadc"} == key
    assert grade(ex, spelled).correct
    assert not grade(ex, ["ca9"]).correct
    assert not grade(ex, ["ca9", "ca5"] + sorted(key)).correct
    assert not grade(ex, ["the moon"]).answered


def test_clearly_established_on(bank):
    ex = bank["pena_clear"]
    assert ex.key == ("no",)
    for no in ("no", False, "No", "No, not clearly established"):
        assert grade(ex, no).correct
    wrong = grade(ex, True)
    assert not wrong.correct and "Second Circuit" in wrong.message


def test_short_answer_hashed_and_normalised(bank):
    ex = bank["boy"]
    assert "joshua" not in repr(ex).lower().replace("joshua deshaney", "")  # only a hash is kept
    assert grade(ex, "  JOSHUA! ").correct
    assert not grade(ex, "Randy").correct
    assert not grade(ex, "   ").answered
    assert grade(bank["boy_hidden"], "joshua").correct
    assert normalise_text("Pinder  v. Johnson") == "pinder v johnson"


def test_student_input_is_never_evaluated(bank, monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("student input was evaluated")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    nasty = "__import__('os').system('echo pwned')"
    for ex_id in ("promise", "custody_kinds", "kennedy_circuits", "pena_clear", "boy"):
        fb = grade(bank[ex_id], nasty)
        assert not fb.correct


def test_builder_returns_widget_and_pure_grader(bank):
    widget, grader = build_exercise(bank["promise"])
    assert "deshaney-exercise" in widget._dom_classes
    assert "deshaney-exercise-promise" in widget._dom_classes
    assert grader("b").correct and not grader("a").correct


# --- the strict check ------------------------------------------------------------------

BROKEN = """\
lesson: broken
title: Broken
exercises:
  - id: two_right
    type: multiple_choice
    prompt: P
    choices:
      - text: one
        correct: true
        feedback: f
      - text: two
        correct: true
        feedback: g
  - id: no_feedback
    type: multiple_choice
    prompt: P
    choices:
      - text: one
        correct: true
      - text: two
        feedback: g
  - id: two_right
    type: short_answer
    prompt: P
    accept: [x]
    explanation: e
  - id: bad_fact
    type: which_circuits
    prompt: P
    explanation: e
    facts: {conduct_date: 2001-01-01, custody: jail}
  - id: stray_key
    type: clearly_established_on
    prompt: P
    explanation: e
    case: kennedy_v_ridgefield_2006
    colour: red
  - id: wrong_expect
    type: clearly_established_on
    prompt: P
    explanation: e
    case: kennedy_v_ridgefield_2006
    expect: false
  - id: wrong_elements
    type: element_check
    prompt: P
    explanation: e
    case: kennedy_v_ridgefield_2006
    expect: [affirmative_act]
  - id: no_circuit
    type: element_check
    prompt: P
    explanation: e
    facts: {conduct_date: 2001-01-01}
  - id: Bad-Id
    type: short_answer
    prompt: P
    accept: [x]
    explanation: e
  - id: choices_on_engine
    type: which_circuits
    prompt: P
    explanation: e
    case: kennedy_v_ridgefield_2006
    choices: []
  - id: unknown_case
    type: which_circuits
    prompt: P
    explanation: e
    case: kennedy_v_nowhere_2099
"""

EXPECTED_LINES = {
    7: "exactly one",                     # two correct answers
    18: "missing required key 'feedback'",
    22: "duplicate exercise id 'two_right'",
    31: "'jail' is not allowed",
    37: "unknown key 'colour'",
    43: "expect says not clearly established",
    49: "expect lists elements met [affirmative_act]",
    54: "circuit: missing",
    55: "not a stable id",
    65: "key 'choices' is not used by a which_circuits exercise",
    70: "unknown case 'kennedy_v_nowhere_2099'",
}


def test_a_broken_bank_is_rejected_with_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    with pytest.raises(DataError) as err:
        load_bank(path)
    problems = err.value.problems
    for line, words in EXPECTED_LINES.items():
        assert any(p.startswith(f"{path}:{line}:") and words in p for p in problems), (line, words, problems)


def test_check_lessons_command_exit_status(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    run = subprocess.run([sys.executable, "-m", "helpers", "check-lessons", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"{path}:7:" in run.stderr and "Traceback" not in run.stderr
    good = tmp_path / "good.yaml"
    good.write_text(BANK.replace("{hidden}", "f" * 64))
    ok = subprocess.run([sys.executable, "-m", "helpers", "check-lessons", str(good)],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: 1 bank, 7 exercises")


def test_not_yaml_and_duplicate_keys_name_the_line(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("lesson: a\ntitle: T\ntitle: U\nexercises: []\n")
    report = check_lessons([path])
    assert any(f"{path}:3: duplicate key 'title'" in p for p in report.problems)
    path.write_text("lesson: a\n  title: [\n")
    report = check_lessons([path])
    assert report.problems and report.problems[0].startswith(f"{path}:")


def test_lesson_folder_must_match_and_have_a_guide(tmp_path, monkeypatch):
    from helpers import exercises

    folder = tmp_path / "lessons" / "08_seminar"
    folder.mkdir(parents=True)
    (folder / "exercises.yaml").write_text(BANK.replace("{hidden}", "f" * 64))
    monkeypatch.setattr(exercises, "LESSONS_DIR", tmp_path / "lessons")
    report = check_lessons([tmp_path / "lessons"])
    assert any("does not match its folder '08_seminar'" in p for p in report.problems)
    assert any("guide.md: missing" in p for p in report.problems)


def test_expect_for_which_circuits_accepts_spellings(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(textwrap.dedent("""\
        lesson: s
        title: S
        exercises:
          - id: w
            type: which_circuits
            prompt: P
            explanation: e
            circuits: [4th, 9th]
            case: kennedy_v_ridgefield_2006
            expect: [Ninth Circuit]
        """))
    bank = load_bank(path)
    assert [c.id for c in bank["w"].choices] == ["ca4", "ca9"]
    assert bank["w"].key == ("ca9",)


# --- the widgets -------------------------------------------------------------------------

def test_exercise_set_checks_scores_saves_and_retries(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    box = exercise_set("TEMPLATE_DOES_NOT_EXIST", store=store)
    assert "deshaney-exercise-error" in box._dom_classes

    lessons = tmp_path / "lessons"
    (lessons / "sample").mkdir(parents=True)
    (lessons / "sample" / "exercises.yaml").write_text(BANK.replace("{hidden}", "f" * 64))
    ui = exercise_set("sample", store=store, student="ann", lessons_dir=lessons)
    assert "Score: 0 of 7 right" in ui.score.value
    assert "deshaney-score" in ui.score._dom_classes
    item = ui.item("promise")
    assert "deshaney-choices" in item.choices._dom_classes
    assert "deshaney-check" in item.check._dom_classes and "deshaney-retry" in item.retry._dom_classes
    assert "deshaney-feedback" in item.feedback._dom_classes

    item.check.click()  # nothing chosen: a prompt, not a grade
    assert "Choose an answer" in item.feedback.value and store.attempts() == []

    item.set_answer("a")
    item.check.click()
    assert "Pinder, 54 F.3d at 1175" in item.feedback.value and "Try again" in item.feedback.value
    assert item.check.disabled and not item.retry.disabled and item.choices.disabled
    assert "Score: 0 of 7 right</b> (1 checked)" in ui.score.value

    item.retry.click()
    assert item.feedback.value == "" and item.choices.value is None and not item.check.disabled
    item.set_answer("b")
    item.check.click()
    assert "Correct" in item.feedback.value
    assert "Score: 1 of 7 right</b> (1 checked)" in ui.score.value

    many = ui.item("kennedy_circuits")
    many.set_answer(["ca9"])
    many.check.click()
    assert "more choices should be ticked" in many.feedback.value
    assert "Score: 1 of 7 right</b> (2 checked)" in ui.score.value

    text = ui.item("boy")
    text.set_answer("joshua")
    text.check.click()
    assert "Correct" in text.feedback.value

    saved = [(a.exercise, a.correct, a.answer) for a in store.attempts("ann")]
    assert saved == [("promise", False, "a"), ("promise", True, "b"), ("kennedy_circuits", False, "ca9"),
                     ("boy", True, "joshua")]
    # A new kernel shows the earlier progress.
    again = exercise_set("sample", store=ProgressStore(tmp_path / "p.sqlite3"), student="ann", lessons_dir=lessons)
    assert "Saved earlier: 2 of 3" in again.notice.value


def test_a_set_that_saves_nothing(tmp_path):
    lessons = tmp_path / "lessons"
    (lessons / "sample").mkdir(parents=True)
    (lessons / "sample" / "exercises.yaml").write_text(BANK.replace("{hidden}", "f" * 64))
    ui = exercise_set("sample", store=None, lessons_dir=lessons)
    assert "not saved" in ui.notice.value
    item = ui.item("promise")
    item.set_answer("b")
    item.check.click()
    assert "Correct" in item.feedback.value and "Score: 1 of 7" in ui.score.value


def test_a_save_problem_shows_under_the_feedback(tmp_path):
    class LockedStore:
        path = tmp_path / "x"

        def latest(self, *a, **k):
            return {}

        def record(self, *a, **k):
            from helpers.progress import Saved
            return Saved(False, "Not saved yet: the progress file is locked.")

    lessons = tmp_path / "lessons"
    (lessons / "sample").mkdir(parents=True)
    (lessons / "sample" / "exercises.yaml").write_text(BANK.replace("{hidden}", "f" * 64))
    ui = exercise_set("sample", store=LockedStore(), lessons_dir=lessons)
    item = ui.item("pena_clear")
    item.set_answer("no")
    item.check.click()
    assert "Correct" in item.feedback.value and "locked" in item.feedback.value

"""Exercise banks: every type graded right and wrong, the strict check, and the widgets."""
from __future__ import annotations

import builtins
import re
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
    assert not partial.correct and "more choice" not in partial.message
    assert 'You left "Involuntary commitment" unticked' in partial.message and "Youngberg" in partial.message
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
    assert not wrong.correct and "Not met \u2014" in wrong.message


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
    from helpers.exercises import bank as exercises  # the module that reads banks holds LESSONS_DIR

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
    assert "Score: 0 of 7 right</b> on your latest answers (1 answered)" in ui.score.value

    item.retry.click()
    assert item.feedback.value == "" and item.choices.value is None and not item.check.disabled
    item.set_answer("b")
    item.check.click()
    assert "Correct" in item.feedback.value
    assert "Score: 1 of 7 right</b> on your latest answers (1 answered)" in ui.score.value

    many = ui.item("kennedy_circuits")
    many.set_answer(["ca9"])
    many.check.click()
    assert "more choice" not in many.feedback.value
    assert "You left &quot;Second Circuit&quot; unticked" in many.feedback.value
    assert "Score: 1 of 7 right</b> on your latest answers (2 answered)" in ui.score.value
    assert "First try: 0 of 7 right" in ui.score.value  # promise was wrong the first time

    text = ui.item("boy")
    text.set_answer("joshua")
    text.check.click()
    assert "Correct" in text.feedback.value

    saved = [(a.exercise, a.correct, a.answer) for a in store.attempts("ann")]
    assert saved == [("promise", False, "a"), ("promise", True, "b"), ("kennedy_circuits", False, "ca9"),
                     ("boy", True, "joshua")]
    # A new kernel puts every saved answer back on its question, graded, and scores it.
    again = exercise_set("sample", store=ProgressStore(tmp_path / "p.sqlite3"), student="ann", lessons_dir=lessons)
    assert "Score: 2 of 7 right</b> on your latest answers (3 answered)" in again.score.value
    assert "First try: 1 of 7 right" in again.score.value
    assert "saved answers to 3 questions" in again.notice.value
    promise = again.item("promise")
    assert promise.choices.value == "b" and promise.choices.disabled and "Correct" in promise.feedback.value
    assert "2 tries; first try wrong" in promise.feedback.value
    circuits = again.item("kennedy_circuits")
    assert circuits.answer() == ["ca9"] and "Try again" in circuits.feedback.value
    assert again.item("boy").choices.value == "joshua"
    assert again.item("pena_clear").feedback.value == ""  # never answered: open
    assert len(store.attempts("ann")) == 4  # restoring saves nothing


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


# --- engine-keyed feedback: the element that decided it, and its authority ------------------

KENNEDY_NO_FORESIGHT = """\
lesson: why
title: Why
exercises:
  - id: circuits
    type: which_circuits
    prompt: Which circuits?
    case: kennedy_v_ridgefield_2006
    changes: {harm_foreseeable: false, decision_date: 2006-03-07}
    explanation: e
  - id: third_elements
    type: element_check
    prompt: Which elements?
    case: kennedy_v_ridgefield_2006
    changes: {circuit: ca3, harm_foreseeable: false, decision_date: 1999-01-01}
    explanation: e
  - id: parker_clear
    type: clearly_established_on
    prompt: Clearly established?
    case: mcclendon_v_city_of_columbia_2002
    opinion: parker_dissent
    explanation: e
"""


@pytest.fixture()
def why_bank(tmp_path):
    path = tmp_path / "why.yaml"
    path.write_text(KENNEDY_NO_FORESIGHT)
    return load_bank(path)


def test_a_wrong_circuit_names_the_failed_element_and_its_authority(why_bank):
    ex = why_bank["circuits"]
    assert "ca3" not in ex.key and "ca5" not in ex.key
    wrong = grade(ex, ["ca3", "ca5"]).message
    third = next(line for line in wrong.split("\n") if '"Third Circuit"' in line)
    assert "'The harm was foreseeable and fairly direct' not met" in third
    assert "do not establish that the harm was a foreseeable and fairly direct result" in third
    assert "Kneipp v. Tedder, 95 F.3d 1199" in third
    fifth = next(line for line in wrong.split("\n") if '"Fifth Circuit"' in line)
    assert "not recognised on 2006-03-07" in fifth and "McClendon v. City of Columbia, 305 F.3d 314" in fifth
    assert "Neither exception applies" not in wrong and "more choice" not in wrong


def test_every_engine_keyed_choice_gives_a_reason_not_a_bare_verdict():
    from helpers.exercises import LESSONS_DIR

    report = check_lessons(sorted(LESSONS_DIR.glob("*/exercises.yaml")))
    assert not report.problems, report.problems[:3]
    checked = 0
    for bank_ in report.banks:
        for ex in bank_.exercises:
            if ex.type not in ("which_circuits", "element_check"):
                continue
            for c in ex.choices:
                checked += 1
                assert "(" in c.feedback and ")" in c.feedback, (ex.id, c.id, c.feedback)  # an authority
                assert not c.feedback.rstrip(".").endswith(("Neither exception applies, so DeShaney's rule governs: "
                                                            "a failure to protect is no violation")), (ex.id, c.id)
                assert not re.search(r"^(Met|Not met) \u2014 [^:]+: (yes|no) \(", c.feedback), (ex.id, c.id, c.feedback)
    assert checked > 100


def test_element_feedback_explains_the_deciding_fact(why_bank):
    ex = why_bank["third_elements"]
    fb = {c.id: c.feedback for c in ex.choices}
    assert fb["foreseeable_and_fairly_direct"].startswith("Not met \u2014 the facts do not establish that the harm")
    assert "Harm foreseeable and fairly direct: no" not in fb["foreseeable_and_fairly_direct"]
    wrong = grade(ex, list(ex.key) + ["foreseeable_and_fairly_direct"]).message
    assert 'You ticked "The harm was foreseeable and fairly direct", but it should not be ticked. Not met' in wrong


def test_a_reading_is_flagged_only_where_flipping_it_flips_the_element():
    import datetime

    from helpers.exercises import element_reason

    facts = KENNEDY_FACTS.with_(circuit="ca4", conduct_date=datetime.date(2018, 1, 1),
                                decision_date=datetime.date(2020, 1, 1))
    elements = {e.id: e for e in evaluate(facts).state_created_danger.elements}
    act = element_reason("ca4", "state_created_danger", elements["affirmative_act_in_immediate_interaction"], facts)
    assert "Either answer is accepted here" in act and "acts directed at the assailant" in act
    # the same reading cannot flip an element the facts meet whichever way it is read
    stranded = facts.with_(act_kind="stranded_victim")
    e = next(x for x in evaluate(stranded).state_created_danger.elements
             if x.id == "affirmative_act_in_immediate_interaction")
    assert "Either answer" not in element_reason("ca4", "state_created_danger", e, stranded)
    # a paraphrase noted as interpretive, with no other reading that changes an answer, is not flagged
    third = KENNEDY_FACTS.with_(circuit="ca3")
    for e in evaluate(third).state_created_danger.elements:
        assert "Either answer" not in element_reason("ca3", "state_created_danger", e, third)


def test_an_answer_resting_on_an_unverified_precedent_says_so(tmp_path, monkeypatch):
    import dataclasses

    from helpers.law import law

    path = tmp_path / "why.yaml"
    path.write_text(KENNEDY_NO_FORESIGHT)
    ex = load_bank(path)["parker_clear"]
    basis = evaluate(ex.facts).clearly_established_basis
    assert basis.precedents
    precedents = law().precedents
    for pid in basis.precedents:
        monkeypatch.setitem(precedents, pid, dataclasses.replace(precedents[pid], verification="verified"))
    assert "Caution" not in load_bank(path)["parker_clear"].choice("yes").feedback
    first = basis.precedents[0]
    monkeypatch.setitem(precedents, first, dataclasses.replace(precedents[first], verification="memory"))
    warned = load_bank(path)["parker_clear"].choice("yes").feedback
    assert "Caution" in warned and precedents[first].short_name in warned and "provisional" in warned


def test_a_right_engine_answer_shows_every_circuits_reason(why_bank):
    ex = why_bank["circuits"]
    right = grade(ex, list(ex.key))
    assert right.correct and len(right.details) == len(ex.choices)
    widget = __import__("helpers.exercises", fromlist=["ExerciseWidget"]).ExerciseWidget(ex)
    widget.set_answer(list(ex.key))
    widget.check.click()
    assert "Every choice, with its reason" in widget.feedback.value and "Kneipp" in widget.feedback.value


# --- choice order ------------------------------------------------------------------------

def _all_banks():
    from helpers.exercises import LESSONS_DIR

    report = check_lessons(sorted(LESSONS_DIR.glob("*/exercises.yaml")))
    assert not report.problems, report.problems[:3]
    return report.banks


def test_the_right_choice_is_first_in_at_most_40_percent_of_one_answer_questions():
    from helpers.exercises import choice_order

    banks = _all_banks()
    singles = [(b, ex) for b in banks for ex in b.exercises if ex.select == "one"]
    assert len(singles) >= 20
    authored_first = sum(ex.choices[0].correct for _, ex in singles) / len(singles)
    shares = []
    for student in ["student"] + [f"s{i:03d}" for i in range(200)]:
        shown = [choice_order(ex, student, b) for b, ex in singles]
        shares.append(sum(order[0].correct for order in shown) / len(shown))
    assert max(shares) <= 0.40, (max(shares), authored_first)
    mc = [(b, ex) for b, ex in singles if ex.type == "multiple_choice"]
    mc_shares = [sum(choice_order(ex, f"s{i:03d}", b)[0].correct for b, ex in mc) / len(mc) for i in range(200)]
    assert max(mc_shares) <= 0.40


def test_choice_order_is_stable_per_student_and_varies_between_students(bank):
    from helpers.exercises import ExerciseWidget, choice_order

    ex = bank["promise"]
    assert choice_order(ex, "ann", bank) == choice_order(ex, "ann", bank)
    orders = {tuple(c.id for c in choice_order(ex, f"s{i}", bank)) for i in range(40)}
    assert len(orders) == 2  # both orders of two choices occur
    many = bank["custody_kinds"]
    assert len({tuple(c.id for c in choice_order(many, f"s{i}", bank)) for i in range(40)}) > 1
    circuits = bank["kennedy_circuits"]  # circuits keep their natural order
    assert choice_order(circuits, "ann", bank) == circuits.choices
    w = ExerciseWidget(ex, student="ann", bank=bank)
    shown = [v for _, v in w.choices.options]
    w.set_answer("b")
    w.check.click()
    w.retry.click()
    assert [v for _, v in w.choices.options] == shown  # a retry does not reshuffle
    again = ExerciseWidget(ex, student="ann", bank=bank)  # nor does a new kernel
    assert [v for _, v in again.choices.options] == shown


def test_a_shuffled_widget_grades_by_choice_not_position(bank):
    from helpers.exercises import ExerciseWidget

    for i in range(10):
        w = ExerciseWidget(bank["custody_kinds"], student=f"s{i}", bank=bank)
        w.set_answer(["a", "b"])
        assert sorted(w.answer()) == ["a", "b"] and w.submit().correct


# --- saved answers after a restart, with the default store ------------------------------

def test_a_restarted_kernel_shows_saved_answers_and_scores_them(tmp_path, monkeypatch):
    from helpers import progress

    monkeypatch.setenv("DESHANEY_PROGRESS_DB", str(tmp_path / "fresh" / "progress.sqlite3"))
    monkeypatch.setenv("DESHANEY_STUDENT", "restart-test")
    monkeypatch.setattr(progress, "_STORES", {})
    lessons = tmp_path / "lessons"
    (lessons / "sample").mkdir(parents=True)
    (lessons / "sample" / "exercises.yaml").write_text(BANK.replace("{hidden}", "f" * 64))
    ui = exercise_set("sample", lessons_dir=lessons)
    assert "Score: 0 of 7" in ui.score.value and ui.notice.value == ""
    for ex_id, answer in (("promise", "b"), ("custody_kinds", ["a"]), ("pena_clear", "no"), ("boy", "Joshua")):
        item = ui.item(ex_id)
        item.set_answer(answer)
        item.check.click()
    assert "Score: 3 of 7 right" in ui.score.value and "First try: 3 of 7 right" in ui.score.value
    ui.item("custody_kinds").retry.click()
    ui.item("custody_kinds").set_answer(["a", "b"])
    ui.item("custody_kinds").check.click()
    assert "Score: 4 of 7 right" in ui.score.value and "First try: 3 of 7 right" in ui.score.value

    monkeypatch.setattr(progress, "_STORES", {})  # a new kernel
    again = exercise_set("sample", lessons_dir=lessons)
    assert "Score: 4 of 7 right</b> on your latest answers (4 answered)" in again.score.value
    assert "First try: 3 of 7 right" in again.score.value
    assert "Saved earlier" not in again.notice.value
    kinds = again.item("custody_kinds")
    assert sorted(kinds.answer()) == ["a", "b"] and "Correct" in kinds.feedback.value and kinds.check.disabled
    kinds.retry.click()  # a restored answer can be answered again
    kinds.set_answer(["c"])
    kinds.check.click()
    assert "Score: 3 of 7 right" in again.score.value and "First try: 3 of 7 right" in again.score.value


# --- handing in -----------------------------------------------------------------------------

def test_hand_in_writes_the_csv_beside_the_notebook(tmp_path, monkeypatch):
    import csv

    from helpers.exercises import hand_in, write_hand_in

    store = ProgressStore(tmp_path / "db" / "p.sqlite3")
    notebook_dir = tmp_path / "notebooks"
    notebook_dir.mkdir()
    monkeypatch.chdir(notebook_dir)
    empty = write_hand_in(store=store)
    assert "no answers yet" in empty
    store.record("01_deshaney", "why_joshua_lost", True, "b", "ann")
    widget = hand_in(store=store)
    assert "deshaney-hand-in" in widget._dom_classes
    assert not (notebook_dir / "progress.csv").exists() or "no answers" in empty
    widget.button.click()
    target = notebook_dir / "progress.csv"
    assert str(target) in widget.message.value and "Wrote 1 answer to" in widget.message.value
    rows = list(csv.reader(target.open()))
    assert rows[0][:3] == ["student", "lesson", "exercise"] and rows[1][:3] == ["ann", "01_deshaney", "why_joshua_lost"]
    said = write_hand_in(tmp_path / "elsewhere.csv", store=store)
    assert str(tmp_path / "elsewhere.csv") in said
    bad = write_hand_in(tmp_path / "no" / "such" / "dir" / "x.csv", store=store)
    assert bad.startswith("Could not write") and "Traceback" not in bad
    now = hand_in(store=store, now=True)
    assert "Wrote 1 answer" in now.message.value
    # every lesson's set ends with the same button
    lessons = tmp_path / "lessons"
    (lessons / "sample").mkdir(parents=True)
    (lessons / "sample" / "exercises.yaml").write_text(BANK.replace("{hidden}", "f" * 64))
    ui = exercise_set("sample", store=store, student="ann", lessons_dir=lessons)
    assert ui.hand_in in ui.children
    target.unlink()
    ui.hand_in.button.click()
    assert target.exists() and str(target) in ui.hand_in.message.value
    assert exercise_set("sample", store=None, lessons_dir=lessons).hand_in is None


def test_a_culpability_reading_is_flagged_where_it_decides_and_not_elsewhere():
    import datetime

    from helpers.exercises import element_reason

    hurried = KENNEDY_FACTS.with_(circuit="ca3", deliberation="hurried", conduct_date=datetime.date(2015, 1, 1),
                                  decision_date=datetime.date(2020, 1, 1))
    culpable = [e for e in evaluate(hurried).state_created_danger.elements
                if "state of mind" in element_reason("ca3", "state_created_danger", e, hurried)]
    assert culpable
    texts = [element_reason("ca3", "state_created_danger", e, hurried) for e in culpable]
    assert any("the Third Circuit's middle tier" in t for t in texts)
    unhurried = hurried.with_(deliberation="unhurried")
    for e in evaluate(unhurried).state_created_danger.elements:
        assert "middle tier" not in element_reason("ca3", "state_created_danger", e, unhurried)


from helpers.cases import find_case as _find_case  # noqa: E402

KENNEDY_FACTS = _find_case("kennedy_v_ridgefield_2006").facts


def _mcclendon_majority(tmp_path, explanation: str):
    """A one-exercise bank: McClendon's majority, clearly established on the conduct date?"""
    path = tmp_path / "b.yaml"
    path.write_text(textwrap.dedent(f"""\
        lesson: s
        title: S
        exercises:
          - id: majority
            type: clearly_established_on
            prompt: P
            explanation: {explanation!r}
            case: mcclendon_v_city_of_columbia_2002
        """))
    return load_bank(path)["majority"]


def test_prong_two_in_a_circuit_without_a_test_does_not_claim_one(tmp_path):
    ex = _mcclendon_majority(tmp_path, "e")
    why = ex.choice("no").feedback
    assert "had not recognised state-created danger on 1993-07-01 and had no test of its own" in why
    assert "test as it stood on 1993-07-01" not in why
    assert "the workbook's reading, not the circuit's law" in why and "not met \u2014" in why


def test_a_right_answer_does_not_read_right_then_no(tmp_path):
    ex = _mcclendon_majority(tmp_path, "No. The majority found no consensus on the contours.")
    right = grade(ex, "no")
    assert right.correct and right.message.startswith("Right.")
    assert "\nThe majority found no consensus" in right.message and "\nNo." not in right.message

"""The lesson banks as data: complete, accepted by check-lessons, and keyed as the engine says.

The engine-keyed exercises are recomputed here straight from the raw YAML with `evaluate`
and `compare`, so an `expect` the author wrote is checked by a second path, not only by
the loader that uses it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers import compare, evaluate, parse_facts
from helpers.exercises import ENGINE_TYPES, LESSONS_DIR, check_lessons, grade, load_hypotheticals, load_lesson
from helpers.facts import circuit_id
from helpers.law import law

LESSONS = ["00_start_here", "01_deshaney", "02_special_relationship", "03_state_created_danger",
           "04_culpability", "05_circuit_lab", "06_qualified_immunity", "07_capstone"]


def raw_exercises():
    for lesson in LESSONS:
        raw = yaml.safe_load((LESSONS_DIR / lesson / "exercises.yaml").read_text())
        for ex in raw["exercises"]:
            yield lesson, ex


ENGINE_EXERCISES = [(lesson, ex) for lesson, ex in raw_exercises() if ex["type"] in ENGINE_TYPES]


def test_check_lessons_accepts_every_bank():
    report = check_lessons()
    assert report.problems == ()
    assert {b.lesson for b in report.banks} >= set(LESSONS)


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_lesson_has_six_exercises_and_a_guide(lesson):
    bank = load_lesson(lesson)
    assert len(bank) >= 6
    assert len({ex.id for ex in bank.exercises}) == len(bank)
    guide = (LESSONS_DIR / lesson / "guide.md").read_text()
    for heading in ("Goals", "Timing for a class hour", "Discussion questions"):
        assert heading in guide, f"{lesson}/guide.md lacks '{heading}'"


def test_the_series_uses_every_exercise_type():
    types = {ex["type"] for _, ex in raw_exercises()}
    assert {"multiple_choice", "element_check", "which_circuits", "clearly_established_on"} <= types


def _facts(lesson: str, ex: dict) -> dict:
    if "case" in ex:
        raw = law().precedents[ex["case"]].fact_pattern(ex.get("opinion")).to_dict()
    elif "hypothetical" in ex:
        raw = dict(load_hypotheticals(lesson)[ex["hypothetical"]].facts)
    else:
        raw = dict(ex["facts"])
    raw.update(ex.get("changes") or {})
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in raw.items()}


@pytest.mark.parametrize("lesson,ex", ENGINE_EXERCISES, ids=[f"{l}:{e['id']}" for l, e in ENGINE_EXERCISES])
def test_the_engine_agrees_with_what_the_author_wrote(lesson, ex):
    assert "expect" in ex, "every engine-keyed exercise in the series states what its author expects"
    facts = _facts(lesson, ex)
    if ex["type"] == "clearly_established_on":
        computed = evaluate(facts).clearly_established
        assert computed is ex["expect"]
        key = {"yes"} if computed else {"no"}
    elif ex["type"] == "element_check":
        theory = getattr(evaluate(facts), ex.get("theory", "state_created_danger"))
        key = {e.id for e in theory.elements if e.met}
        assert key == set(ex["expect"])
    else:
        ask = ex.get("ask", "violation")
        wanted = {circuit_id(c) for c in ex.get("circuits", [])} or None
        results = [a for a in compare(facts).results if wanted is None or a.circuit in wanted]
        pick = {"violation": lambda a: a.violation, "clearly_established": lambda a: a.clearly_established,
                "immunity_denied": lambda a: not a.qualified_immunity}[ask]
        key = {a.circuit for a in results if pick(a)}
        assert key == {circuit_id(c) for c in ex["expect"]}
    # ... and the loaded exercise grades that key as right.
    loaded = load_lesson(lesson)[ex["id"]]
    assert set(loaded.key) == key
    answer = next(iter(key)) if loaded.select == "one" else sorted(key)
    assert grade(loaded, answer).correct


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_choice_grades_as_marked(lesson):
    for ex in load_lesson(lesson).exercises:
        if ex.type != "multiple_choice":
            continue
        for c in ex.choices:
            assert c.feedback.strip()
            if ex.select == "one":
                fb = grade(ex, c.id)
                assert fb.correct is c.correct and c.feedback in fb.message
        assert grade(ex, list(ex.key) if ex.select == "many" else ex.key[0]).correct


def test_every_capstone_hypothetical_is_valid_and_used():
    hyps = load_hypotheticals("07_capstone")
    assert len(hyps) >= 4
    for h in hyps.values():
        parse_facts(h.facts, need_circuit=True)
        assert h.story and h.questions
    used = {ex.get("hypothetical") for lesson, ex in raw_exercises() if lesson == "07_capstone"}
    assert set(hyps) <= used


def test_the_template_is_a_valid_bank():
    report = check_lessons([LESSONS_DIR / "TEMPLATE.yaml"])
    assert report.problems == ()
    text = (LESSONS_DIR / "TEMPLATE.yaml").read_text()
    for type_ in ("multiple_choice", "element_check", "which_circuits", "clearly_established_on", "short_answer"):
        assert f"type: {type_}" in text


def test_short_answers_in_the_series_accept_what_they_should():
    assert grade(load_lesson("00_start_here")["ninth_circuit_id"], "CA9").correct
    assert grade(load_lesson("01_deshaney")["which_amendment"], "the 14th amendment").correct
    assert not grade(load_lesson("01_deshaney")["which_amendment"], "Fifth").correct


def test_lesson_folders_are_the_eight_and_the_template():
    folders = sorted(p.name for p in LESSONS_DIR.iterdir() if p.is_dir())
    assert folders == LESSONS
    assert Path(LESSONS_DIR / "TEMPLATE.yaml").is_file()

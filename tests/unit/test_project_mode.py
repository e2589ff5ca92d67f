"""Project mode of the circuit lab (the answers as chips above a few facts): which facts it shows,
how a professor chooses them and the mode, and that a fact moved there still moves the answers.
How it looks and that it switches on by itself on a small screen: tests/browser/test_projector.py."""
from __future__ import annotations

from datetime import date

import pytest

from helpers import compare
from helpers.cases import find_case
from helpers.facts import FactError, vocabulary
from helpers.widgets import PROJECT_FACTS, circuit_lab

KENNEDY = "kennedy_v_ridgefield_2006"


def picked(lab) -> list[str]:
    return [fid for fid, row in lab.panel.rows.items() if "dsh-picked" in row._dom_classes]


def outcomes(facts) -> dict[str, tuple[bool, bool, bool]]:
    return {a.circuit: (a.violation, a.clearly_established, a.qualified_immunity) for a in compare(facts).results}


@pytest.fixture()
def lab():
    return circuit_lab(case=KENNEDY)


def test_every_fact_has_a_row_and_the_default_picks_are_marked(lab):
    assert set(lab.panel.rows) == set(vocabulary())
    for fid, row in lab.panel.rows.items():
        assert lab.controls[fid] in row.children, f"{fid}'s control is not in its row"
        assert "deshaney-fact-row" in row._dom_classes
    assert sorted(picked(lab)) == sorted(PROJECT_FACTS)
    assert lab.projector.project == "auto"
    assert lab.all_facts in lab.stage.children[1].children, "'All facts' sits with the facts"


@pytest.mark.parametrize("fact", PROJECT_FACTS)
def test_each_default_pick_can_change_an_answer_in_the_lessons_case(fact):
    """The defaults are facts worth moving in front of a class: each, moved alone from Kennedy's
    facts, changes some circuit's answer."""
    facts = find_case(KENNEDY).facts
    spec = vocabulary()[fact]
    # A date moved the way the lesson's guide moves it: the decision to 2024, the conduct earlier.
    dates = {"decision_date": [date(2024, 1, 1)], "conduct_date": [date(1985, 1, 1)]}
    values = dates[fact] if spec.kind == "date" else list(spec.values)
    before = outcomes(facts)
    assert any(outcomes(facts.with_(**{fact: v})) != before for v in values if v != getattr(facts, fact)), \
        f"moving {fact} alone never changes an answer in {KENNEDY}"


def test_a_professor_chooses_the_mode_and_the_facts(lab):
    assert lab.project("on", facts=["awareness", "custody", "custody"]) == ("awareness", "custody")
    assert lab.projector.project == "on"
    assert picked(lab) == ["custody", "awareness"]
    lab.project(False)
    assert lab.projector.project == "off" and picked(lab) == ["custody", "awareness"], "the mode alone: picks kept"
    lab.project(True, "danger_effect")
    assert lab.projector.project == "on" and picked(lab) == ["danger_effect"]
    lab.project("auto")
    assert lab.projector.project == "auto"
    chosen = circuit_lab(case=KENNEDY, project="on", project_facts=["victim_scope"])
    assert chosen.projector.project == "on" and picked(chosen) == ["victim_scope"]


@pytest.mark.parametrize("call, words", [
    (lambda lab: lab.project("big"), "project mode: 'big' is not a mode; choose from: auto, on, off"),
    (lambda lab: lab.project(facts=["custody", "custdy"]), "project facts: unknown fact(s) 'custdy'; choose from: circuit,"),
    (lambda lab: lab.project(facts=[]), "project facts: no fact chosen; choose from: circuit,"),
])
def test_a_bad_choice_is_one_line_naming_it_and_what_is_allowed(lab, call, words):
    before = picked(lab)
    with pytest.raises(FactError) as exc:
        call(lab)
    assert str(exc.value).startswith(words) and "\n" not in str(exc.value)
    assert picked(lab) == before and lab.projector.project == "auto", "nothing changed"


def test_all_facts_is_one_click_and_back(lab):
    lab.all_facts.value = True
    assert "dsh-all-facts" in lab._dom_classes and lab.all_facts.description == "Fewer facts"
    lab.all_facts.value = False
    assert "dsh-all-facts" not in lab._dom_classes and lab.all_facts.description == "All facts"


def test_a_fact_moved_in_project_mode_moves_the_twelve_answers(lab):
    lab.project("on", facts=["danger_effect"])
    before = list(lab.projector.answers)
    lab.controls["danger_effect"].value = "none"  # as the dropdown does
    after = find_case(KENNEDY).facts.with_(danger_effect="none")
    assert lab.facts == after
    assert lab.projector.answers != before
    from helpers.projector import answer_vector
    assert lab.projector.answers == answer_vector(compare(after))

"""The projector's caption keeps the case's name after a fact change: "based on <case>, changed: <fact>"."""
from __future__ import annotations

from helpers.demo import DEMO_CASE
from helpers.cases import find_case
from helpers.widgets import changed_facts, circuit_lab


def test_the_caption_names_the_case_and_what_was_changed():
    case = find_case(DEMO_CASE)
    lab = circuit_lab(case=DEMO_CASE, presentation=True, chart="button")
    assert lab.projector.caption.startswith(f"{case.label}: conduct ")
    lab.set(custody="prison")
    assert lab.projector.caption.startswith(f"based on {case.label}, changed: custody; conduct ")
    lab.set(culpability="negligence", awareness="none", pursuit=True)
    assert lab.projector.caption.startswith(f"based on {case.label}, changed: custody, ")
    assert lab.projector.caption.count(",") >= 4 and "and 1 more" in lab.projector.caption
    lab.load_case(DEMO_CASE)  # back to the case itself: its name alone
    assert lab.projector.caption.startswith(f"{case.label}: conduct ")


def test_a_lab_started_from_no_case_names_none():
    lab = circuit_lab()
    assert lab.projector.caption.startswith("conduct ")
    lab.set(custody="prison")
    assert "based on" not in lab.projector.caption


def test_changed_facts_lists_labels_and_counts_the_rest():
    facts = find_case(DEMO_CASE).facts
    assert changed_facts(facts, facts) == ""
    assert changed_facts(facts, facts.with_(custody="prison")) == "custody"
    many = facts.with_(custody="prison", culpability="negligence", awareness="none", pursuit=True, deliberation="emergency")
    assert changed_facts(facts, many).endswith("and 2 more")

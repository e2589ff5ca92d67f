"""Prong two, rule by rule: each test is a hypothetical a professor would put, and the rule it tests."""
import dataclasses
from contextlib import contextmanager
from datetime import date

import pytest

from helpers import engine, evaluate, immunity
from helpers.memos import forget
from helpers.law import Consensus, Cite, Generality, law
from helpers.analogy import compare_facts, knowledge

L = law()
KENNEDY = L.precedents["kennedy_v_ridgefield_2006"].fact_pattern()


@contextmanager
def circuit_changed(cid, **changes):
    """The law with one circuit's data changed, for the engine and prong two."""
    new = dataclasses.replace(L, circuits={**L.circuits, cid: dataclasses.replace(L.circuits[cid], **changes)})
    saved = engine.law, immunity.load_law
    engine.law = immunity.load_law = lambda: new
    forget()
    try:
        yield new
    finally:
        engine.law, immunity.load_law = saved
        forget()


# --- the comparison ---------------------------------------------------------------------------

def test_created_and_increased_count_alike_penilla():
    grubbs = L.precedents["l_w_v_grubbs_1992"].fact_pattern()
    cmp = compare_facts(grubbs, KENNEDY.with_(danger_effect="increased"))
    assert "danger_effect" not in cmp.weaker and cmp.on_point


def test_a_different_mechanism_is_not_analogous():
    wood = L.precedents["wood_v_ostrander_1989"].fact_pattern()
    cmp = compare_facts(wood, KENNEDY.with_(promise_to_victim=False, victim_relied=False))
    assert not cmp.shared_mechanisms and not cmp.analogous


def test_reckless_private_harm_is_across_a_line_from_deliberate_violence_pena():
    k = knowledge()
    assert k.harm_group("private_recklessness") is not k.harm_group("private_violence")
    assert k.harm_group("natural_peril") is k.harm_group("private_violence")  # Wood from White


def test_an_employee_is_across_a_line_from_a_member_of_the_public_collins():
    munger = L.precedents["munger_v_city_of_glasgow_2000"].fact_pattern()
    employee = munger.with_(victim_public_employee=True, conduct_date=date(2005, 1, 1))
    assert compare_facts(munger, employee).employee_line
    assert not compare_facts(employee, munger).employee_line  # the reverse crosses (Kennedy from Grubbs)


# --- the method on the decision date ------------------------------------------------------------

@pytest.mark.parametrize("decided,level", [(date(1995, 1, 1), "general"), (date(2006, 3, 7), "general"),
                                           (date(2012, 1, 1), "particularized")])
def test_the_supreme_courts_level_by_decision_date(decided, level):
    assert immunity.method_for(L, L.circuits["ca9"], KENNEDY.with_(decision_date=decided)).level == level


def test_a_circuits_own_later_word_on_generality_wins():
    stance = Generality(date(2019, 1, 1), "general", Cite("kennedy_v_ridgefield_2006"), "a test stance")
    with circuit_changed("ca10", generality=(stance,)) as new:
        m = immunity.method_for(new, new.circuits["ca10"], KENNEDY.with_(decision_date=date(2020, 1, 1)))
        assert (m.level, m.source) == ("general", "circuit")
        m = immunity.method_for(new, new.circuits["ca10"], KENNEDY.with_(decision_date=date(2018, 1, 1)))
        assert (m.level, m.source) == ("particularized", "supreme_court")


def test_the_students_option_overrides_the_default():
    assert immunity.method_for(L, L.circuits["ca9"], KENNEDY.with_(generality="particularized")).source == "option"


# --- consensus, by the forum's own standard -----------------------------------------------------

# Kennedy's facts in the First Circuit in 2016: no First Circuit case (Irish came in 2020), so only
# a consensus of other circuits' on-point cases can clearly establish the right.
FIRST = KENNEDY.with_(circuit="ca1", conduct_date=date(2016, 1, 1), decision_date=date(2021, 1, 1))


@pytest.mark.parametrize("counts,standard,established", [
    (True, "ordinary", True), (False, "ordinary", False),
    (True, "own_recognition", False), (True, "unmistakable", False), (True, "same_act_case", True),
])
def test_a_consensus_counts_only_as_the_forum_counts_it(counts, standard, established):
    rule = Consensus(date(1982, 6, 24), counts, Cite("harlow_v_fitzgerald_1982"), None, standard)
    with circuit_changed("ca1", consensus=(rule,), status=(dataclasses.replace(L.circuits["ca1"].status[0],
                                                                               recognized=False),)):
        basis = evaluate(FIRST).clearly_established_basis
    assert basis.established is established
    if established:
        assert basis.route == "consensus" and len(basis.precedents) >= 3
        assert basis.ours  # the number is the workbook's own


def test_the_eleventh_counts_no_consensus():
    basis = evaluate(FIRST.with_(circuit="ca11")).clearly_established_basis
    assert not basis.established and basis.route == "none"


# --- counterexamples and lines --------------------------------------------------------------------

def test_a_later_binding_case_holding_like_conduct_lawful_defeats_the_analogy():
    """Hypothetical: in 2000 the Ninth Circuit holds, on Kennedy's very facts, that there was no
    violation. For conduct in 2001 Grubbs no longer gives fair warning: the later binding case says
    the opposite, and the answer names it."""
    contrary = dataclasses.replace(L.precedents["kennedy_v_ridgefield_2006"], id="hypothetical_contrary_2000",
                                   decided=date(2000, 1, 1), conduct=date(1999, 1, 1), violation=False,
                                   clearly_established=None, history=(), verification="verified")
    precedents = {**L.precedents, contrary.id: contrary}
    danger = tuple(sorted(L.danger_precedents + (contrary,), key=lambda p: (p.decided, p.id)))
    new = dataclasses.replace(L, precedents=precedents, danger_precedents=danger)
    facts = KENNEDY.with_(conduct_date=date(2001, 1, 1), decision_date=date(2003, 1, 1), generality="particularized")
    assert evaluate(facts).clearly_established  # Grubbs, before the hypothetical case
    saved = engine.law, immunity.load_law
    engine.law = immunity.load_law = lambda: new
    forget()
    try:
        basis = evaluate(facts).clearly_established_basis
    finally:
        engine.law, immunity.load_law = saved
        forget()
    assert not basis.established and basis.precedents == ("hypothetical_contrary_2000",)
    assert "held like conduct lawful" in basis.why


def test_a_pursuit_needs_a_pursuit_case_unless_the_student_takes_the_general_level():
    sauers = L.precedents["sauers_v_borough_of_nesquehoning_2018"].fact_pattern()
    assert not evaluate(sauers).clearly_established
    assert evaluate(sauers.with_(generality="general")).clearly_established  # Judge Vanaskie
    assert evaluate(sauers.with_(culpability="intent_to_harm")).clearly_established  # Lewis itself


def test_a_case_decided_on_the_conduct_date_cannot_have_warned_the_official():
    wood = L.precedents["wood_v_ostrander_1989"]
    same_day = KENNEDY.with_(but_for_cause=False, conduct_date=wood.decided)
    assert "wood_v_ostrander_1989" not in evaluate(same_day).clearly_established_basis.precedents

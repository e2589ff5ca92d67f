"""The seed opinions, every opinion's characterisation, come out of their facts.

Nothing here looks up a case name to get an answer: each opinion's encoded facts and
options go through `evaluate` like any student's hypothetical.
"""
import pytest

from helpers import evaluate
from helpers.law import law

SEEDS = {
    # case id: {opinion id or None for the court's holding: (violation, clearly_established)}
    "mcclendon_v_city_of_columbia_2002": {
        None: (False, False), "majority": (False, False),
        "parker_dissent": (True, True), "bodily_integrity_dissent": (True, True),
    },
    "kennedy_v_ridgefield_2006": {None: (True, True), "bybee_dissent": (False, False)},
    "pinder_v_johnson_1995": {None: (None, False), "majority": (None, False), "russell_dissent": (True, True)},
    "pena_v_deprisco_2005": {None: (True, False), "majority": (True, False)},
}


def _cases():
    for case, opinions in SEEDS.items():
        for opinion, expected in opinions.items():
            yield pytest.param(case, opinion, expected, id=f"{case}-{opinion or 'holding'}")


@pytest.mark.parametrize("case, opinion, expected", list(_cases()))
def test_seed_opinion_reproduces_its_conclusion(case, opinion, expected):
    p = law().precedents[case]
    answer = evaluate(p.fact_pattern(opinion))
    violation, established = expected
    if violation is not None:
        assert answer.violation is violation
    assert answer.clearly_established is established
    assert answer.qualified_immunity is (not (answer.violation and answer.clearly_established))


def test_expectations_match_what_the_data_records():
    """The table above is the data's own record of each holding, not a second source of truth."""
    for case, opinions in SEEDS.items():
        p = law().precedents[case]
        assert (p.violation, p.clearly_established) == opinions[None]
        for op in p.opinions:
            assert op.id in opinions, f"{case}: opinion {op.id} is not tested"
            c = op.concludes
            assert (c.get("violation"), c.get("clearly_established")) == opinions[op.id]


def test_kennedy_majority_and_bybee_divide_on_generality_and_culpability():
    p = law().precedents["kennedy_v_ridgefield_2006"]
    majority, bybee = evaluate(p.fact_pattern()), evaluate(p.fact_pattern("bybee_dissent"))
    # With the default a student gets (2006: the general level), the recognised theory and Wood.
    assert majority.clearly_established_basis.route == "general"
    assert "wood_v_ostrander_1989" in majority.clearly_established_basis.precedents
    unmet = {e.id for e in bybee.state_created_danger.elements if not e.met}
    assert "deliberate_indifference" in unmet
    # The majority's alternative holding (at 1066-67): at the dissent's finer resolution the case is
    # not meaningfully distinguishable from Grubbs - a different act, the same mechanism (the
    # victim relied on the state and lowered her guard).
    finer = evaluate(p.fact_pattern().with_(generality="particularized"))
    assert finer.violation and finer.clearly_established
    assert finer.clearly_established_basis.precedents == ("l_w_v_grubbs_1992",)
    assert any("lower her guard" in s for s in finer.clearly_established_basis.shared)


def test_kennedy_after_kennedy_binds_even_where_the_danger_was_only_increased():
    """Penilla: the line is action against inaction, not creating against increasing a danger."""
    p = law().precedents["kennedy_v_ridgefield_2006"]
    later = p.fact_pattern().with_(danger_effect="increased", conduct_date=p.decided.replace(year=2019),
                                   decision_date=p.decided.replace(year=2021))
    answer = evaluate(later)
    assert answer.violation and answer.clearly_established and not answer.qualified_immunity
    assert "kennedy_v_ridgefield_2006" in answer.clearly_established_basis.precedents


def test_mcclendon_parker_needs_the_theory_adopted_and_a_consensus():
    p = law().precedents["mcclendon_v_city_of_columbia_2002"]
    parker = p.fact_pattern("parker_dissent")
    # Parker's general level: other circuits had recognised the theory and their tests reach these facts.
    assert evaluate(parker).clearly_established_basis.route == "general"
    # Without adopting the theory there is no violation in the Fifth Circuit at all.
    assert evaluate(parker.with_(assume_recognized=False)).violation is False
    # The majority's comparison of cases finds no consensus on the contours in July 1993.
    assert evaluate(parker.with_(generality="particularized")).clearly_established is False


def test_pena_the_implicit_assurance_was_not_yet_law_in_2001():
    p = law().precedents["pena_v_deprisco_2005"]
    answer = evaluate(p.fact_pattern())
    assert answer.violation is True
    assert not answer.clearly_established
    # The same implicit sanction two days after Pena was decided is clearly established.
    later = p.fact_pattern().with_(conduct_date=p.decided.replace(day=p.decided.day + 2),
                                   decision_date=p.decided.replace(year=2007))
    assert evaluate(later).clearly_established is True


def test_pinder_a_promise_is_not_custody_nor_an_act():
    p = law().precedents["pinder_v_johnson_1995"]
    answer = evaluate(p.fact_pattern())
    assert answer.special_relationship.met is False
    assert answer.special_relationship.elements[0].met is False
    act = next(e for e in answer.state_created_danger.elements if e.id == "affirmative_act_in_immediate_interaction")
    assert act.met is False
    assert "Pinder" in act.authority

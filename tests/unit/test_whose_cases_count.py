"""Prong two: whose cases count, and how many, circuit by circuit, as each circuit said it and when
(data/circuits/*.yaml `qualified_immunity`; docs/prong-two.md)."""
from datetime import date

from helpers import evaluate
from helpers.law import law

L = law()
KENNEDY = L.precedents["kennedy_v_ridgefield_2006"].fact_pattern()
# Kennedy's facts in the Ninth, the day before Wood: the only case anywhere holding such conduct
# unlawful was one Sixth Circuit case about another kind of act (a patrol car lent to a trusty).
BEFORE_WOOD = KENNEDY.with_(circuit="ca9", conduct_date=date(1989, 6, 26), decision_date=date(2006, 3, 7))


def _lone_out_of_circuit_case(facts):
    """The out-of-circuit violation precedents decided before the conduct that the facts share a mechanism with."""
    from helpers.casebase import casebase
    from helpers.immunity import search
    return [p for p in casebase(L).cases(search(facts).analogous) if p.court not in (facts.circuit, "scotus")]


def test_one_case_elsewhere_about_another_act_does_not_clearly_establish_the_law_in_the_ninth():
    lone = _lone_out_of_circuit_case(BEFORE_WOOD)
    assert len({p.court for p in lone}) == 1 and lone[0].fact_pattern().act_kind != BEFORE_WOOD.act_kind
    basis = evaluate(BEFORE_WOOD).clearly_established_basis
    assert basis.established is False and basis.route == "none"


def test_one_case_elsewhere_about_the_same_act_still_gives_warning_in_the_ninth_before_al_kidd():
    lone = _lone_out_of_circuit_case(BEFORE_WOOD)[0]
    same_act = BEFORE_WOOD.with_(act_kind=lone.fact_pattern().act_kind)
    basis = evaluate(same_act).clearly_established_basis
    assert basis.established is True and basis.route == "consensus"
    assert basis.precedents == (lone.id,) and any("same kind of act" in o for o in basis.ours)
    # after al-Kidd the lone case is no longer enough: a robust consensus is needed
    later = same_act.with_(decision_date=date(2012, 1, 1))
    assert evaluate(later).clearly_established is False


def test_capoeman_is_recorded_as_holding_the_right_not_clearly_established():
    p = L.precedents["capoeman_v_reed_1985"]
    assert p.clearly_established is False and "not clearly established" in p.rule


def test_the_fourth_ordinarily_looks_no_further_than_its_own_cases_from_edwards():
    from helpers.immunity import consensus_standard
    ca4 = L.circuits["ca4"]
    edwards = L.precedents["edwards_v_city_of_goldsboro_1999"].decided
    assert consensus_standard(ca4, date.fromordinal(edwards.toordinal() - 1)) != "none"
    assert consensus_standard(ca4, edwards) == "none"
    # Doe v. S.C. DSS: a foster-care duty other circuits had recognised by 2003 was not clearly
    # established in the Fourth, which had not recognised it
    doe = L.precedents["doe_v_south_carolina_department_of_social_services_2010"]
    facts = doe.fact_pattern().with_(circuit="ca4", conduct_date=doe.conduct, decision_date=doe.decided)
    basis = evaluate(facts).clearly_established_basis
    assert basis.established is False and basis.route != "special_relationship"
    # the same facts decided before Edwards would have drawn on a consensus elsewhere
    earlier = evaluate(facts.with_(conduct_date=date(1997, 1, 1), decision_date=date(1999, 1, 1)))
    assert earlier.clearly_established and "consensus of persuasive authority" in earlier.clearly_established_basis.why


def test_the_fifth_counts_no_consensus_for_a_theory_it_never_adopted_from_kovacic():
    # Kennedy's facts in the Fifth: under Wilson v. Layne, before Shipp, a consensus of sister circuits
    # counted; from McClendon (its footnote) and Kovacic a theory the circuit never adopted cannot be
    # clearly established there whatever other circuits hold; from Fisher the bar says so in terms.
    fifth = KENNEDY.with_(circuit="ca5")
    before = evaluate(fifth.with_(conduct_date=date(1999, 6, 1), decision_date=date(2000, 6, 1)))
    assert before.clearly_established_basis.route == "consensus" and before.clearly_established
    after = evaluate(fifth.with_(conduct_date=date(2012, 1, 1), decision_date=date(2015, 1, 1)))
    assert not after.clearly_established and after.clearly_established_basis.route == "none"
    assert "only where it had itself recognised the theory" in after.clearly_established_basis.why
    fisher = evaluate(fifth.with_(conduct_date=date(2019, 1, 1), decision_date=date(2024, 1, 1)))
    assert not fisher.clearly_established and "never adopted" in fisher.clearly_established_basis.why


def test_the_ninth_says_why_a_lone_case_about_another_act_was_not_enough():
    why = evaluate(BEFORE_WOOD).clearly_established_basis.why
    assert "one case elsewhere about the same kind of act would also do" in why


def test_the_dc_circuit_lets_other_circuits_fill_in_a_theory_only_once_it_had_recognised_it():
    # Butera's facts: the D.C. Circuit recognised state-created danger only in Butera (2001), after
    # the 1997 conduct, so five circuits' cases do not clearly establish it there (Butera, as the
    # Fifth Circuit en banc reads it); the same facts after Butera may draw on a consensus.
    butera = L.precedents["butera_v_district_of_columbia_2001"]
    facts = butera.fact_pattern()
    before = evaluate(facts).clearly_established_basis
    assert before.established is False and "only where it had itself recognised the theory" in before.why
    # the day before Butera the D.C. Circuit counted an ordinary consensus, and these facts had one
    earlier_court = facts.with_(decision_date=date(2000, 12, 1))
    assert evaluate(earlier_court).clearly_established_basis.route == "consensus"
    later = facts.with_(conduct_date=date(2003, 6, 1), decision_date=date(2006, 1, 1))
    assert L.circuits["cadc"].recognizes(later.conduct_date, later.readings)
    assert evaluate(later).clearly_established is True


def test_after_mcclendon_other_circuits_do_not_establish_state_created_danger_in_the_fifth():
    # issue 19: the lab showed a green "clearly established, if there were a violation" for Fifth
    # Circuit facts between McClendon (2002) and Kovacic (2010) by a consensus elsewhere. McClendon's
    # footnote (seed 000): "regardless of the status of this doctrine in other circuits", an officer
    # in this circuit would "even today" be unclear whether the right exists.
    kennedy_in_fifth = KENNEDY.with_(circuit="ca5", conduct_date=date(2003, 1, 1), decision_date=date(2006, 1, 1))
    basis = evaluate(kennedy_in_fifth).clearly_established_basis
    assert basis.established is False and basis.route == "none"
    assert "only where it had itself recognised the theory" in basis.why

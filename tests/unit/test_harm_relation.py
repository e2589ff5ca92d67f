"""Prong two: how the kind of harm in a precedent stands to the harm in new facts (data/analogy.yaml
harm_groups, harm_reaches, particularized_harm; docs/prong-two.md)."""
from helpers import evaluate
from helpers.analogy import compare_facts, harm_relation, knowledge
from helpers.exercises import load_hypotheticals
from helpers.exercises.predict import prediction_key
from helpers.facts import CIRCUITS, parse_facts
from helpers.immunity import _pattern_key, supports
from helpers.law import law

L = law()
K = knowledge()
AFTER_PARTY = parse_facts(load_hypotheticals("07_capstone")["after_party"].facts)
VIOLENCE = AFTER_PARTY.with_(harm_source="private_violence")


def test_reckless_harm_reaches_violence_one_way_only():
    assert harm_relation(K, "private_recklessness", "private_violence") == "reaches"
    assert harm_relation(K, "private_violence", "private_recklessness") == "reached_by"
    assert harm_relation(K, "private_recklessness", "natural_peril") == "apart"
    assert harm_relation(K, "private_violence", "natural_peril") == "group"
    reckless_precedent = AFTER_PARTY
    assert compare_facts(_pattern_key(reckless_precedent), _pattern_key(VIOLENCE)).analogous
    assert not compare_facts(_pattern_key(VIOLENCE), _pattern_key(reckless_precedent)).analogous


def test_a_deliberate_attack_never_makes_the_plaintiffs_prong_two_weaker_than_drunk_driving():
    # Hope at 741 with Dwares: whatever warned an official about licensed recklessness warns him about
    # licensed violence. No circuit may grant immunity for the attack where it denies it for the driving.
    for cid, _changed, shown in prediction_key(AFTER_PARTY, "immunity_denied", {"harm_source": "private_violence"}):
        before, after = evaluate(AFTER_PARTY.with_(circuit=cid)), evaluate(VIOLENCE.with_(circuit=cid))
        if before.violation and after.violation:
            assert after.clearly_established or not before.clearly_established, shown


def test_the_a_fortiori_step_is_labelled_where_it_decides_the_answer():
    basis = evaluate(VIOLENCE).clearly_established_basis
    assert basis.established and any("a fortiori" in o for o in basis.ours)
    assert not any("a fortiori" in o for o in evaluate(AFTER_PARTY).clearly_established_basis.ours)


def test_only_a_binding_case_reaches_another_harm_a_fortiori():
    for cid in CIRCUITS:
        facts = VIOLENCE.with_(circuit=cid)
        for level in ("general", "particularized"):
            pro, _ = supports(L, facts, level, (cid, "scotus"), True)
            for p in pro:
                if harm_relation(K, p.fact_pattern().harm_source, facts.harm_source) == "reaches":
                    assert p.court in (cid, "scotus")

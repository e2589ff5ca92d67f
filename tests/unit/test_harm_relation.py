"""Prong two: how the kind of harm in a precedent stands to the harm in new facts (data/analogy.yaml
harm_groups, harm_reaches, particularized_harm; docs/prong-two.md)."""
from datetime import date

from helpers import evaluate
from helpers.analogy import compare_facts, crossing_is_ours, harm_relation, knowledge
from helpers.exercises import load_hypotheticals
from helpers.exercises.predict import prediction_key
from helpers.facts import CIRCUITS, parse_facts
from helpers.immunity import pattern_key, supports
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
    assert compare_facts(pattern_key(reckless_precedent), pattern_key(VIOLENCE)).analogous
    assert not compare_facts(pattern_key(VIOLENCE), pattern_key(reckless_precedent)).analogous


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


def test_violence_and_natural_peril_cross_but_the_crossing_is_labelled_at_the_particularized_level_after_kisela():
    start = K.particularized_harm.start
    assert not crossing_is_ours(K, "general", date(2022, 1, 1))
    assert not crossing_is_ours(K, "particularized", date(start.year - 1, 1, 1))
    assert crossing_is_ours(K, "particularized", start)
    cold = parse_facts({**load_hypotheticals("07_capstone")["winter_roadside"].facts, "circuit": "ca9",
                        "conduct_date": "1995-01-14"})
    # the only binding case then was about violence (a woman stranded in a high-crime area)
    early = evaluate(cold.with_(decision_date=date(start.year - 2, 5, 2))).clearly_established_basis
    late = evaluate(cold.with_(decision_date=date(start.year + 2, 5, 2))).clearly_established_basis
    assert early.established and late.established and early.precedents == late.precedents
    assert all(L.precedents[i].fact_pattern().harm_source == "private_violence" for i in late.precedents)
    assert not any("squarely governs" in o for o in early.ours)
    assert any("squarely governs" in o for o in late.ours)
    # with a binding case about the same harm as well, the crossing no longer decides: no label
    now = evaluate(cold.with_(conduct_date=date(2018, 1, 14), decision_date=date(start.year + 4, 5, 2)))
    assert now.clearly_established and not any("squarely governs" in o for o in now.clearly_established_basis.ours)


def test_the_capstone_closest_case_question_keys_the_case_that_needs_no_crossing():
    from helpers.exercises import load_lesson
    ex = next(e for e in load_lesson("07_capstone").exercises if e.id == "winter_roadside_closest_case")
    keyed = [c for c in ex.choices if c.correct]
    assert len(keyed) == 1 and "Munger" in keyed[0].text
    winter = parse_facts(load_hypotheticals("07_capstone")["winter_roadside"].facts)
    munger, wood = L.precedents["munger_v_city_of_glasgow_2000"], L.precedents["wood_v_ostrander_1989"]
    assert compare_facts(munger.fact_pattern(), pattern_key(winter)).harm == "same"
    assert compare_facts(wood.fact_pattern(), pattern_key(winter)).harm == "group"
    assert crossing_is_ours(K, "particularized", winter.decision_date)
    wood_choice = next(c for c in ex.choices if "Wood" in c.text)
    assert "squarely governs" in wood_choice.feedback and "workbook's reading" in wood_choice.feedback


def test_the_drag_race_case_is_the_true_analogue_of_the_after_party_and_a_counterexample_on_its_own_facts():
    from helpers.immunity import counterexample_checks, is_counterexample
    jones = L.precedents["jones_v_reynolds_2006"]
    # after the party (Second Circuit): the same mechanism and the same kind of harm; it fails only
    # because it binds elsewhere and because these facts take the message to have increased the danger
    chk = {c.id: c for c in counterexample_checks(L, L.circuits["ca2"], jones, AFTER_PARTY)}
    assert [i for i, c in chk.items() if not c.passed] == ["binding", "not_stronger"]
    assert "danger" in chk["not_stronger"].detail.lower()
    # on its own facts, later, in the Sixth: no violation, and a binding counterexample
    race = jones.fact_pattern().with_(circuit="ca6", conduct_date=date(2010, 6, 1), decision_date=date(2013, 6, 1))
    assert evaluate(race).violation is False
    chk = counterexample_checks(L, L.circuits["ca6"], jones, race)
    assert is_counterexample(chk) and all(c.passed for c in chk)

"""The workbook's own readings (data/readings.yaml): each one is used, each one's other side changes
the law it names, and nothing changes unless a fact pattern asks for the other side."""
import pytest

from helpers import evaluate
from helpers.facts import FactError, parse_facts
from helpers.immunity import method_for
from helpers.law import law
from helpers.readings import readings
from helpers.rules import rule_readings

KENNEDY = dict(circuit="ca4", conduct_date="2018-01-01", decision_date="2020-01-01", act_kind="disclosed_to_assailant",
               danger_effect="created", victim_scope="specific_person", awareness="actual",
               culpability="deliberate_indifference", deliberation="unhurried", harm_foreseeable=True,
               but_for_cause=True, harm_source="private_violence")


def _used_in_data() -> set[str]:
    used = set()
    for circ in law().circuits.values():
        used |= {s.reading for s in circ.status if s.reading}
        used |= {r.reading for r in circ.culpability if r.reading}
        for version in circ.tests + circ.special_relationship:
            for e in version.elements:
                used |= rule_readings(e.rule)
    return used


PRONG_TWO = {r.id for r in readings().values() if r.place == "prong_two"}


def test_every_reading_is_used_where_it_says():
    used = _used_in_data()
    for r in readings().values():
        if r.place == "prong_two":
            continue
        assert r.id in used, f"{r.source}: reading '{r.id}' is used by no circuit file"
    assert used <= set(readings()), used - set(readings())


def test_every_reading_names_cases_in_the_base():
    for r in readings().values():
        assert r.cases and all(c in law().precedents for c in r.cases), r.id


def test_the_fourth_circuit_bar_is_a_reading_whose_other_side_counts_a_disclosure():
    ours = evaluate(KENNEDY)
    other = evaluate(dict(KENNEDY, readings=["ca4_acts_toward_assailant"]))
    act = "affirmative_act_in_immediate_interaction"
    assert not next(e for e in ours.state_created_danger.elements if e.id == act).met
    assert next(e for e in other.state_created_danger.elements if e.id == act).met
    assert not ours.violation and other.violation


def test_recognition_reading_flips_the_fourth_circuit_between_pinder_and_rosa():
    facts = dict(KENNEDY, act_kind="stranded_victim", conduct_date="2004-01-01", decision_date="2006-01-01")
    assert not evaluate(facts).state_created_danger.recognized
    assert evaluate(dict(facts, readings=["ca4_recognition"])).state_created_danger.recognized


def test_implicit_assurance_reading_changes_only_the_circuits_it_names():
    facts = dict(KENNEDY, act_kind="signalled_impunity", assurance_to_assailant="implicit", circuit="ca10")
    assert not evaluate(facts).violation
    assert evaluate(dict(facts, readings=["implicit_assurance"])).violation
    second = dict(facts, circuit="ca2")
    assert evaluate(second).violation == evaluate(dict(second, readings=["implicit_assurance"])).violation


def test_culpability_readings_change_what_a_hurried_official_needs():
    facts = dict(KENNEDY, circuit="ca3", deliberation="hurried")
    assert evaluate(facts).violation
    assert not evaluate(dict(facts, readings=["ca3_hurried_tier"])).violation
    second = dict(KENNEDY, circuit="ca2", deliberation="hurried")
    assert not evaluate(second).violation
    assert evaluate(dict(second, readings=["ca2_competing_obligations"])).violation


def test_the_al_kidd_switch_is_a_reading():
    f = parse_facts(dict(KENNEDY, circuit="ca9", conduct_date="1998-09-24", decision_date="2006-03-07"))
    circ = law().circuits["ca9"]
    assert method_for(law(), circ, f).level == "general"
    assert method_for(law(), circ, f.with_(readings=("particularized_before_al_kidd",))).level == "particularized"
    assert "particularized_before_al_kidd" in PRONG_TWO


def test_an_unknown_reading_is_refused_with_the_field_and_what_is_allowed():
    with pytest.raises(FactError) as exc:
        parse_facts(dict(KENNEDY, readings=["no_such_reading"]))
    line = exc.value.problems[0]
    assert line.startswith("readings:") and "no_such_reading" in line and "ca4_acts_toward_assailant" in line


def test_readings_round_trip_and_stay_out_of_the_default_answer():
    f = parse_facts(dict(KENNEDY, readings=["implicit_assurance", "ca4_recognition", "implicit_assurance"]))
    assert f.readings == ("ca4_recognition", "implicit_assurance")
    assert parse_facts(f.to_dict()) == f
    assert "readings" not in parse_facts(KENNEDY).to_dict()


def test_the_consensus_number_is_a_reading_and_decides_a_four_circuit_consensus():
    from helpers.cases import find_case

    kennedy = find_case("kennedy_v_ridgefield_2006").facts.with_(circuit="ca10")
    ours = evaluate(kennedy)
    assert ours.clearly_established and ours.clearly_established_basis.route == "consensus"
    assert not evaluate(kennedy.with_(readings=("consensus_threshold",))).clearly_established

"""The outside audit of data/circuits (../shared/reviews/circuit-audit.md), one test per finding.

Each test fails on the encoding the audit criticised and passes on the fix; where the audit was
wrong, docs/doctrine-review/circuit-audit.md says why. Prong one (`violation`) is tested here;
the data prong two will read (consensus rules, dates from which a duty was clearly established)
is tested as data.
"""
from datetime import date

import pytest

from helpers.rules import rule_facts

from helpers import evaluate
from helpers.facts import CIRCUITS
from helpers.law import in_force, law

LAW = law()
P = LAW.precedents

DANGER = dict(act_kind="stranded_victim", danger_effect="increased", victim_scope="specific_person",
              awareness="actual", culpability="deliberate_indifference", deliberation="unhurried",
              harm_foreseeable=True, but_for_cause=True)


def run(circuit, decided, **facts):
    return evaluate({"circuit": circuit, "conduct_date": decided, "decision_date": decided, **facts})


# --- cross-cutting 1: natural perils in the Tenth Circuit (Gray) --------------------------------

@pytest.mark.parametrize("act", ["stranded_victim", "cut_off_aid", "sent_victim_into_danger", "other"])
@pytest.mark.parametrize("decided", ["2012-02-27", "2016-06-01", "2024-01-01"])
def test_the_tenth_never_finds_danger_creation_for_a_natural_peril_after_gray(act, decided):
    a = run("ca10", decided, **dict(DANGER, act_kind=act, harm_source="natural_peril"))
    assert not a.state_created_danger.met and not a.violation
    # the same facts with a private assailant still meet the test
    assert run("ca10", decided, **dict(DANGER, act_kind=act)).state_created_danger.met


def test_grays_own_facts_as_strongly_as_they_could_be_pleaded_are_no_violation():
    g = P["gray_v_university_of_colorado_2012"]
    strongest = dict(g.facts_raw, act_kind="other", culpability="deliberate_indifference", awareness="actual")
    assert not run("ca10", g.decided.isoformat(), **strongest).violation
    assert evaluate(g.fact_pattern()).violation is g.violation is False


# --- cross-cutting 2: foster care from the date a circuit held the duty established ----------------

FOSTER = dict(custody="foster_care", awareness="actual", culpability="deliberate_indifference")


def test_the_seventh_owed_foster_children_protection_before_kh_was_decided():
    """K.H. (1990) denied immunity for placements from about 1982."""
    assert run("ca7", "1989-06-01", **FOSTER).violation
    assert not run("ca7", "1981-01-01", **FOSTER).violation


def test_a_2005_ninth_circuit_foster_care_decision_finds_the_violation_tamas_held_established_in_1996():
    assert run("ca9", "2005-03-01", **FOSTER).violation
    assert not run("ca9", "1995-06-01", **FOSTER).violation


@pytest.mark.parametrize("circuit,day,authority", [
    ("ca7", date(1982, 6, 1), "k_h_v_morgan_1990"),
    ("ca9", date(1996, 1, 1), "tamas_v_department_of_social_and_health_services_2010"),
    ("ca8", date(1991, 8, 19), "norfleet_v_arkansas_department_of_human_services_1993"),
    ("ca10", date(1985, 8, 1), "yvonne_l_v_new_mexico_department_of_human_services_1992"),
])
def test_the_foster_care_versions_say_from_when_the_duty_was_clearly_established(circuit, day, authority):
    version = next(v for v in LAW.circuits[circuit].special_relationship if v.established_from)
    assert version.established_from[0] == day and version.established_from[1].case == authority
    assert version.established_from[0] < version.start


def test_the_tenth_owed_foster_children_protection_from_1985_as_yvonne_l_held():
    assert run("ca10", "1990-01-01", **FOSTER).violation
    assert not run("ca10", "1984-01-01", **FOSTER).violation


def test_the_eleventh_dates_foster_care_from_taylor_v_ledbetter_1987():
    circ = LAW.circuits["ca11"]
    f = run("ca11", "1988-01-01", **FOSTER)
    assert circ.custody_test_met(parse(f), date(1988, 1, 1)) is not None


def parse(answer):
    from helpers.facts import parse_facts
    return parse_facts({"circuit": answer.circuit, "conduct_date": answer.conduct_date,
                        "decision_date": answer.decision_date, **FOSTER})


# --- cross-cutting 3: Youngberg's professional judgment -------------------------------------------

@pytest.mark.parametrize("circuit", CIRCUITS)
def test_a_substantial_departure_from_professional_judgment_violates_the_rights_of_the_committed(circuit):
    base = dict(culpability="gross_negligence", professional_departure=True)
    assert run(circuit, "2010-01-01", custody="involuntary_commitment", **base).violation
    assert not run(circuit, "2010-01-01", custody="prison", **base).violation
    assert not run(circuit, "2010-01-01", custody="involuntary_commitment",
                   **dict(base, professional_departure=False)).violation
    assert not run(circuit, "2010-01-01", custody="involuntary_commitment",
                   **dict(base, culpability="negligence")).violation


# --- cross-cutting 4: arrest as custody cites City of Revere --------------------------------------

def test_arrest_as_custody_cites_city_of_revere_everywhere():
    assert P["city_of_revere_v_massachusetts_general_hospital_1983"].decided == date(1983, 6, 27)
    for circ in LAW.circuits.values():
        for version in circ.special_relationship:
            custody = next(e for e in version.elements if rule_facts(e.rule) == {"custody"})
            if "arrest" in str(custody.rule):  # in the rule, or in either side of a reading
                assert "City of Revere" in (custody.note or ""), (circ.id, version.start)


# --- cross-cutting 5: chases (Helseth, Bingue) ------------------------------------------------------

CHASE = dict(act_kind="other", harm_source="state_actor", awareness="actual",
             culpability="deliberate_indifference", harm_foreseeable=True, but_for_cause=True, pursuit=True)


@pytest.mark.parametrize("deliberation", ["unhurried", "hurried", "emergency"])
@pytest.mark.parametrize("circuit,decided", [("ca8", "2001-07-31"), ("ca8", "2015-01-01"),
                                             ("ca9", "2008-01-15"), ("ca9", "2015-01-01")])
def test_a_chase_needs_intent_to_harm_whatever_the_time_to_deliberate(circuit, decided, deliberation):
    assert not run(circuit, decided, **dict(CHASE, deliberation=deliberation)).violation
    assert run(circuit, decided, **dict(CHASE, deliberation=deliberation, culpability="intent_to_harm")).violation


def test_an_eighth_circuit_chase_coded_hurried_before_helseth_was_judged_by_the_time_to_think():
    """Feist v. Simonson (2000), overruled by Helseth, let a six-minute chase go on deliberate indifference."""
    assert run("ca8", "2000-12-01", **dict(CHASE, deliberation="hurried")).violation


@pytest.mark.parametrize("pid", ["helseth_v_burch_2001", "bingue_v_prunchak_2008"])
@pytest.mark.parametrize("deliberation", ["unhurried", "hurried"])
def test_helseth_and_bingue_hold_however_their_chases_are_timed(pid, deliberation):
    p = P[pid]
    assert p.facts_raw.get("pursuit") is True
    assert not evaluate(p.fact_pattern().with_(deliberation=deliberation)).violation


# --- cross-cutting 6: which courts clearly establish law -----------------------------------------

def test_the_eleventh_counts_no_out_of_circuit_consensus():
    circ = LAW.circuits["ca11"]
    for year in (1997, 1999, 2001, 2010, 2024):
        assert not circ.counts_consensus(date(year, 7, 1)), year
    assert in_force(circ.consensus, date(2005, 1, 1)).authority.case == "marsh_v_butler_county_2001"


def test_the_sixth_counts_a_consensus_only_if_it_points_unmistakably():
    circ = LAW.circuits["ca6"]
    for year in (1989, 2000, 2024):
        rule = in_force(circ.consensus, date(year, 1, 1))
        assert rule.counts and rule.standard == "unmistakable", year
    assert in_force(circ.consensus, date(1985, 1, 1)).standard == "ordinary"


def test_the_tenth_counts_the_weight_of_authority_from_medina():
    rule = in_force(LAW.circuits["ca10"].consensus, date(1995, 1, 1))
    assert rule.counts and rule.authority.case == "medina_v_city_and_county_of_denver_1992"


# --- ca3: Miller's and Ziccardi's hurried tier -----------------------------------------------------

def _inferred(answer, theory="state_created_danger"):
    """Whether an element of `theory` says its knowledge was inferred from an obvious risk (Farmer)."""
    return any("inferred from obviousness" in e.why and "511 U.S. 825, 842" in e.why
               for e in getattr(answer, theory).elements)


def test_the_third_circuits_hurried_tier_needs_conscious_disregard_from_miller():
    hurried = dict(DANGER, deliberation="hurried", awareness="obvious")
    # conscious disregard needs knowledge; an obvious risk lets a factfinder find it (Farmer at 842)
    a = run("ca3", "2001-01-01", **hurried)
    assert a.violation and _inferred(a)
    assert not run("ca3", "2001-01-01", **dict(hurried, awareness="none")).violation
    assert not _inferred(run("ca3", "2001-01-01", **dict(hurried, awareness="actual")))
    # unhurried deliberate indifference on an obvious risk is enough without any inference
    unhurried = run("ca3", "2001-01-01", **dict(hurried, deliberation="unhurried"))
    assert unhurried.violation and not _inferred(unhurried)
    assert LAW.circuits["ca3"].test_on(date(2001, 1, 1)).authority.case == "miller_v_city_of_philadelphia_1999"


# --- ca8: Freeman's test before Hart; conscious disregard needs knowledge -----------------------

def test_the_eighth_circuits_test_before_hart_is_freemans():
    ids = {e.id for e in LAW.circuits["ca8"].test_on(date(1995, 1, 1)).elements}
    assert "limited_definable_group" not in ids and "obvious_or_known_risk" not in ids
    hart = {e.id for e in LAW.circuits["ca8"].test_on(date(2006, 1, 1)).elements}
    assert {"limited_definable_group", "serious_immediate_proximate_risk", "obvious_or_known_risk"} <= hart
    assert run("ca8", "1995-01-01", **dict(DANGER, victim_scope="public_at_large", awareness="obvious")).violation


@pytest.mark.parametrize("circuit,decided", [("ca8", "2010-01-01"), ("ca10", "2000-01-01"), ("ca10", "2010-01-01"),
                                             ("ca5", "2010-01-01"), ("ca6", "2010-01-01")])
def test_reckless_conscious_disregard_needs_knowledge_which_an_obvious_risk_lets_a_factfinder_infer(circuit, decided):
    obvious = run(circuit, decided, **dict(DANGER, awareness="obvious", custody="prison"))
    assert obvious.special_relationship.met and _inferred(obvious, "special_relationship")
    assert not run(circuit, decided, **dict(DANGER, awareness="none", custody="prison")).special_relationship.met
    if LAW.circuits[circuit].recognizes(date.fromisoformat(decided)):
        assert run(circuit, decided, **dict(DANGER, awareness="obvious")).state_created_danger.met
        assert not run(circuit, decided, **dict(DANGER, awareness="none")).state_created_danger.met
    known = run(circuit, decided, **dict(DANGER, custody="prison"))
    assert known.special_relationship.met and not _inferred(known, "special_relationship")


def test_the_failing_knowledge_sentence_reads_as_a_sentence():
    a = run("ca10", "2010-01-01", **dict(DANGER, awareness="none"))
    whys = [e.why for e in a.state_created_danger.elements if not e.met]
    assert "Deliberate indifference here needs actual knowledge (which a factfinder may infer from an obvious " \
           "risk); here the official did not know of the risk." in whys
    assert not any("the official the risk" in w for _, e in a.elements() for w in [e.why])


# --- cadc: Smith v. District of Columbia is not foster care ------------------------------------

def test_smith_is_a_committed_delinquent_and_the_dc_circuit_encodes_no_foster_care():
    smith = P["smith_v_district_of_columbia_2005"]
    assert smith.facts_raw["custody"] != "foster_care"
    assert evaluate(smith.fact_pattern()).violation
    assert not run("cadc", "2010-01-01", **FOSTER).special_relationship.met


# --- ca4: Robinson v. Lioi ----------------------------------------------------------------------

def test_robinson_is_recorded_but_does_not_move_the_fourths_recognition():
    r = P["robinson_v_lioi_2013"]
    assert r.violation and "not binding" in r.verification_note
    circ = LAW.circuits["ca4"]
    assert not circ.recognizes(date(2014, 1, 1)) and circ.recognizes(date(2016, 1, 1))


# --- Done when: the audited cases' own facts give the holdings ----------------------------------

@pytest.mark.parametrize("pid", [
    "gray_v_university_of_colorado_2012", "helseth_v_burch_2001", "bingue_v_prunchak_2008",
    "k_h_v_morgan_1990", "norfleet_v_arkansas_department_of_human_services_1993",
    "smith_v_district_of_columbia_2005", "taylor_v_ledbetter_1987", "uhlrig_v_harder_1995",
    "hart_v_city_of_little_rock_2005", "freeman_v_ferguson_1990", "kneipp_v_tedder_1996",
    "sanford_v_stiles_2006", "bright_v_westmoreland_county_2006", "pauluk_v_savage_2016",
])
def test_the_audited_cases_own_facts_give_their_holdings_on_prong_one(pid):
    p = P[pid]
    assert p.violation is not None
    assert evaluate(p.fact_pattern()).violation is p.violation


# --- cross-cutting 3 (continued): Kingsley's objective standard for pretrial detainees (ca6) ------

JAIL = dict(custody="prison", culpability="deliberate_indifference", awareness="obvious")


def test_the_sixth_judges_a_pretrial_detainee_objectively_from_brawner():
    detainee = run("ca6", "2022-01-01", pretrial_detainee=True, **JAIL)
    assert detainee.violation
    # a convict must still show the official knew of the risk (Farmer), as must a detainee before
    # Brawner: an obvious risk lets a factfinder find that he did, and the element says so
    for convict in (run("ca6", "2022-01-01", **JAIL), run("ca6", "2020-01-01", pretrial_detainee=True, **JAIL)):
        assert convict.violation and _inferred(convict, "special_relationship")
    assert not run("ca6", "2022-01-01", **dict(JAIL, awareness="none")).violation
    assert run("ca6", "2022-01-01", **dict(JAIL, awareness="actual")).violation


# --- circuit by circuit --------------------------------------------------------------------------

def test_the_first_cites_rivera_for_not_recognising_the_theory():
    status = in_force(LAW.circuits["ca1"].status, date(2010, 1, 1))
    assert not status.recognized and status.authority.case == "rivera_v_rhode_island_2005"


def test_the_seconds_1993_test_cites_dwares_not_pena():
    version = LAW.circuits["ca2"].test_on(date(1995, 1, 1))
    assert {e.authority.case for e in version.elements} & {"pena_v_deprisco_2005"} == set()
    assert LAW.circuits["ca2"].test_on(date(2006, 1, 1)).authority.case == "pena_v_deprisco_2005"


def test_the_seventh_cites_walker_v_rowe_on_public_employees():
    stance = LAW.circuits["ca7"].stances["public_employees"]
    assert stance["authority"].case == "walker_v_rowe_1986"
    assert P["walker_v_rowe_1986"].decided == date(1986, 5, 19)

"""Hypotheticals written like exam questions, one or more for every circuit.

Each states the facts, the forum and dates, and what the law then said; the expected
answers were worked out from the cases, not read off the engine.
"""
from dataclasses import dataclass, field

import pytest

from helpers import compare, evaluate

# A deliberate danger: the officer tells a violent man where his victim is.
TIPPED_OFF = dict(
    act_kind="disclosed_to_assailant", danger_effect="created", victim_scope="specific_person",
    awareness="actual", culpability="deliberate_indifference", deliberation="unhurried",
    harm_foreseeable=True, but_for_cause=True, harm_source="private_violence",
)
# Pena's pattern: officers condone a colleague's drinking; he kills pedestrians.
CONDONED = dict(
    act_kind="signalled_impunity", assurance_to_assailant="implicit", danger_effect="increased",
    victim_scope="public_at_large", awareness="actual", culpability="deliberate_indifference",
    deliberation="unhurried", harm_foreseeable=True, but_for_cause=True, harm_source="private_recklessness",
)
CUSTODY = dict(custody="prison", awareness="actual", culpability="deliberate_indifference")


@dataclass
class Q:
    question: str
    facts: dict
    violation: bool | None = None
    established: bool | None = None
    immunity: bool | None = None
    unmet: set = field(default_factory=set)  # element ids that must be unmet


QUESTIONS = [
    Q("In 2015 a Ninth Circuit officer promises to warn a mother before contacting a violent boy's "
      "family, then tells the family first; the boy attacks her. Decided 2018: violation, clearly "
      "established (Kennedy on point), no immunity.",
      dict(TIPPED_OFF, circuit="ca9", promise_to_victim=True, victim_relied=True,
           conduct_date="2015-06-01", decision_date="2018-06-01"), True, True, False),
    Q("The same in the Fifth Circuit: the circuit has never adopted the theory, so no violation.",
      dict(TIPPED_OFF, circuit="ca5", conduct_date="2015-06-01", decision_date="2018-06-01"),
      False, None, True),
    Q("The same in the Eleventh Circuit in 2015: White v. Lemacks abandoned the theory in 1999.",
      dict(TIPPED_OFF, circuit="ca11", conduct_date="2015-06-01", decision_date="2018-06-01"),
      False, None, True),
    Q("The same in the Eleventh Circuit, decided in 1997 under Cornelius: a violation.",
      dict(TIPPED_OFF, circuit="ca11", conduct_date="1995-06-01", decision_date="1997-06-01"), True),
    Q("The same in the First Circuit, decided in 2018, before Irish v. Fowler: no violation.",
      dict(TIPPED_OFF, circuit="ca1", conduct_date="2015-06-01", decision_date="2018-06-01"), False),
    Q("The same in the First Circuit, decided in 2021 after Irish: prong one uses the decision-date law.",
      dict(TIPPED_OFF, circuit="ca1", conduct_date="2015-06-01", decision_date="2021-06-01"), True),
    Q("Fourth Circuit, 2018: telling the assailant is outside Pinder's 'immediate interactions "
      "between the officer and the plaintiff'.",
      dict(TIPPED_OFF, circuit="ca4", conduct_date="2017-06-01", decision_date="2018-06-01"), False,
      unmet={"affirmative_act_in_immediate_interaction"}),
    Q("Fourth Circuit, 2018: stranding the plaintiff herself is an act in an immediate interaction.",
      dict(TIPPED_OFF, act_kind="stranded_victim", circuit="ca4", conduct_date="2017-06-01",
           decision_date="2018-06-01"), True),
    Q("Second Circuit, 2008 conduct: officers implicitly condone a drunk colleague who kills "
      "pedestrians. After Pena the sanction is clearly established: no immunity.",
      dict(CONDONED, danger_effect="created", circuit="ca2", conduct_date="2008-06-01",
           decision_date="2010-06-01"), True, True, False),
    Q("The same, but the condoning only increased a danger that existed: Penilla's point, that the line "
      "is action against inaction and not creating against increasing, keeps Pena on point.",
      dict(CONDONED, circuit="ca2", conduct_date="2008-06-01", decision_date="2016-06-01"), True, True, False),
    Q("Second Circuit, the same conduct in 2001: a violation, but not yet clearly established (Pena).",
      dict(CONDONED, circuit="ca2", conduct_date="2001-08-04", decision_date="2005-12-09"), True, False, True),
    Q("Third Circuit: an implicit signal of impunity is not counted as an affirmative use of authority.",
      dict(CONDONED, circuit="ca3", victim_scope="specific_person", conduct_date="2008-06-01",
           decision_date="2010-06-01"), False, unmet={"affirmative_use_of_authority"}),
    Q("Ninth Circuit after Martinez: an implicit assurance counts, but pedestrians at large are not a "
      "particularized danger.",
      dict(CONDONED, circuit="ca9", conduct_date="2020-06-01", decision_date="2021-06-01"), False,
      unmet={"particularized_danger"}),
    Q("Tenth Circuit: a danger to the public at large fails Uhlrig's limited, definable group.",
      dict(TIPPED_OFF, victim_scope="public_at_large", circuit="ca10", conduct_date="2015-06-01",
           decision_date="2018-06-01"), False, unmet={"limited_definable_group"}),
    Q("Seventh Circuit: a false assurance the victim relied on can be the act (Monfils); "
      "the Fourth Circuit disagrees (Pinder).",
      dict(TIPPED_OFF, act_kind="misled_victim", promise_to_victim=True, victim_relied=True,
           danger_effect="increased", circuit="ca7", conduct_date="2015-06-01", decision_date="2018-06-01"), True),
    Q("Fourth Circuit, the same misleading assurance: not an affirmative act.",
      dict(TIPPED_OFF, act_kind="misled_victim", promise_to_victim=True, victim_relied=True,
           danger_effect="increased", circuit="ca4", conduct_date="2015-06-01", decision_date="2018-06-01"),
      False, unmet={"affirmative_act_in_immediate_interaction"}),
    Q("Eighth Circuit: without but-for causation the plaintiff was not put in harm's way by the state "
      "(Carlton).",
      dict(TIPPED_OFF, but_for_cause=False, circuit="ca8", conduct_date="2015-06-01", decision_date="2018-06-01"),
      False, unmet={"affirmative_action_increasing_danger"}),
    Q("Ninth Circuit, the same: the Kennedy majority asks only whether the particularized risk was created.",
      dict(TIPPED_OFF, but_for_cause=False, circuit="ca9", conduct_date="2015-06-01", decision_date="2018-06-01"),
      True),
    Q("Second Circuit after Lombardi: balancing competing obligations, deliberate indifference does not shock.",
      dict(TIPPED_OFF, deliberation="hurried", circuit="ca2", conduct_date="2008-06-01", decision_date="2010-06-01"),
      False, unmet={"conscience_shocking"}),
    Q("Second Circuit before Lombardi: the same hurried indifference was enough.",
      dict(TIPPED_OFF, deliberation="hurried", circuit="ca2", conduct_date="2005-06-01", decision_date="2006-06-01"),
      True),
    Q("Ninth Circuit, decided 1995: before Grubbs II gross negligence sufficed.",
      dict(TIPPED_OFF, culpability="gross_negligence", circuit="ca9", conduct_date="1993-06-01",
           decision_date="1995-06-01"), True),
    Q("Ninth Circuit, decided 1997: after Grubbs II gross negligence is not enough.",
      dict(TIPPED_OFF, culpability="gross_negligence", circuit="ca9", conduct_date="1993-06-01",
           decision_date="1997-06-01"), False, unmet={"deliberate_indifference"}),
    Q("Sixth Circuit, 1990: Nishiyama's random motorist - no special danger needed, gross negligence enough.",
      dict(TIPPED_OFF, act_kind="armed_or_enabled_assailant", victim_scope="public_at_large",
           culpability="gross_negligence", circuit="ca6", conduct_date="1988-06-01", decision_date="1990-06-01"), True),
    Q("Sixth Circuit, 2000: after Lewellen and Kallstrom the same facts fail.",
      dict(TIPPED_OFF, act_kind="armed_or_enabled_assailant", victim_scope="public_at_large",
           culpability="gross_negligence", circuit="ca6", conduct_date="1999-06-01", decision_date="2000-06-01"),
      False, unmet={"special_danger", "subjective_deliberate_indifference"}),
    Q("Fourth Circuit after Callahan: a public employee must show intent to harm.",
      dict(TIPPED_OFF, act_kind="stranded_victim", victim_public_employee=True, circuit="ca4",
           conduct_date="2021-12-01", decision_date="2022-06-01"), False, unmet={"conscience_shocking"}),
    Q("Fourth Circuit before Callahan: deliberate indifference was enough for the employee.",
      dict(TIPPED_OFF, act_kind="stranded_victim", victim_public_employee=True, circuit="ca4",
           conduct_date="2016-06-01", decision_date="2020-06-01"), True),
    Q("D.C. Circuit: Butera (2001) recognises the theory; a 2000 danger decided in 2002 is a violation "
      "but no D.C. case was on point yet.",
      dict(TIPPED_OFF, circuit="cadc", conduct_date="2000-06-01", decision_date="2002-06-01", generality="particularized"),
      True, False, True),
    Q("Ninth Circuit, an obvious case: intent to harm a specific person through a danger the officer "
      "created needs no case on point (Hope v. Pelzer).",
      dict(TIPPED_OFF, act_kind="other", culpability="intent_to_harm", circuit="ca9",
           conduct_date="2005-06-01", decision_date="2010-06-01"), True, True, False),
    Q("Fifth Circuit after Fisher (2023): even assuming a violation, a never-adopted right is not clearly established.",
      dict(TIPPED_OFF, circuit="ca5", assume_recognized=True, generality="general",
           conduct_date="2020-06-01", decision_date="2024-06-01"), True, False, True),
]


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.question[:60] for q in QUESTIONS])
def test_exam_question(q):
    answer = evaluate(q.facts)
    if q.violation is not None:
        assert answer.violation is q.violation, answer.state_created_danger
    if q.established is not None:
        assert answer.clearly_established is q.established, answer.clearly_established_basis
    if q.immunity is not None:
        assert answer.qualified_immunity is q.immunity
    unmet = {e.id for _, e in answer.elements() if not e.met}
    assert q.unmet <= unmet


def test_custody_in_prison_is_a_settled_violation_in_every_circuit():
    for answer in compare(dict(CUSTODY, conduct_date="2010-06-01", decision_date="2012-06-01")).results:
        assert answer.violation and answer.clearly_established and not answer.qualified_immunity, answer.circuit
        assert answer.clearly_established_basis.route == "special_relationship"


def test_school_is_not_custody_anywhere():
    facts = dict(CUSTODY, custody="school", conduct_date="2010-06-01", decision_date="2012-06-01")
    assert not any(a.violation for a in compare(facts).results)


def test_foster_care_is_custody_only_where_a_verified_case_says_so():
    facts = dict(CUSTODY, custody="foster_care", conduct_date="2015-06-01", decision_date="2018-06-01")
    by = {a.circuit: a for a in compare(facts).results}
    assert by["ca3"].special_relationship.met and by["ca11"].special_relationship.met
    assert not by["ca1"].special_relationship.met


def test_negligence_is_never_enough_even_with_every_other_element():
    facts = dict(TIPPED_OFF, culpability="negligence", conduct_date="2015-06-01", decision_date="2018-06-01")
    assert not any(a.violation for a in compare(facts).results)


def test_lewis_emergency_needs_intent_to_harm():
    hurried = dict(TIPPED_OFF, deliberation="emergency", conduct_date="2015-06-01", decision_date="2018-06-01")
    assert not any(a.violation for a in compare(hurried).results)
    intent = dict(hurried, culpability="intent_to_harm")
    assert evaluate(dict(intent, circuit="ca9")).violation


def test_harm_by_the_official_himself_is_judged_directly():
    facts = dict(awareness="actual", culpability="deliberate_indifference", harm_source="state_actor",
                 conduct_date="2015-06-01", decision_date="2018-06-01")
    for answer in compare(facts).results:
        assert answer.direct_harm.met and answer.violation, answer.circuit
        assert not answer.state_created_danger.met


def test_every_circuit_appears_in_the_scenarios():
    assert {q.facts["circuit"] for q in QUESTIONS} == {"ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7", "ca8",
                                                        "ca9", "ca10", "ca11", "cadc"}

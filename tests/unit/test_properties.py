"""Properties over random fact patterns: what must hold for any facts, any circuit, any date."""
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import CIRCUITS, compare, evaluate
from helpers.engine import decide, flips
from helpers.facts import Facts, vocabulary
from helpers.law import DEAD_EVENTS, law

VOCAB = vocabulary()
START, END = date(1979, 1, 1), date(2026, 11, 1)


def _values(fact):
    spec = VOCAB[fact]
    return st.booleans() if spec.kind == "flag" else st.sampled_from(spec.values)


dates = st.integers(0, (END - START).days).map(lambda n: START + timedelta(days=n))


@st.composite
def fact_patterns(draw, circuit=True):
    values = {f: draw(_values(f)) for f in VOCAB if VOCAB[f].kind in ("choice", "flag")}
    if values["act_kind"] == "signalled_impunity" and values["assurance_to_assailant"] == "none":
        values["assurance_to_assailant"] = draw(st.sampled_from(["implicit", "explicit"]))
    conduct = draw(dates)
    decision = draw(st.integers(0, (END - conduct).days).map(lambda n: conduct + timedelta(days=n)))
    return Facts(conduct_date=conduct, decision_date=decision,
                 circuit=draw(st.sampled_from(CIRCUITS)) if circuit else None, **values)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(fact_patterns())
def test_nothing_raises_and_immunity_is_the_conjunction(f):
    a = evaluate(f)
    assert a.qualified_immunity == (not (a.violation and a.clearly_established))
    assert a.violation == (a.special_relationship.met or a.state_created_danger.met or a.direct_harm.met)
    assert all(e.why and e.authority for _, e in a.elements())
    a.to_json()


@SETTINGS
@given(fact_patterns())
def test_negligence_is_never_a_violation(f):
    assert not evaluate(f.with_(culpability="negligence")).violation


@SETTINGS
@given(fact_patterns())
def test_a_pure_omission_against_a_person_not_in_custody_is_never_a_violation(f):
    omission = f.with_(act_kind="none", assurance_to_assailant="none", harm_source="private_violence")
    for custody in ("none", "school", "voluntary_care"):
        assert not evaluate(omission.with_(custody=custody)).violation


@SETTINGS
@given(fact_patterns())
def test_the_fifth_circuit_never_recognises_the_theory_unless_assumed(f):
    a = evaluate(f.with_(circuit="ca5", assume_recognized=False))
    assert a.state_created_danger.recognized is False
    assert a.state_created_danger.met is False


@SETTINGS
@given(fact_patterns())
def test_the_fast_path_agrees_with_the_full_answer(f):
    a = evaluate(f)
    assert decide(f, f.circuit) == (a.violation, a.clearly_established)


def _narrowing_days():
    """Every day on which some piece of law was narrowed, abandoned or undone."""
    lw = law()
    days = {h.day for p in lw.precedents.values() for h in p.history if h.event in DEAD_EVENTS}
    # A case holding like conduct lawful defeats an analogy in its circuit, and a consensus elsewhere.
    days |= {p.decided for p in lw.danger_precedents if p.violation is False}
    for c in lw.circuits.values():
        days |= {s.start for s in c.status if not s.recognized}
        days |= {v.start for v in c.tests + c.special_relationship if v.narrows}
        # A forum's first statement of its own test binds from then on, and can narrow what a
        # consensus elsewhere had established there (Pinder in the Fourth Circuit).
        days.add(c.tests[0].start)
        days |= {r.start for r in c.culpability if r.narrows}
        days |= {x.start for x in c.consensus if not x.counts}
    return sorted(days)


NARROWED = _narrowing_days()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fact_patterns(), dates)
def test_a_later_conduct_date_never_unestablishes_a_right_no_later_case_narrowed(f, other):
    early, late = sorted([f.conduct_date, other])
    assume(late <= f.decision_date)
    assume(not any(early < d <= late for d in NARROWED))
    if evaluate(f.with_(conduct_date=early)).clearly_established:
        assert evaluate(f.with_(conduct_date=late)).clearly_established


@settings(max_examples=40, deadline=None)
@given(fact_patterns(circuit=False))
def test_flips_are_exactly_the_single_changes_that_change_an_answer(f):
    found = flips(f)
    base = {c: decide(f, c) for c in CIRCUITS}
    for cid, changes in found.items():
        for flip in changes:
            v, ce = decide(f.with_(**{flip.fact: flip.to_value}), cid)
            assert (v, not (v and ce)) != (base[cid][0], not (base[cid][0] and base[cid][1]))
            assert flip.violation == (base[cid][0], v)
    # and none is missing
    from helpers.engine import alternatives
    for name, value, g in alternatives(f):
        for cid in ("ca2", "ca9"):
            v, ce = decide(g, cid)
            changed = (v != base[cid][0]) or ((not (v and ce)) != (not (base[cid][0] and base[cid][1])))
            listed = any(fl.fact == name and fl.to_value == value for fl in found[cid])
            assert changed == listed, (cid, name, value)


def test_compare_answers_every_circuit_in_order():
    result = compare({"conduct_date": "2000-01-01", "decision_date": "2001-01-01"})
    assert [a.circuit for a in result.results] == list(CIRCUITS)

"""The engine's memos never answer stale: along a long random walk (every fact, both dates, the forum,
the options and the readings moving one at a time, as a student moves them), each answer given with
the memos warm from the walk equals the answer given with every memo emptied first."""
import random
from datetime import date, timedelta

import pytest

from helpers import compare, flips
from helpers.facts import FactError, VARIABLE_FACTS, parse_facts, vocabulary
from helpers.memos import forget
from helpers.law import law
from helpers.readings import readings

STEPS = 1500
MOVES = VARIABLE_FACTS + ("conduct_date", "decision_date", "circuit", "generality", "assume_recognized", "readings")


def _walk(seed: int, steps: int):
    """Fact patterns, each one move away from the last; dates jump to days on which the law changed."""
    rng = random.Random(seed)
    vocab, ids = vocabulary(), sorted(readings())
    L = law()
    days = sorted({p.decided for p in L.precedents.values()} | {p.conduct for p in L.precedents.values() if p.conduct})
    raw = {"conduct_date": date(1998, 9, 24), "decision_date": date(2006, 3, 7)}
    out = []
    while len(out) < steps:
        move, new = rng.choice(MOVES), dict(raw)
        if move in ("conduct_date", "decision_date"):
            day = rng.choice(days) + timedelta(days=rng.choice((-1, 0, 1)))
            new[move] = day
            if new["decision_date"] < new["conduct_date"]:
                new["conduct_date"], new["decision_date"] = new["decision_date"], new["conduct_date"]
        elif move == "circuit":
            new["circuit"] = rng.choice(("ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7", "ca8", "ca9", "ca10",
                                         "ca11", "cadc"))
        elif move == "readings":
            new["readings"] = rng.sample(ids, rng.randrange(0, 4))
        else:
            spec = vocab[move]
            new[move] = rng.choice([True, False] if spec.kind == "flag" else list(spec.values))
        try:
            facts = parse_facts(new)
        except FactError:
            continue
        raw = new
        out.append(facts)
    return out


@pytest.mark.parametrize("seed", [1989])
def test_answers_with_the_memos_warm_equal_answers_with_them_emptied(seed):
    walk = _walk(seed, STEPS)
    checked = 0
    for i, facts in enumerate(walk):
        warm = compare(facts).to_dict()
        if i % 5 == 0 or facts.readings:
            forget()
            assert compare(facts).to_dict() == warm, f"step {i}: {facts.to_dict()}"
            checked += 1
    assert checked >= STEPS // 5


def test_flips_with_the_memos_warm_equal_flips_with_them_emptied():
    for i, facts in enumerate(_walk(1998, 120)):
        warm = {c: [f.to_dict() for f in fs] for c, fs in flips(facts).items()}
        if i % 6 == 0:
            forget()
            assert {c: [f.to_dict() for f in fs] for c, fs in flips(facts).items()} == warm, f"step {i}"


def test_the_check_can_fail_a_memo_keyed_by_too_little_answers_stale():
    """A memo keyed without the decision date would be caught: the walk's answers differ by date alone."""
    walk = _walk(7, 400)
    by_key = {}
    for facts in walk:
        by_key.setdefault(facts.with_(decision_date=facts.conduct_date), set()).add(
            str(compare(facts).to_dict()))
    assert any(len(answers) > 1 for answers in by_key.values())


def test_every_rules_fast_path_agrees_with_its_explained_path():
    """`.holds` (the fast path: prong two, flips) says met exactly when the explained test does, for
    every element of every circuit's tests and every mechanism, along the walk, readings included."""
    from helpers.analogy import knowledge

    L = law()
    rules = [(e.test, r) for c in L.circuits.values() for v in c.tests + c.special_relationship
             for e in v.elements for r in c.culpability]
    rules += [(m.test, None) for m in knowledge().mechanisms]
    for facts in _walk(1979, 300):
        for test, regime in rules:
            assert test.holds(facts, regime) == test(facts, regime)[0]


def test_a_basis_said_otherwise_keeps_every_other_field():
    import dataclasses

    from helpers import evaluate

    facts = law().precedents["kennedy_v_ridgefield_2006"].fact_pattern()
    basis = evaluate(facts).clearly_established_basis
    assert basis.with_why("other") == dataclasses.replace(basis, why="other")


def test_answers_built_fast_equal_answers_built_the_usual_way():
    """The engine builds its frozen answers without their __init__: every field is there, and each equals
    the object its class builds from the same values."""
    import dataclasses

    from helpers.engine import Answer, ElementResult, TheoryResult

    for facts in _walk(2011, 40):
        for a in compare(facts).results:
            usual = Answer(**{f.name: getattr(a, f.name) for f in dataclasses.fields(Answer)})
            assert a == usual and set(vars(a)) == set(vars(usual))
            for theory in (a.special_relationship, a.state_created_danger, a.direct_harm):
                assert set(vars(theory)) == {f.name for f in dataclasses.fields(TheoryResult)}
                assert theory == TheoryResult(theory.met, theory.elements, theory.recognized)
                for e in theory.elements:
                    assert type(e) is ElementResult and e == ElementResult(e.id, e.label, e.met, e.why, e.authority)


def test_facts_derived_without_checking_again_equal_facts_checked_whole():
    """`with_` checks only the fields it changes (the rest were checked when the facts were built): what it
    builds equals what the checked constructor builds, hashes alike, and a bad value is refused as
    `parse_facts` refuses it."""
    import dataclasses

    from helpers.facts import Facts

    rng = random.Random(5)
    vocab = vocabulary()
    for facts in _walk(1993, 200):
        fid = rng.choice(VARIABLE_FACTS)
        value = rng.choice([True, False] if vocab[fid].kind == "flag" else list(vocab[fid].values))
        derived = facts.with_(**{fid: value}, circuit=None)
        whole = Facts(**{**{f.name: getattr(facts, f.name) for f in dataclasses.fields(Facts)}, fid: value,
                         "circuit": None})
        assert derived == whole and hash(derived) == hash(whole)
    with pytest.raises(FactError, match="custody: value 'jail' is not allowed"):
        facts.with_(custody="jail")
    with pytest.raises(FactError, match="conduct_date: value '24/09/1998' is not a date"):
        facts.with_(conduct_date="24/09/1998")
    assert facts.with_(circuit="9th").circuit == "ca9"


def test_a_circuits_law_on_a_day_read_from_its_compiled_timeline_is_the_law_looked_up_that_day():
    """`Circuit.on` bisects a step function compiled once; it equals looking every entry up on the day,
    on each day the law changes, the days either side, and days at random."""
    rng = random.Random(3)
    for circ in law().circuits.values():
        starts = {e.start for e in (*circ.status, *circ.tests, *circ.culpability, *circ.special_relationship,
                                    *circ.consensus)} | {v.effective_start for v in circ.special_relationship}
        days = {d + timedelta(days=k) for d in starts for k in (-1, 0, 1)}
        days |= {date(1900, 1, 1) + timedelta(days=rng.randrange(0, 130 * 365)) for _ in range(200)}
        for day in days:
            assert circ.on(day) == circ._law_on(day), (circ.id, day)

"""The compiled case base finds what comparing the precedents one by one finds (helpers/casebase.py):
the same cases within the rule, analogous, on point and contrary, in the same order, for fact patterns
across dates, harms, mechanisms, strengths, readings and the workplace line."""
import dataclasses
import random
from datetime import date, timedelta

from helpers.analogy import compare_facts
from helpers.casebase import casebase
from helpers.facts import VARIABLE_FACTS, FactError, parse_facts, vocabulary
from helpers.immunity import pattern_key, search
from helpers.law import HistoryEvent, law
from helpers.readings import readings


def one_by_one(L, key):
    """The comparison precedent by precedent, as prong two made it before the case base."""
    within, analogous, on_point, contrary = [], [], [], []
    c = key.conduct_date
    for p in L.danger_precedents:
        if not (p.decided < c and p.good_law_on(c)) or p.verification == "memory":
            continue
        cmp = compare_facts(p.fact_pattern(), key)
        if p.violation:
            circ = L.circuits.get(p.court)
            reaches = circ is None or circ.test_on(p.decided).met(key, circ.regime_on(p.decided))
            if cmp.harm_supports and not cmp.employee_line:
                within.append(p.id)
            if cmp.analogous and reaches:
                analogous.append(p.id)
                if not cmp.weaker:
                    on_point.append(p.id)
        elif cmp.counterexample:
            contrary.append(p.id)
    return within, analogous, on_point, contrary


def _patterns(n, seed):
    rng = random.Random(seed)
    vocab, ids = vocabulary(), sorted(readings())
    out = [p.fact_pattern() for p in law().danger_precedents]
    while len(out) < n:
        raw = {f: (rng.choice([True, False]) if vocab[f].kind == "flag" else rng.choice(vocab[f].values))
               for f in VARIABLE_FACTS}
        conduct = date(1985, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        raw.update(conduct_date=conduct, decision_date=conduct + timedelta(days=rng.randrange(0, 3000)),
                   readings=rng.sample(ids, rng.randrange(0, 3)))
        try:
            out.append(parse_facts(raw))
        except FactError:
            continue
    return out


def _ids(base, bits):
    return [p.id for p in base.cases(bits)]


def test_the_case_base_finds_what_comparing_one_by_one_finds():
    L = law()
    base = casebase(L)
    for facts in _patterns(400, 1989):
        found = search(facts)
        within, analogous, on_point, contrary = one_by_one(L, pattern_key(facts))
        assert _ids(base, found.within) == within
        assert _ids(base, found.analogous) == analogous
        assert _ids(base, found.on_point) == on_point
        assert _ids(base, found.contrary) == contrary


def test_a_precedent_undone_before_the_conduct_drops_out_and_a_changed_law_gets_its_own_case_base():
    L = law()
    p = next(p for p in L.danger_precedents if p.violation and p.verification != "memory")
    facts = p.fact_pattern().with_(conduct_date=p.decided + timedelta(days=400))
    assert p.id in _ids(casebase(L), casebase(L).search(pattern_key(facts)).within)
    undone = dataclasses.replace(p, history=p.history + (HistoryEvent(p.decided + timedelta(days=200), "vacated",
                                                                      None, None),))
    changed = dataclasses.replace(L, precedents={**L.precedents, p.id: undone},
                                  danger_precedents=tuple(undone if q.id == p.id else q for q in L.danger_precedents))
    assert casebase(changed) is not casebase(L)
    assert p.id not in _ids(casebase(changed), casebase(changed).search(pattern_key(facts)).within)
    assert p.id in _ids(casebase(L), casebase(L).search(pattern_key(facts)).within)

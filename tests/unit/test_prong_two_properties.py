"""Prong two's invariants over random fact patterns, and the rule that no case is looked up by name."""
import dataclasses
from contextlib import contextmanager
import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import engine, immunity
from helpers.memos import forget
from helpers.law import HistoryEvent, law
from test_properties import fact_patterns

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def patched_law(new_law):
    """Swap in a changed body of law for the engine and prong two, dropping their caches."""
    saved = engine.law, immunity.load_law
    engine.law = immunity.load_law = lambda: new_law
    forget()
    try:
        yield
    finally:
        engine.law, immunity.load_law = saved
        forget()


def _with_precedent(base, precedent):
    precedents = dict(base.precedents)
    precedents[precedent.id] = precedent
    danger = tuple(sorted(base.danger_precedents + (precedent,), key=lambda p: (p.decided, p.id)))
    return dataclasses.replace(base, precedents=precedents, danger_precedents=danger)


DANGER_VIOLATIONS = [p for p in law().danger_precedents if p.violation]


@SETTINGS
@given(fact_patterns(), st.sampled_from(DANGER_VIOLATIONS), st.integers(0, 4000))
def test_a_precedent_decided_after_the_conduct_never_changes_an_answer(f, model, days):
    before = engine.decide(f, f.circuit)
    late = dataclasses.replace(model, id=model.id + "_late_copy", court=f.circuit,
                               decided=f.conduct_date + timedelta(days=days), conduct=f.conduct_date)
    # the copy is new law on its own decision day: it may bind at the decision date, never at the conduct
    with patched_law(_with_precedent(law(), late)):
        assert engine.decide(f, f.circuit) == before


@SETTINGS
@given(st.sampled_from(DANGER_VIOLATIONS), st.integers(30, 6000), st.integers(1, 29))
def test_an_overruled_precedent_stops_counting_on_the_day_it_was_overruled(model, later, before):
    """Take a precedent's own facts some time after it was decided, in its own circuit: if the answer
    rests on it, overruling it before the conduct takes it out of the answer."""
    conduct = model.decided + timedelta(days=later)
    f = model.fact_pattern().with_(conduct_date=conduct, decision_date=conduct + timedelta(days=400),
                                   generality="default", assume_recognized=False)
    basis = engine.evaluate(f).clearly_established_basis
    assume(model.id in basis.precedents)
    day = conduct - timedelta(days=before)
    dead = dataclasses.replace(model, history=model.history + (HistoryEvent(day, "overruled", "a later case", None),))
    base = law()
    precedents = dict(base.precedents)
    precedents[model.id] = dead
    danger = tuple(dead if p.id == model.id else p for p in base.danger_precedents)
    with patched_law(dataclasses.replace(base, precedents=precedents, danger_precedents=danger)):
        after = engine.evaluate(f).clearly_established_basis
    assert model.id not in after.precedents


ENGINE_MODULES = ["engine.py", "immunity.py", "analogy.py", "law.py", "rules.py", "facts.py", "fidelity.py"]


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_no_case_is_looked_up_by_name_in_the_reasoning(module):
    source = (Path(__file__).resolve().parents[2] / "helpers" / module).read_text()
    ids = set(law().precedents)
    named = {m for m in re.findall(r"['\"]([a-z0-9_]+_\d{4})['\"]", source) if m in ids}
    assert not named, f"{module} names precedents {sorted(named)}: reasoning must come from the data"


def test_a_student_gets_no_generality_on_a_majority():
    """The defaults a student meets are the defaults the fidelity check measures."""
    carrying = [p.id for p in law().precedents.values() if "generality" in p.options]
    assert carrying == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fact_patterns(), st.lists(st.sampled_from(["implicit_assurance", "consensus_threshold",
                                                  "particularized_before_al_kidd", "ca4_acts_toward_assailant"]),
                                 max_size=2))
def test_the_cached_pattern_key_never_returns_a_stale_answer(f, taken):
    """Answers with the cache warm equal answers with it cleared, whatever readings the facts take."""
    g = f.with_(readings=tuple(sorted(set(taken))))
    warm = [(a.violation, a.clearly_established) for a in engine.compare(g).results]
    warm_other = [(a.violation, a.clearly_established) for a in engine.compare(f).results]
    immunity.pattern_key.cache_clear()
    forget()
    assert [(a.violation, a.clearly_established) for a in engine.compare(g).results] == warm
    assert [(a.violation, a.clearly_established) for a in engine.compare(f).results] == warm_other

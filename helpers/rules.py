"""Small all/any/not rule trees over facts, compiled once into closures.

A rule in a circuit file is one of
  {fact: NAME, in: [v, ...]}      the fact takes one of these values
  {fact: NAME, is: v}             the fact takes this value
  {culpable: SETTING}             the official's state of mind meets what the circuit's
                                  culpability regime requires in SETTING (danger | custody
                                  | direct) for the time he had to deliberate (Lewis)
  {all: [RULE, ...]}, {any: [RULE, ...]}, {not: RULE}
  {reading: ID, ours: RULE, other: RULE}
                                  where the law is open (data/readings.yaml): `ours` is the
                                  workbook's reading, `other` the one a fact pattern takes
                                  when its `readings` option names ID; either may be null,
                                  meaning no requirement
Evaluating a rule gives (met, leaves): the leaves that decided it, so an element
can say which fact decided it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .facts import Facts, FactSpec, vocabulary
from .loading import DataError, where

CULPABILITY_ORDER = ("negligence", "gross_negligence", "deliberate_indifference", "intent_to_harm")
CULPABILITY_RANK = {v: i for i, v in enumerate(CULPABILITY_ORDER)}
AWARENESS_RANK = {"none": 0, "obvious": 1, "actual": 2}
SETTINGS = ("danger", "custody", "direct")


@dataclass(frozen=True)
class Leaf:
    """A test on one fact, or the culpability test; explains itself."""

    kind: str  # "fact" | "culpable"
    fact: str = ""
    allowed: frozenset = frozenset()
    setting: str = ""
    other_route: bool = False  # a leaf of a later branch of a failed `any`: another way the element could be met

    def explain(self, facts: Facts, met: bool, regime: Any = None) -> str:
        if self.kind == "culpable":
            said = regime.explain(facts, self.setting, met)
            return f"Nor the other route: {said[:1].lower()}{said[1:]}" if self.other_route else said
        texts = self.__dict__.get("_texts")
        if texts is None:
            texts = self.__dict__["_texts"] = {}
        key = (getattr(facts, self.fact), met)
        text = texts.get(key)
        if text is None:
            text = texts[key] = _fact_text(self, *key)
        return text


def _fact_text(leaf: Leaf, value: Any, met: bool) -> str:
    """What a test on one fact says of a value: a function of the leaf and the vocabulary, worked out for
    every value when the rule is compiled (`compile_rule`) and kept on the leaf (`Leaf.explain`)."""
    spec: FactSpec = vocabulary()[leaf.fact]
    shown = spec.label_of(value)
    if spec.kind == "flag" or met:
        return (f"Nor the other route: {spec.label.lower()}: {shown}." if leaf.other_route
                else f"{spec.label}: {shown}.")
    wanted = " or ".join(spec.label_of(v) for v in spec.values if v in leaf.allowed)
    if leaf.other_route:  # not what the element needs, only what its other route would
        return f"The other route needs {spec.label.lower()}: {wanted} (here {shown})."
    return f"{spec.label}: {shown}; this element needs {wanted}."


def _with_texts(leaf: Leaf) -> Leaf:
    """A test on one fact with what it says of each value, met or not (`not` turns it), worked out
    once, where the rule is compiled, not when an answer is explained."""
    spec = vocabulary()[leaf.fact]
    legal = (True, False) if spec.kind == "flag" else spec.values
    leaf.__dict__["_texts"] = {(v, m): _fact_text(leaf, v, m) for v in legal for m in (True, False)}
    return leaf


_OTHER_ROUTE: dict = {}


def other_route(leaf: Leaf) -> Leaf:
    """The same test, said as another way an element could have been met (one copy per leaf)."""
    alt = _OTHER_ROUTE.get(leaf)
    if alt is None:
        alt = Leaf(leaf.kind, leaf.fact, leaf.allowed, leaf.setting, True)
        alt = _OTHER_ROUTE[leaf] = _with_texts(alt) if leaf.kind == "fact" else alt
    return alt


Compiled = Callable[[Facts, Any], "tuple[bool, tuple[tuple[Leaf, bool], ...]]"]


def compile_rule(node: Any, source_node: Any = None) -> Compiled:
    """Compile a rule mapping; raise DataError naming file and line on a bad rule."""
    here = where(node if isinstance(node, dict) else source_node)
    if not isinstance(node, dict) or len(node) == 0:
        raise DataError([f"{here}: a rule must be a mapping with fact/culpable/all/any/not"])
    vocab = vocabulary()
    keys = set(node)
    if "fact" in keys:
        fact = node["fact"]
        if fact not in vocab or vocab[fact].kind in {"date", "circuit"}:
            raise DataError([f"{here}: rule names unknown fact '{fact}'"])
        if keys == {"fact", "in"}:
            allowed = node["in"]
            if not isinstance(allowed, list):
                raise DataError([f"{here}: 'in' needs a list of values"])
        elif keys == {"fact", "is"}:
            allowed = [node["is"]]
        else:
            raise DataError([f"{here}: a fact rule takes 'in' or 'is', got {sorted(keys)}"])
        spec = vocab[fact]
        legal = (True, False) if spec.kind == "flag" else spec.values
        bad = [v for v in allowed if v not in legal]
        if bad:
            raise DataError([f"{here}: values {bad} are not values of '{fact}'; allowed: {', '.join(map(str, legal))}"])
        leaf = _with_texts(Leaf("fact", fact=fact, allowed=frozenset(allowed)))
        allowed_set = frozenset(allowed)

        def test_fact(facts: Facts, regime: Any, _f=fact, _a=allowed_set, _l=leaf):
            met = getattr(facts, _f) in _a
            return met, ((_l, met),)

        return _with_holds(test_fact, lambda facts, regime, _f=fact, _a=allowed_set: getattr(facts, _f) in _a)
    if keys == {"culpable"}:
        setting = node["culpable"]
        if setting not in SETTINGS:
            raise DataError([f"{here}: culpable takes one of {', '.join(SETTINGS)}, got '{setting}'"])
        leaf = Leaf("culpable", setting=setting)

        def test_culpable(facts: Facts, regime: Any, _s=setting, _l=leaf):
            met = regime.meets(facts, _s)
            return met, ((_l, met),)

        return _with_holds(test_culpable, lambda facts, regime, _s=setting: regime.meets(facts, _s))
    if keys in ({"all"}, {"any"}):
        op = next(iter(keys))
        parts = node[op]
        if not isinstance(parts, list) or not parts:
            raise DataError([f"{here}: '{op}' needs a non-empty list of rules"])
        compiled = tuple(compile_rule(p, parts) for p in parts)
        holds = tuple(c.holds for c in compiled)
        if op == "all":
            def test_all(facts: Facts, regime: Any, _c=compiled):
                leaves = ()
                for part in _c:
                    met, why = part(facts, regime)
                    if not met:
                        return False, why
                    leaves += why
                return True, leaves

            def holds_all(facts: Facts, regime: Any, _h=holds):
                for part in _h:
                    if not part(facts, regime):
                        return False
                return True
            return _with_holds(test_all, holds_all)

        def test_any(facts: Facts, regime: Any, _c=compiled):
            failed = ()
            for part in _c:
                met, why = part(facts, regime)
                if met:
                    return True, why
                # the first branch's reasons are the element's; a later branch's are another route's
                failed += why if not failed else tuple((other_route(leaf), m) for leaf, m in why)
            return False, failed

        def holds_any(facts: Facts, regime: Any, _h=holds):
            for part in _h:
                if part(facts, regime):
                    return True
            return False
        return _with_holds(test_any, holds_any)
    if keys == {"reading", "ours", "other"}:
        from .readings import check_reading_id  # data/readings.yaml, checked once

        rid = check_reading_id(node["reading"], node)
        ours = _always if node["ours"] is None else compile_rule(node["ours"], node)
        other = _always if node["other"] is None else compile_rule(node["other"], node)

        def test_reading(facts: Facts, regime: Any, _r=rid, _u=ours, _o=other):
            return (_o if _r in facts.readings else _u)(facts, regime)

        def holds_reading(facts: Facts, regime: Any, _r=rid, _u=ours.holds, _o=other.holds):
            return (_o if _r in facts.readings else _u)(facts, regime)
        return _with_holds(test_reading, holds_reading)
    if keys == {"not"}:
        inner = compile_rule(node["not"], node)

        def test_not(facts: Facts, regime: Any, _i=inner):
            met, why = _i(facts, regime)
            return (not met), tuple((leaf, not m) for leaf, m in why)
        return _with_holds(test_not, lambda facts, regime, _h=inner.holds: not _h(facts, regime))
    raise DataError([f"{here}: unknown rule form {sorted(keys)}; use fact/in, fact/is, culpable, all, any or not"])


def _with_holds(test: Any, holds: Any) -> Compiled:
    """A compiled rule carries, as `.holds`, the same tree compiled to say only whether it is met (the
    fast path: `Version.met`, prong two, flips), with no leaves gathered to explain it."""
    test.holds = holds
    return test


def _always(facts: Facts, regime: Any):
    """A reading that adds no requirement: met, decided by no fact."""
    return True, ()


_always.holds = lambda facts, regime: True  # type: ignore[attr-defined]


def rule_readings(node: Any) -> set[str]:
    """The readings (data/readings.yaml) a rule consults."""
    if not isinstance(node, dict):
        return set()
    out = {node["reading"]} if "reading" in node else set()
    for key in ("all", "any"):
        for part in node.get(key, []) or []:
            out |= rule_readings(part)
    for key in ("not", "ours", "other"):
        out |= rule_readings(node.get(key))
    return out


def rule_facts(node: Any) -> set[str]:
    """The facts a rule reads (for documentation and tests)."""
    if not isinstance(node, dict):
        return set()
    if "fact" in node:
        return {node["fact"]}
    if "culpable" in node:
        return {"culpability", "deliberation", "awareness", "victim_public_employee", "pursuit"}
    out: set[str] = set()
    for key in ("all", "any"):
        for part in node.get(key, []):
            out |= rule_facts(part)
    for key in ("not", "ours", "other"):
        if node.get(key) is not None:
            out |= rule_facts(node[key])
    return out

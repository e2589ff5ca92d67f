"""Facts in, element-by-element answers out: `evaluate`, `compare`, `flips`.

Prong one applies the law on the decision date: DeShaney's baseline (no duty to
protect from private violence), then the special relationship (custody), then
state-created danger, or harm inflicted directly by a state actor. Prong two
(`immunity.py`) applies the law on the conduct date.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from .facts import CIRCUITS, Facts, VARIABLE_FACTS, parse_facts, vocabulary
from .immunity import Basis, custody_route, danger_route, direct_harm_route
from .law import Circuit, CircuitDay, Element, Law, Regime, Version, law


@dataclass(frozen=True)
class ElementResult:
    id: str
    label: str
    met: bool
    why: str
    authority: str

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "met": self.met, "why": self.why, "authority": self.authority}


@dataclass(frozen=True)
class TheoryResult:
    met: bool
    elements: tuple[ElementResult, ...]
    recognized: bool | None = None  # state-created danger only

    def to_dict(self) -> dict:
        out: dict = {}
        if self.recognized is not None:
            out["recognized"] = self.recognized
        out["met"] = self.met
        out["elements"] = [e.to_dict() for e in self.elements]
        return out


@dataclass(frozen=True)
class Answer:
    """One circuit's answer, in the shape CONTRACT.md fixes (plus a few extra fields)."""

    circuit: str
    conduct_date: str
    decision_date: str
    special_relationship: TheoryResult
    state_created_danger: TheoryResult
    direct_harm: TheoryResult
    violation: bool
    clearly_established: bool
    qualified_immunity: bool
    authorities: tuple[dict, ...]
    baseline: str
    clearly_established_basis: Basis
    test_in_force: str

    def to_dict(self) -> dict:
        return {
            "circuit": self.circuit, "conduct_date": self.conduct_date, "decision_date": self.decision_date,
            "special_relationship": self.special_relationship.to_dict(),
            "state_created_danger": self.state_created_danger.to_dict(),
            "direct_harm": self.direct_harm.to_dict(),
            "violation": self.violation, "clearly_established": self.clearly_established,
            "qualified_immunity": self.qualified_immunity, "authorities": list(self.authorities),
            "baseline": self.baseline, "clearly_established_basis": self.clearly_established_basis.to_dict(),
            "test_in_force": self.test_in_force,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def elements(self) -> Iterable[tuple[str, ElementResult]]:
        for theory in ("special_relationship", "state_created_danger", "direct_harm"):
            for e in getattr(self, theory).elements:
                yield theory, e


@dataclass(frozen=True)
class Comparison:
    results: tuple[Answer, ...]

    def to_dict(self) -> dict:
        return {"results": [a.to_dict() for a in self.results]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __getitem__(self, circuit: str) -> Answer:
        return next(a for a in self.results if a.circuit == circuit)


# --- the core ------------------------------------------------------------------------

def _run(version: Version, facts: Facts, regime: Regime, law_: Law):
    """Apply every element of a test, explaining each."""
    met_all, out = True, []
    for e in version.elements:
        met, leaves = e.test(facts, regime)
        met_all = met_all and met
        out.append(_element_result(e, met, _why(leaves, facts, regime), law_))
    return met_all, tuple(out)


def _element_result(e: Element, met: bool, why: str, law_: Law) -> ElementResult:
    return _result(e.id, e.label, met, why, law_.cite(e.authority))


def _why(leaves: tuple, facts: Facts, regime: Regime) -> str:
    """What the (first two) leaves that decided an element say, each once."""
    if not leaves:
        return ""
    first = leaves[0][0].explain(facts, leaves[0][1], regime)
    if len(leaves) == 1:
        return first
    second = leaves[1][0].explain(facts, leaves[1][1], regime)
    return first if second == first else f"{first} {second}"


def _direct(facts: Facts, regime: Regime, law_: Law) -> TheoryResult:
    state = facts.harm_source == "state_actor"
    culpable = regime.meets(facts, "direct")
    hs = vocabulary()["harm_source"]
    elements = (
        _result("state_actor_harm", "A state actor inflicted the harm directly", state,
                f"{hs.label}: {hs.label_of(facts.harm_source)}.", law_.cite(law_.method.direct_harm)),
        _result("conscience_shocking_culpability", "Culpability that shocks the conscience (Lewis)", culpable,
                regime.explain(facts, "direct", culpable), law_.cite(regime.authority)),
    )
    return _built(TheoryResult, {"met": state and culpable, "elements": elements, "recognized": None})


def _result(id_: str, label: str, met: bool, why: str, authority: str) -> ElementResult:
    """An element's result (built as `_built` builds answers)."""
    return _built(ElementResult, {"id": id_, "label": label, "met": met, "why": why, "authority": authority})


def _built(cls, values: dict):
    """A frozen answer object from values worked out here, every field given: the dataclass's own
    __init__ sets each field through object.__setattr__, most of the cost of building an answer
    (tests/unit/test_memos.py checks the objects built so equal those built the usual way)."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def _analyse(circ: Circuit, f: Facts, detail: bool) -> Answer | tuple[bool, bool]:
    """A circuit's answer; without `detail`, only (violation, clearly established), nothing explained."""
    law_ = law()
    if not detail:
        return _violation(circ, f), _prong_two(law_, circ, f, False).established
    d, c = f.decision_date, f.conduct_date
    now = circ.on(d)
    regime_d = now.regime
    # Prong one, on the decision date.
    sr_met, sr_elems = _run(now.sr, f, regime_d, law_)
    recognized = now.recognizes(f.readings)
    test_d = now.test
    scd_elems_met, scd_elems = _run(test_d, f, regime_d, law_)
    scd_met = (recognized or f.assume_recognized) and scd_elems_met
    direct = _direct(f, regime_d, law_)
    violation = sr_met or scd_met or direct.met
    then = circ.on(c)
    basis = _prong_two(law_, circ, f, True,
                       scd_elems_met if then.test is test_d and then.regime is regime_d else None)
    ce = basis.established
    if not violation and basis.why:
        # After Pearson a court may answer prong two first; the answer must not read as if there
        # were a violation to be clear about.
        basis = basis.with_why("If there were a violation: " + basis.why[0].lower() + basis.why[1:])
    baseline = _baseline(f, sr_met, scd_met, direct.met, recognized, law_)
    authorities = _authorities(law_, now, basis)
    return _built(Answer, {
        "circuit": circ.id, "conduct_date": c.isoformat(), "decision_date": d.isoformat(),
        "special_relationship": _built(TheoryResult, {"met": sr_met, "elements": sr_elems, "recognized": None}),
        "state_created_danger": _built(TheoryResult, {"met": scd_met, "elements": scd_elems, "recognized": recognized}),
        "direct_harm": direct, "violation": violation, "clearly_established": ce,
        "qualified_immunity": not (violation and ce), "authorities": authorities, "baseline": baseline,
        "clearly_established_basis": basis, "test_in_force": law_.cite(test_d.authority),
    })


def _prong_two(law_: Law, circ: Circuit, f: Facts, detail: bool, met_then: bool | None = None) -> Basis:
    """Prong two, on the conduct date (`met_then`: whether the facts meet the circuit's danger test as it
    stood then, where already known)."""
    c = f.conduct_date
    basis = custody_route(law_, circ, f, detail)
    if basis is None and f.harm_source == "state_actor" and circ.regime_on(c).meets(f, "direct"):
        basis = direct_harm_route(law_, circ, f, detail)
    if basis is None:
        if met_then is None:
            met_then = circ.danger_test_met(f, c)
        basis = danger_route(law_, circ, f, met_then, detail)
    return basis


def _violation(circ: Circuit, f: Facts) -> bool:
    """Prong one without explanations (the compiled tests): what `_analyse` explains as `violation`."""
    now = circ.on(f.decision_date)
    regime = now.regime
    if now.sr.met(f, regime):
        return True
    if (now.recognizes(f.readings) or f.assume_recognized) and now.test.met(f, regime):
        return True
    return f.harm_source == "state_actor" and regime.meets(f, "direct")


def _baseline(f: Facts, sr: bool, scd: bool, direct: bool, recognized: bool, law_: Law) -> str:
    cite = law_.cite(law_.method.deshaney)
    if direct:
        return "A state actor inflicted the harm directly, so DeShaney's limit on duties to protect does not arise."
    if sr:
        return f"The state held the victim in custody, so it owed a duty to protect ({cite})."
    if scd:
        return "The state helped create the danger, so its role was not merely passive."
    # "No custody" only where there was none: custody whose other elements fail is said as such
    custody = ("No custody" if f.custody == "none" else
               "Custody, but the special-relationship test is not met on these facts (see its elements)")
    if not recognized and not f.assume_recognized:
        return (f"{custody}, and this circuit does not recognise state-created danger on the decision date: "
                f"DeShaney's rule governs, and a failure to protect is no violation ({cite}).")
    if f.custody != "none":
        return (f"{custody}, and the state-created-danger test is not met either: DeShaney's rule governs, and a "
                f"failure to protect is no violation ({cite}).")
    return f"Neither exception applies, so DeShaney's rule governs: a failure to protect is no violation ({cite})."


def _authorities(law_: Law, now: CircuitDay, basis: Basis) -> tuple[dict, ...]:
    """The cases an answer rests on: DeShaney, the circuit's recognition and its test on the decision
    date (`now`), and what prong two relied on; each once, in that order."""
    ids = [law_.method.deshaney.case]
    if now.status:
        ids.append(now.status.authority.case)
    ids.append(now.test.authority.case)
    ids.extend(basis.precedents)
    precedents = law_.precedents
    return tuple(precedents[i].as_authority() for i in dict.fromkeys(ids) if i in precedents)


# --- public API ------------------------------------------------------------------------

def evaluate(facts: Any) -> Answer:
    """Answer one circuit (the `circuit` in `facts`). Raises FactError on bad input."""
    f = parse_facts(facts, need_circuit=True)
    return _analyse(law().circuits[f.circuit], f, True)  # type: ignore[return-value]


def compare(facts: Any) -> Comparison:
    """Answer every circuit, ca1 to cadc, for the same facts."""
    f = parse_facts(facts)
    circuits = law().circuits
    return Comparison(tuple(_analyse(circuits[cid], f, True) for cid in CIRCUITS))  # type: ignore[misc]


def decide(facts: Facts, circuit: str) -> tuple[bool, bool]:
    """(violation, clearly_established) without explanations: the fast path for flips."""
    return _analyse(law().circuits[circuit], facts, False)  # type: ignore[return-value]


@dataclass(frozen=True)
class Flip:
    circuit: str
    fact: str
    from_value: Any
    to_value: Any
    violation: tuple[bool, bool]
    qualified_immunity: tuple[bool, bool]

    @property
    def text(self) -> str:
        spec = vocabulary()[self.fact]
        parts = []
        if self.violation[0] != self.violation[1]:
            parts.append("a violation" if self.violation[1] else "no violation")
        if self.qualified_immunity[0] != self.qualified_immunity[1]:
            parts.append("immunity denied" if not self.qualified_immunity[1] else "immunity granted")
        return f"{spec.label}: {spec.label_of(self.to_value)} -> {' and '.join(parts)}"

    def to_dict(self) -> dict:
        return {"circuit": self.circuit, "fact": self.fact, "from": self.from_value, "to": self.to_value,
                "violation": list(self.violation), "qualified_immunity": list(self.qualified_immunity),
                "text": self.text}


def alternatives(f: Facts) -> list[tuple[str, Any, Facts]]:
    """Every fact pattern one fact away from `f` that the contract allows."""
    vocab = vocabulary()
    out = []
    for name in VARIABLE_FACTS:
        spec = vocab[name]
        values = (False, True) if spec.kind == "flag" else spec.values
        for v in values:
            if v == getattr(f, name):
                continue
            g = f.with_(**{name: v})
            if g.act_kind == "signalled_impunity" and g.assurance_to_assailant == "none":
                continue
            out.append((name, v, g))
    return out


def flips(facts: Any) -> dict[str, list[Flip]]:
    """For each circuit, the single changes of one fact that change violation or immunity."""
    f = parse_facts(facts)
    law_ = law()
    circuits = law_.circuits
    alts = alternatives(f)
    out: dict[str, list[Flip]] = {}
    for cid in CIRCUITS:
        circ = circuits[cid]
        v0, ce0 = _analyse(circ, f, False)  # type: ignore[misc]
        qi0 = not (v0 and ce0)
        found = []
        for name, value, g in alts:
            v1 = _violation(circ, g)
            # Immunity is denied only for a violation clearly established: without a violation, prong
            # two cannot change the answer, and is not asked.
            qi1 = not _prong_two(law_, circ, g, False).established if v1 else True
            if v1 != v0 or qi1 != qi0:
                found.append(Flip(cid, name, getattr(f, name), value, (v0, v1), (qi0, qi1)))
        out[cid] = found
    return out

"""Predict, then reveal: the student commits to which circuits find a violation (or whose answer
a one-fact flip changes) before the engine shows every circuit's answer."""
from __future__ import annotations

from ..engine import compare, decide
from ..facts import CIRCUIT_NAMES, CIRCUITS, Facts, parse_facts

ASK_WORDS = {"violation": "a violation", "clearly_established": "a clearly established right",
             "immunity_denied": "immunity denied"}


def _asked(answer, ask: str) -> bool:
    if ask == "violation":
        return answer.violation
    if ask == "clearly_established":
        return answer.clearly_established
    return not answer.qualified_immunity


def _words(answer) -> str:
    if not answer.violation:
        return "no violation"
    return "a violation, immunity denied" if not answer.qualified_immunity else \
        "a violation, but immunity (not clearly established)"


def to_tick(facts: Facts, ask: str, flip: dict | None, circuit: str) -> bool:
    """Whether the circuit should be ticked: its answer (without a flip), or whether the flip changes it."""
    before = asked(ask, facts, circuit)
    if not flip:
        return before
    return before != asked(ask, parse_facts({**facts.to_dict(), **flip}), circuit)


def asked(ask: str, facts: Facts, circuit: str) -> bool:
    """One circuit's answer to what an exercise asks (violation, clearly established, immunity
    denied), by the engine's fast path."""
    violation, established = decide(facts.with_(circuit=circuit), circuit)
    if ask == "violation":
        return violation
    if ask == "clearly_established":
        return established
    return violation and established


def prediction_key(facts: Facts, ask: str, flip: dict | None, circuits: tuple[str, ...] = ()) -> list[tuple[str, bool, str]]:
    """(circuit, right to tick, what the engine shows) for each circuit asked about."""
    before = compare(facts)
    after = compare(parse_facts({**facts.to_dict(), **flip})) if flip else None
    out = []
    for cid in circuits or CIRCUITS:
        a = before[cid]
        if after is None:
            out.append((cid, _asked(a, ask), f"{CIRCUIT_NAMES[cid]}: {_words(a)}."))
        else:
            b = after[cid]
            changed = _asked(a, ask) != _asked(b, ask)
            out.append((cid, changed, f"{CIRCUIT_NAMES[cid]}: {_words(a)} before the change; {_words(b)} after"
                        + (" (changed)." if changed else " (unchanged).")))
    return out

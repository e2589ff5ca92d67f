"""Characterise the facts: the student reads a short narrative of a real case and sets the facts
herself; the feedback compares her choices with the majority's and each separate opinion's
encoding, fact by fact, and shows with the engine how each difference moves the outcome in
every circuit."""
from __future__ import annotations

from typing import Any

from ..engine import compare, decide
from ..analogy import knowledge
from ..facts import CIRCUIT_ABBREVIATIONS, CIRCUIT_NAMES, CIRCUITS, Facts, vocabulary
from ..law import law


def _value(fact: str, raw: Any) -> Any:
    spec = vocabulary()[fact]
    if spec.kind == "flag":
        if isinstance(raw, bool):
            return raw
        return {"yes": True, "true": True, "no": False, "false": False}.get(str(raw).strip().lower())
    return raw if raw in spec.values else None


def parse_choices(asked: tuple[str, ...], value: Any) -> dict[str, Any]:
    """An answer ({fact: value} or 'fact=value;...') as facts; values outside the vocabulary drop out."""
    if isinstance(value, str):
        value = dict(p.split("=", 1) for p in value.split(";") if "=" in p)
    if not isinstance(value, dict):
        return {}
    out = {}
    for f in asked:
        if f in value and value[f] not in (None, ""):
            v = _value(f, value[f])
            if v is not None:
                out[f] = v
    return out


def choices_text(choices: dict[str, Any]) -> str:
    return ";".join(f"{f}={'yes' if v is True else 'no' if v is False else v}" for f, v in choices.items())


def outcome(facts: Facts, circuit: str) -> tuple[bool, bool]:
    """(violation, clearly established) in one circuit: the engine's fast path."""
    return decide(facts.with_(circuit=circuit), circuit)


def outcome_words(o: tuple[bool, bool]) -> str:
    violation, established = o
    if not violation:
        return "no violation"
    return "a violation, immunity denied" if established else "a violation, but immunity (not clearly established)"


def _equivalent(fact: str, a: Any, b: Any):
    """The workbook's equivalence (data/analogy.yaml) that counts `a` and `b` alike, if any."""
    eq = knowledge().equivalences.get(fact)
    return eq if eq is not None and a in eq.values and b in eq.values else None


def _moved(majority: Facts, base: dict[str, str], fact: str, value: Any) -> list[str]:
    """The circuits whose answer changes when only `fact` is read as `value` (`base`: the majority's
    answer in each circuit, in words)."""
    alone = majority.with_(**{fact: value})
    now = {c: outcome_words(outcome(alone, c)) for c in CIRCUITS}
    return [f"{CIRCUIT_ABBREVIATIONS[c]} ({base[c]} -> {now[c]})" for c in CIRCUITS if base[c] != now[c]]


def grade_characterisation(asked: tuple[str, ...], answer: Any, majority: Facts,
                           others: tuple[tuple[str, Facts], ...]) -> tuple[bool, bool, list[str]]:
    """(right, answered, lines). A reading of a fact is right when it is the majority's, a value the
    workbook counts alike with the majority's (created/increased; a discrete group/one person), or one
    that, made alone to the majority's facts, changes no circuit's answer; the comparison with the
    majority and every separate opinion, and what each difference does, is shown either way."""
    vocab = vocabulary()
    chosen = parse_choices(asked, answer)
    missing = [vocab[f].label for f in asked if f not in chosen]
    if missing:
        return False, False, [f"Set every fact first: {', '.join(missing)}."]
    mine = majority.with_(**chosen)
    forum = majority.circuit
    lines = ["Fact by fact:"]
    wrong, accepted = [], []
    base = {c: outcome_words(outcome(majority, c)) for c in CIRCUITS}
    moved = {f: _moved(majority, base, f, chosen[f]) for f in asked if chosen[f] != getattr(majority, f)}
    for f in asked:
        spec = vocab[f]
        theirs = "; ".join(f"{name}: '{spec.label_of(getattr(fp, f))}'" for name, fp in others)
        ours = getattr(majority, f)
        if chosen[f] == ours:
            mark = "as the majority"
        elif _equivalent(f, chosen[f], ours) is not None:
            mark = "not the majority's word, but a value the workbook counts alike"
            accepted.append(f)
        elif not moved[f]:
            mark = "not the majority's reading, but it changes no circuit's answer"
            accepted.append(f)
        else:
            mark = "NOT as the majority, and it changes the answer"
            wrong.append(f)
        lines.append(f"- {spec.label}: you '{spec.label_of(chosen[f])}' ({mark}); the majority "
                     f"'{spec.label_of(ours)}'" + (f"; {theirs}" if theirs else "") + ".")
    mine_o, maj_o = outcome(mine, forum), outcome(majority, forum)
    lines.append(f"In the {CIRCUIT_NAMES[forum]}, with your facts: {outcome_words(mine_o)}. With the majority's: "
                 f"{outcome_words(maj_o)}.")
    for name, fp in others:
        their_o = outcome(fp, forum)
        same_reading = all(chosen[f] == getattr(fp, f) for f in asked)
        lines.append(f"With the facts as {name} read them: {outcome_words(their_o)}."
                     + (" Your reading is this opinion's, and so is your outcome." if same_reading and mine_o == their_o
                        else " Your outcome is this opinion's." if mine_o == their_o and mine_o != maj_o else ""))
    differing = [f for f in asked if chosen[f] != getattr(majority, f)]
    if differing:
        lines.append("Which of your choices produced it (each one alone, made to the majority's facts):")
        for f in differing:
            spec = vocab[f]
            eq = _equivalent(f, chosen[f], getattr(majority, f))
            alike = (f" The workbook counts the two alike ({eq.label}: {law().precedents[eq.case].cite(eq.pin)})."
                     if eq is not None else "")
            lines.append(f"- {spec.label} '{spec.label_of(chosen[f])}' instead of '{spec.label_of(getattr(majority, f))}': "
                         + ("alone it changes the answer in " + "; ".join(moved[f]) + "." if moved[f] else
                            "alone it changes no circuit's answer.") + alike)
        yours = [CIRCUIT_ABBREVIATIONS[c] for c in CIRCUITS if outcome(mine, c)[0]]
        theirs = [CIRCUIT_ABBREVIATIONS[c] for c in CIRCUITS if outcome(majority, c)[0]]
        lines.append(f"Across the circuits, a violation with your facts in: {', '.join(yours) or 'none'}; with the "
                     f"majority's: {', '.join(theirs) or 'none'}".rstrip(".") + ".")
    if wrong:
        return False, True, ["Not as the majority read them: a difference that changes an answer."] + lines
    if accepted:
        return True, True, ["Right: where your reading differs from the majority's words, the difference is one the "
                            "workbook counts alike or one that changes no circuit's answer."] + lines
    return True, True, ["Right: you read the facts as the majority did."] + lines

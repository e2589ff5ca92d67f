"""The reasons the engine gives: for each engine-keyed choice, the element that decided it, the
fact behind it and its authority, and where the rule is the workbook's own reading or rests on
an unverified precedent. `engine_choices` builds the key of an engine-keyed exercise."""
from __future__ import annotations

import re
from typing import Iterable

from ..engine import compare, evaluate
from ..facts import CIRCUIT_NAMES, CIRCUITS, Facts, circuit_id, vocabulary
from ..law import in_force, law
from ..loading import DataError, where
from .model import Choice


def _cite_all(ids: Iterable[str]) -> str:
    precedents = law().precedents
    return "; ".join(precedents[i].cite() for i in ids if i in precedents)


#: How a yes/no fact reads in a sentence, so a reason says what the facts establish
#: ("the facts do not establish that the harm was foreseeable ...") instead of "Harm foreseeable: no".
_FLAG_PROPOSITIONS = {
    "harm_foreseeable": "the harm was a foreseeable and fairly direct result of the official's conduct",
    "but_for_cause": "the harm would not have happened without the state's conduct",
    "promise_to_victim": "the official promised the victim protection",
    "victim_relied": "the victim gave up protecting herself because of the state's conduct or promise",
    "victim_public_employee": "the victim was a public employee hurt on the job",
}
_THEORY_NAMES = {"state_created_danger": "state-created danger", "special_relationship": "special relationship",
                 "direct_harm": "harm by a state actor"}


def _version_for(circuit, theory: str, day):
    if theory == "state_created_danger":
        return circuit.test_on(day)
    if theory == "special_relationship":
        return circuit.sr_on(day)
    return None


def _leaf_reason(leaf, met: bool, facts: Facts, regime) -> str:
    """One deciding fact in words: what the facts say, and what the element needs."""
    if leaf.kind == "culpable":
        return regime.explain(facts, leaf.setting, met)
    spec = vocabulary()[leaf.fact]
    value = getattr(facts, leaf.fact)
    negated = (value in leaf.allowed) != met  # a leaf under `not` reports the reverse
    if spec.kind == "flag":
        prop = _FLAG_PROPOSITIONS.get(leaf.fact) or spec.label.lower()
        says = f"the facts establish that {prop}" if value else f"the facts do not establish that {prop}"
        if met:
            return says
        return f"{says}, and this element {'requires the opposite' if value else 'requires it'}"
    shown = spec.label_of(value)
    if met:
        return f"{spec.label.lower()}: {shown}"
    if negated:
        return f"{spec.label.lower()}: {shown}, which this element excludes"
    wanted = "; or ".join(spec.label_of(v) for v in spec.values if v in leaf.allowed)
    return f"{spec.label.lower()}: {shown}, and this element needs {wanted}"


def _interpretive(note: str | None) -> str | None:
    """An element note that marks the workbook's own reading, in words a student can use."""
    if not note or not note.strip().lower().startswith("interpretive"):
        return None
    rest = re.sub(r"^interpretive\s*[-:\u2013\u2014]?\s*", "", note.strip(), flags=re.I)
    rest = re.sub(r"\bis encoded as\b", "is read as", rest)
    rest = re.sub(r"\bencoded\b", "read", rest)
    rest = re.sub(r"\bencodes\b", "applies", rest)
    rest = re.sub(r"\bencode\b", "apply", rest)
    return rest


def element_reason(circuit_id_: str, theory: str, result, facts: Facts, *, with_label: bool = True) -> str:
    """Why one element came out as it did on these facts: the deciding fact(s), the court's words
    where the data has them, the authority, and whether the rule is the workbook's own reading."""
    L = law()
    circ = L.circuits[circuit_id_]
    day = facts.decision_date
    version = _version_for(circ, theory, day)
    element = next((e for e in version.elements if e.id == result.id), None) if version else None
    if element is None:  # harm by a state actor: the engine's own sentence names the fact
        because = result.why.rstrip(".")
        caveat = None
    else:
        regime = circ.regime_on(day)
        met, leaves = element.test(facts, regime)
        because = "; ".join(dict.fromkeys(_leaf_reason(leaf, m, facts, regime) for leaf, m in leaves[:2]))
        caveat = _interpretive(element.note)
        if caveat is None and any(leaf.kind == "culpable" for leaf, _ in leaves[:2]):
            scale = _interpretive(regime.note)  # the culpability scale itself, e.g. before Lewis
            caveat = f"SCALE:{scale}" if scale else None
    head = f"'{result.label}' {'met' if result.met else 'not met'}" if with_label else \
        ("Met" if result.met else "Not met")
    quote = f' (the court\'s words: "{element.quote}")' if element is not None and element.quote else ""
    because = _lower_first(because.rstrip(". "))
    text = f"{head} \u2014 {because}{quote} ({result.authority})."
    if caveat:
        text += " " + _caveat_sentence(caveat)
    return text


def _caveat_sentence(caveat: str) -> str:
    if caveat.startswith("SCALE:"):
        return _sentence(f"The culpability scale applied here is the workbook's own reading: {caveat[6:]}")
    return _sentence(f"This element is the workbook's own reading, not a court's holding: {caveat}")


def _unverified(ids: Iterable[str]) -> str:
    """A note on precedents whose holding the workbook has not checked against the opinion's text."""
    L = law()
    weak = [L.precedents[i] for i in ids if i in L.precedents and L.precedents[i].verification in ("summary", "memory")]
    if not weak:
        return ""
    names = ", ".join(p.short_name for p in weak)
    return (f" Caution: the workbook's entry for {names} rests on a "
            f"{'summary' if all(p.verification == 'summary' for p in weak) else 'summary or memory'} "
            "of the opinion, not a check against its text, so treat this answer as provisional.")


def _recognition_reason(circ, facts: Facts) -> str | None:
    """Why state-created danger is out at the threshold: the circuit had not recognised it."""
    if facts.assume_recognized or circ.recognizes(facts.decision_date):
        return None
    L = law()
    day = facts.decision_date.isoformat()
    status = in_force(circ.status, facts.decision_date)
    if status is None:
        later = next((s for s in circ.status if s.recognized), None)
        since = (f"; it did from {later.start.isoformat()} ({L.cite(later.authority)})" if later else "")
        return f"state-created danger not yet recognised on {day}{since}"
    text = f"state-created danger not recognised on {day} ({L.cite(status.authority)})"
    caveat = _interpretive(status.note)
    if caveat:
        text += f". Whether this counts as not recognising the theory is the workbook's own reading: {caveat}"
    return text


def violation_reasons(answer, facts: Facts) -> list[str]:
    """For one circuit's answer, as sentences: the theory whose every element was met (and any
    element of it that is the workbook's own reading), or each element that failed and why."""
    L = law()
    circ = L.circuits[answer.circuit]
    f = facts.with_(circuit=answer.circuit)
    if answer.violation:
        for theory in ("special_relationship", "state_created_danger", "direct_harm"):
            result = getattr(answer, theory)
            if not result.met:
                continue
            version = _version_for(circ, theory, f.decision_date)
            if version is None:  # harm by a state actor: two elements, each with its authority
                return [f"{_THEORY_NAMES[theory].capitalize()}: " + " ".join(
                    f"'{e.label}' met \u2014 {_lower_first(e.why.rstrip('.'))} ({e.authority})." for e in result.elements)]
            out = [f"{_THEORY_NAMES[theory].capitalize()}: every element met under {L.cite(version.authority)}."]
            for e in result.elements:
                caveat = _interpretive(_element_note(circ, theory, f, e.id))
                if caveat:
                    out.append(_sentence(f"It rests in part on the workbook's own reading of '{e.label}', not a "
                                         f"court's holding: {caveat}"))
            return out
    out = []
    if f.custody != "none":
        out += [f"Special relationship: {element_reason(answer.circuit, 'special_relationship', e, f)}"
                for e in answer.special_relationship.elements if not e.met]
    threshold = _recognition_reason(circ, f)
    if threshold:
        out.append(_sentence(threshold[0].upper() + threshold[1:]))
    else:
        assumed = not circ.recognizes(f.decision_date)  # the theory assumed, as a court or dissent might
        name = ("State-created danger, assumed (the circuit has not recognised it; the elements are the test the "
                "workbook assembles for an assumed theory)" if assumed else "State-created danger")
        out += [f"{name}: {element_reason(answer.circuit, 'state_created_danger', e, f)}"
                for e in answer.state_created_danger.elements if not e.met]
    if f.harm_source == "state_actor":
        out += [f"Harm by a state actor: '{e.label}' not met \u2014 {_lower_first(e.why.rstrip('.'))} ({e.authority})."
                for e in answer.direct_harm.elements if not e.met]
    return out or [answer.baseline]


def _lower_first(text: str) -> str:
    """'With days ...' -> 'with days ...' after a dash; 'DeShaney' and 'A.B.' stay as they are."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[0].isupper() and text[1].islower() else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _version_note(circ, day) -> str | None:
    version = in_force(circ.tests, day)
    return version.note if version is not None else None


def _element_note(circ, theory: str, facts: Facts, element_id: str) -> str | None:
    version = _version_for(circ, theory, facts.decision_date)
    element = next((e for e in version.elements if e.id == element_id), None) if version else None
    return element.note if element else None


def _failed_then(circuit_id_: str, facts: Facts, day) -> list[str]:
    """The elements of a circuit's state-created-danger test, as it stood on `day`, that these facts fail."""
    L = law()
    circ = L.circuits[circuit_id_]
    version = in_force(circ.tests, day)
    if version is None:
        return []
    regime = circ.regime_on(day)
    out = []
    for e in version.elements:
        met, leaves = e.test(facts, regime)
        if met:
            continue
        because = "; ".join(dict.fromkeys(_leaf_reason(leaf, m, facts, regime) for leaf, m in leaves[:2]))
        because = _lower_first(because.rstrip(". "))
        text = f"'{e.label}' not met \u2014 {because} ({L.cite(e.authority)})."
        caveat = _interpretive(e.note)
        if caveat is None and any(leaf.kind == "culpable" for leaf, _ in leaves[:2]):
            scale = _interpretive(regime.note)
            caveat = f"SCALE:{scale}" if scale else None
        if caveat:
            text += " " + _caveat_sentence(caveat)
        out.append(text)
    return out


def established_reason(answer, facts: Facts) -> str:
    """Why prong two came out as it did: the engine's reason, the elements that failed on the
    conduct date, the precedents it rests on, and where the rule is the workbook's own."""
    basis = answer.clearly_established_basis
    f = facts.with_(circuit=answer.circuit)
    parts = [_sentence(basis.why)]
    if not basis.established and basis.route == "none" and "do not meet" in basis.why:
        failed = _failed_then(answer.circuit, f, f.conduct_date)
        circ = law().circuits[answer.circuit]
        day = f.conduct_date.isoformat()
        if failed and not circ.recognizes(f.conduct_date):
            parts = [f"The {circ.name} had not recognised state-created danger on {day} and had no test of its "
                         "own; measured against the test the workbook assembles for a court that assumes the theory "
                         "(the workbook's reading, not the circuit's law), the facts fail on: " + " ".join(failed)]
        elif failed:
            parts.append(f"On {day} the test failed on: " + " ".join(failed))
            note = _interpretive(_version_note(circ, f.conduct_date))
            if note:
                parts.append(_sentence(f"That statement of the test is the workbook's own reading: {note}"))
    if basis.precedents:
        parts.append(f"It rests on {_cite_all(basis.precedents)}.")
    if "needed" in basis.why and "consensus" in basis.why:
        parts.append("How many circuits make a consensus is the workbook's own threshold: the Supreme Court "
                     "has given no number.")
    if basis.route == "obvious":
        parts.append("Which cases count as obvious (Hope v. Pelzer) is the workbook's own reading: only intent "
                     "to harm a specific person through a danger the official created.")
    return " ".join(parts) + _unverified(basis.precedents)


def engine_choices(kind: str, facts: Facts, ex: dict, node: dict) -> tuple[Choice, ...]:
    """The key, computed by the engine: never typed by the author. Each choice's feedback names
    the element that decided it, the fact behind it and its authority."""
    if kind == "element_check":
        answer = evaluate(facts)
        theory_name = ex.get("theory", "state_created_danger")
        theory = getattr(answer, theory_name)
        return tuple(Choice(e.id, e.label, e.met, element_reason(answer.circuit, theory_name, e, facts,
                                                                 with_label=False))
                     for e in theory.elements)
    if kind == "clearly_established_on":
        answer = evaluate(facts)
        why = established_reason(answer, facts)
        ce = answer.clearly_established
        return (Choice("yes", "Yes, clearly established", ce, why),
                Choice("no", "No, not clearly established", not ce, why))
    # which_circuits
    wanted = CIRCUITS
    if "circuits" in ex:
        wanted, bad = [], []
        for value in ex["circuits"]:
            cid = circuit_id(value)
            (wanted.append(cid) if cid in CIRCUITS else bad.append(value))
        if bad:
            raise DataError([f"{where(node, 'circuits')}: not circuits: {', '.join(map(str, bad))}; "
                             "allowed: ca1 ... ca11, cadc (or 1st, 9th, D.C.)"])
    comparison = compare(facts)
    ask = ex.get("ask", "violation")
    out = []
    for cid in wanted:
        a = comparison[cid]
        on = f"conduct on {a.conduct_date}"
        if ask == "violation":
            yes = a.violation
            why = ("a violation. " if yes else "no violation. ") + " ".join(violation_reasons(a, facts))
        elif ask == "clearly_established":
            yes = a.clearly_established
            why = (f"clearly established for {on}: " if yes else f"not clearly established for {on}: ") \
                + established_reason(a, facts)
        else:
            yes = not a.qualified_immunity
            if yes:
                why = ("immunity denied. A violation: " + " ".join(violation_reasons(a, facts)) + " Clearly "
                       f"established for {on}: " + established_reason(a, facts))
            else:
                parts = []
                if not a.violation:
                    parts.append("No violation. " + " ".join(violation_reasons(a, facts)))
                if not a.clearly_established:
                    parts.append(f"Not clearly established for {on}: " + established_reason(a, facts))
                why = "immunity granted. " + " ".join(parts)
        out.append(Choice(cid, CIRCUIT_NAMES[cid], yes, f"{CIRCUIT_NAMES[cid]}: {why}"))
    return tuple(out)

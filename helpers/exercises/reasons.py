"""The reasons the engine gives: for each engine-keyed choice, the element that decided it, the
fact behind it and its authority, and where the rule is the workbook's own reading or rests on
an unverified precedent. `engine_choices` builds the key of an engine-keyed exercise."""
from __future__ import annotations

import re
from typing import Iterable

from ..engine import compare, decide, evaluate
from ..facts import CIRCUIT_NAMES, CIRCUITS, Facts, circuit_id, vocabulary
from ..law import in_force, law
from ..loading import DataError, where
from ..readings import relevant
from .contested import contest, course_sentence
from .model import Choice
from .predict import asked


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


def version_for(circuit, theory: str, day):
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
        who = "the other route" if leaf.other_route else "this element"
        return f"{says}, and {who} {'requires the opposite' if value else 'requires it'}"
    shown = spec.label_of(value)
    if met:
        return f"{spec.label.lower()}: {shown}"
    if negated:
        return f"{spec.label.lower()}: {shown}, which this element excludes"
    wanted = "; or ".join(spec.label_of(v) for v in spec.values if v in leaf.allowed)
    if leaf.other_route:
        return f"nor the other route, which needs {spec.label.lower()}: {wanted} (here {shown})"
    return f"{spec.label.lower()}: {shown}, and this element needs {wanted}"


def _deciding_reading(facts: Facts, circuit_id_: str, test) -> str | None:
    """Where one of the workbook's own readings (data/readings.yaml) decides whether `test(facts)`
    holds, a sentence saying so and what the other reading gives; None where no reading decides it
    (a reading is flagged only where flipping it flips the answer)."""
    c = contest(facts, circuit_id_, test)
    if c is None:
        return None
    return c.sentence(lambda v: "it is met" if v else "it is not met")


def element_reason(circuit_id_: str, theory: str, result, facts: Facts, *, with_label: bool = True,
                   flag: bool = True) -> str:
    """Why one element came out as it did on these facts: the deciding fact(s), the court's words
    where the data has them, the authority, and whether the rule is the workbook's own reading."""
    L = law()
    circ = L.circuits[circuit_id_]
    day = facts.decision_date
    version = version_for(circ, theory, day)
    element = next((e for e in version.elements if e.id == result.id), None) if version else None
    if element is None:  # harm by a state actor: the engine's own sentence names the fact
        because = result.why.rstrip(".")
        caveat = None
    else:
        regime = circ.regime_on(day)
        met, leaves = element.test(facts, regime)
        because = "; ".join(dict.fromkeys(_leaf_reason(leaf, m, facts, regime) for leaf, m in leaves[:2]))
        caveat = _deciding_reading(facts, circuit_id_, lambda g: element.test(g, regime)[0]) if flag else None
    head = f"'{result.label}' {'met' if result.met else 'not met'}" if with_label else \
        ("Met" if result.met else "Not met")
    quote = f' (the court\'s words: "{element.quote}")' if element is not None and element.quote else ""
    because = _lower_first(because.rstrip(". "))
    text = f"{head} \u2014 {because}{quote} ({result.authority})."
    if caveat:
        text += " " + caveat
    return text


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


def _recognition_reason(circ, facts: Facts, flag: bool = True) -> str | None:
    """Why state-created danger is out at the threshold: the circuit had not recognised it."""
    if facts.assume_recognized or circ.recognizes(facts.decision_date, facts.readings):
        return None
    L = law()
    day = facts.decision_date.isoformat()
    status = in_force(circ.status, facts.decision_date)
    if status is None:
        later = next((s for s in circ.status if s.recognized), None)
        since = (f"; it did from {later.start.isoformat()} ({L.cite(later.authority)})" if later else "")
        return f"state-created danger not yet recognised on {day}{since}"
    text = f"state-created danger not recognised on {day} ({L.cite(status.authority)})"
    c = contest(facts, circ.id, lambda g: circ.recognizes(g.decision_date, g.readings)) if flag else None
    if c is not None:
        text += ". " + c.sentence(lambda v: "the circuit recognised the theory then" if v else "it had not")
    return text


def violation_reasons(answer, facts: Facts) -> list[str]:
    """For one circuit's answer, as sentences: the theory whose every element was met, or each
    element that failed and why. Whether one of the workbook's own readings decides the answer is
    said once, for the answer as a whole (`either_way`)."""
    L = law()
    circ = L.circuits[answer.circuit]
    f = facts.with_(circuit=answer.circuit)
    if answer.violation:
        for theory in ("special_relationship", "state_created_danger", "direct_harm"):
            result = getattr(answer, theory)
            if not result.met:
                continue
            version = version_for(circ, theory, f.decision_date)
            if version is None:  # harm by a state actor: two elements, each with its authority
                return [f"{_THEORY_NAMES[theory].capitalize()}: " + " ".join(
                    f"'{e.label}' met \u2014 {_lower_first(e.why.rstrip('.'))} ({e.authority})." for e in result.elements)]
            return [f"{_THEORY_NAMES[theory].capitalize()}: every element met under {L.cite(version.authority)}."]
    out = []
    if f.custody != "none":
        out += [f"Special relationship: {element_reason(answer.circuit, 'special_relationship', e, f, flag=False)}"
                for e in answer.special_relationship.elements if not e.met]
    threshold = _recognition_reason(circ, f, flag=False)
    if threshold:
        out.append(_sentence(threshold[0].upper() + threshold[1:]))
    else:
        assumed = not circ.recognizes(f.decision_date, f.readings)  # the theory assumed, as a court or dissent might
        name = ("State-created danger, assumed (the circuit has not recognised it; the elements are the test the "
                "workbook assembles for an assumed theory)" if assumed else "State-created danger")
        out += [f"{name}: {element_reason(answer.circuit, 'state_created_danger', e, f, flag=False)}"
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
        out.append(text)
    return out


def established_reason(answer, facts: Facts, flag: bool = True) -> str:
    """Why prong two came out as it did: the engine's reason, the elements that failed on the
    conduct date, the precedents it rests on, and where the rule is the workbook's own."""
    basis = answer.clearly_established_basis
    f = facts.with_(circuit=answer.circuit)
    parts = [_sentence(basis.why)]
    if not basis.established and basis.route == "none" and "do not meet" in basis.why:
        failed = _failed_then(answer.circuit, f, f.conduct_date)
        circ = law().circuits[answer.circuit]
        day = f.conduct_date.isoformat()
        if failed and not circ.recognizes(f.conduct_date, f.readings):
            parts = [f"The {circ.name} had not recognised state-created danger on {day} and had no test of its "
                         "own; measured against the test the workbook assembles for a court that assumes the theory "
                         "(the workbook's reading, not the circuit's law), the facts fail on: " + " ".join(failed)]
        elif failed:
            parts.append(f"On {day} the test failed on: " + " ".join(failed))
    if basis.precedents:
        parts.append(f"It rests on {_cite_all(basis.precedents)}.")
    c = contest(f, answer.circuit, lambda g: decide(g, answer.circuit)[1]) if flag else None
    if c is not None:
        parts.append(c.sentence(lambda v: "it was clearly established" if v else "it was not"))
    return " ".join(parts) + _unverified(basis.precedents)


_ASK_WORDS = {
    "violation": ("a violation", "no violation"),
    "clearly_established": ("clearly established", "not clearly established"),
    "immunity_denied": ("immunity denied", "immunity granted"),
}


def either_way(choice: Choice, facts: Facts, circuit: str | None, value, words, course: dict) -> Choice:
    """The choice, marked `either` (with the sentence that says why) where one of the workbook's own
    readings decides it; and where the course fixed a reading that decides it, the sentence that says so."""
    fixed = frozenset(course)
    c = contest(facts, circuit, value, fixed)
    extra = course_sentence(facts, course, circuit, value, words) if course else ""
    if c is not None:
        extra = (extra + " " + c.sentence(words)).strip()
    if not extra:
        return choice
    return Choice(choice.id, choice.text, choice.correct, f"{choice.feedback} {extra}", either=c is not None)


def engine_choices(kind: str, facts: Facts, ex: dict, node: dict, course: dict | None = None) -> tuple[Choice, ...]:
    """The key, computed by the engine: never typed by the author. Each choice's feedback names
    the element that decided it, the fact behind it and its authority; where one of the workbook's
    own readings decides a choice, either answer to it is right (`Choice.either`)."""
    course = course or {}
    if kind == "element_check":
        answer = evaluate(facts)
        theory_name = ex.get("theory", "state_created_danger")
        theory = getattr(answer, theory_name)
        circ = law().circuits[answer.circuit]
        version = version_for(circ, theory_name, facts.decision_date)
        regime = circ.regime_on(facts.decision_date)
        out = []
        for e in theory.elements:
            choice = Choice(e.id, e.label, e.met, element_reason(answer.circuit, theory_name, e, facts, with_label=False))
            element = next((x for x in version.elements if x.id == e.id), None) if version else None
            if element is not None:
                choice = either_way(choice, facts, answer.circuit, lambda g, x=element: x.test(g, regime)[0],
                                    lambda v: "the element is met" if v else "it is not met", course)
            out.append(choice)
        return tuple(out)
    if kind == "clearly_established_on":
        answer = evaluate(facts)
        why = established_reason(answer, facts)
        ce = answer.clearly_established
        cid = answer.circuit
        c = contest(facts, cid, lambda g: asked("clearly_established", g, cid), frozenset(course))
        return (Choice("yes", "Yes, clearly established", ce, why, either=c is not None),
                Choice("no", "No, not clearly established", not ce, why, either=c is not None))
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
    yes_word, no_word = _ASK_WORDS[ask]
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
                + established_reason(a, facts, flag=False)
        else:
            yes = not a.qualified_immunity
            if yes:
                why = ("immunity denied. A violation: " + " ".join(violation_reasons(a, facts)) + " Clearly "
                       f"established for {on}: " + established_reason(a, facts, flag=False))
            else:
                parts = []
                if not a.violation:
                    parts.append("No violation. " + " ".join(violation_reasons(a, facts)))
                if not a.clearly_established:
                    parts.append(f"Not clearly established for {on}: " + established_reason(a, facts, flag=False))
                why = "immunity granted. " + " ".join(parts)
        choice = Choice(cid, CIRCUIT_NAMES[cid], yes, f"{CIRCUIT_NAMES[cid]}: {why}")
        out.append(either_way(choice, facts, cid, lambda g, c=cid: asked(ask, g, c),
                              lambda v: yes_word if v else no_word, course))
    return tuple(out)

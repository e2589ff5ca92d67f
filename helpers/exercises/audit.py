"""The grader measured against its own promises (`python -m helpers grading-report`).

Per exercise type: how many keyed answers there are, how many turn on one of the workbook's own
readings (worked out afresh here: the answer changes when a reading's other side is taken), and
how many of those accept either answer (the target: all, unless the course fixed the reading);
for arguments, how many keyed counterexamples were decided after the conduct (target: 0) and how
many keyed distinctions are ones the workbook's rules do not count while "no difference helps the
defence" is marked wrong (target: 0); for characterisations, how many ask a fact the court did not
find (target: 0).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..facts import CIRCUITS
from ..law import law
from .contested import contest
from .model import Bank
from .predict import asked, to_tick
from .reasons import version_for

@dataclass
class TypeCount:
    exercises: int = 0
    keys: int = 0
    on_reading: int = 0
    both_accepted: int = 0
    late_counterexamples: int = 0
    immaterial_distinctions_only: int = 0
    unfound_facts_asked: int = 0
    examples: list = field(default_factory=list)


def _value(ex, choice_id: str):
    """The engine's answer for one choice of an engine-keyed exercise, as a function of the facts."""
    if ex.type == "element_check":
        circ = law().circuits[ex.facts.circuit]
        day = ex.facts.decision_date
        version = version_for(circ, ex.theory, day)
        element = next((e for e in version.elements if e.id == choice_id), None) if version else None
        if element is None:
            return None, None
        regime = circ.regime_on(day)
        return circ.id, lambda g: element.test(g, regime)[0]
    if ex.type == "clearly_established_on":
        cid = ex.facts.circuit
        return cid, lambda g: asked("clearly_established", g, cid) == (choice_id == "yes")
    if ex.type == "which_circuits":
        return choice_id, lambda g: asked(ex.ask, g, choice_id)
    if ex.type == "predict":
        flip = dict(ex.flip) or None
        return choice_id, lambda g: to_tick(g, ex.ask, flip, choice_id)
    return None, None


def measure(banks: tuple[Bank, ...], course: dict | None = None) -> dict[str, TypeCount]:
    fixed = frozenset(course or {})
    out: dict[str, TypeCount] = {}
    L = law()
    for bank in banks:
        for ex in bank.exercises:
            t = out.setdefault(ex.type, TypeCount())
            t.exercises += 1
            if ex.type in ("which_circuits", "clearly_established_on", "predict", "element_check"):
                for c in ex.choices:
                    t.keys += 1
                    cid, value = _value(ex, c.id)
                    if cid not in CIRCUITS or value is None:
                        continue
                    decided = contest(ex.facts, cid, value, fixed) is not None
                    if decided:
                        t.on_reading += 1
                        t.both_accepted += int(c.either)
                        if not c.either:
                            t.examples.append(f"{bank.lesson}/{ex.id}:{c.id}")
            elif ex.type == "argue":
                for ply in ex.plies:
                    t.keys += 1
                    if ply.id == "counter":
                        late = [m.id for m in ply.moves if m.correct
                                and L.precedents[m.id].decided >= ex.facts.conduct_date]
                        t.late_counterexamples += bool(late)
                        if late:
                            t.examples.append(f"{bank.lesson}/{ex.id}: {', '.join(late)} keyed after the conduct")
                    if ply.id == "distinguish":
                        none = ply.move("none")
                        if none is not None and not none.correct and all(
                                "not a difference the comparison counts" in m.feedback for m in ply.moves if m.correct):
                            t.immaterial_distinctions_only += 1
                            t.examples.append(f"{bank.lesson}/{ex.id}: 'no difference' wrong beside an immaterial key")
            elif ex.type == "characterise":
                t.keys += len(ex.asked)
                case = L.precedents.get(ex.case or "")
                t.unfound_facts_asked += sum(f in case.not_found for f in ex.asked) if case is not None else 0
    return out


def report_lines(counts: dict[str, TypeCount]) -> list[str]:
    lines = ["The grader against its promises (keys worked out again; readings from data/readings.yaml)", "",
             f"  {'type':24s}{'exercises':>10s}{'keys':>7s}{'on a reading':>14s}{'both accepted':>15s}"]
    for kind, t in sorted(counts.items()):
        lines.append(f"  {kind:24s}{t.exercises:>10d}{t.keys:>7d}{t.on_reading:>14d}{t.both_accepted:>15d}")
    on = sum(t.on_reading for t in counts.values())
    both = sum(t.both_accepted for t in counts.values())
    arg = counts.get("argue", TypeCount())
    char = counts.get("characterise", TypeCount())
    lines += ["",
              f"  keys resting on one of the workbook's own readings: {on}; accepting either answer: {both} "
              f"(target: all)",
              f"  argue: keyed counterexamples decided after the conduct: {arg.late_counterexamples} (target: 0)",
              f"  argue: 'no difference helps the defence' marked wrong where only immaterial differences remain: "
              f"{arg.immaterial_distinctions_only} (target: 0)",
              f"  characterise: facts asked that the court did not find: {char.unfound_facts_asked} (target: 0)"]
    examples = [e for t in counts.values() for e in t.examples]
    if examples:
        lines += ["", "  To look at:"] + [f"    {e}" for e in examples[:40]]
    return lines


def meets_targets(counts: dict[str, TypeCount]) -> bool:
    return all(t.on_reading == t.both_accepted and not t.late_counterexamples and not t.immaterial_distinctions_only
               and not t.unfound_facts_asked for t in counts.values())

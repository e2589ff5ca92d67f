"""The three-ply argument (HYPO, CATO), graded by the comparison the engine itself makes.

1. cite: the precedent the plaintiff cites (`immunity.on_point`: date, later history, binding or
   persuasive, holding, mechanism, harm, lines, the precedent's test, facts as strong);
2. distinguish: the defence's strongest distinction of that case (`analogy.differences`);
3. counter: the case the defence cites as holding like conduct lawful (`immunity.counterexample_checks`,
   the test prong two's compiled search (`immunity.search`) applies to counterexamples);
4. rebut: the plaintiff's reply (the distinction is a surface difference under a shared mechanism,
   or values the law counts alike; or the counterexample came too late, binds no one here, or
   stands on weaker facts).

Every choice carries feedback that names the factor or the date that made the move strong or
weak. `plies(...)` builds the moves for an exercise; `spar(...)` is the same argument, ungraded,
with the workbook playing the defence (the QI lab's spar mode).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analogy import Difference, differences, knowledge
from ..engine import evaluate
from ..facts import CIRCUIT_ABBREVIATIONS, CIRCUIT_NAMES, Facts, vocabulary
from ..immunity import (best_counterexample, counterexample_checks, generality_for, on_point, pattern_key,
                        stronger_count)
from ..law import Precedent, in_force, law

PLY_IDS = ("cite", "distinguish", "counter", "rebut")
PLY_LABELS = {"cite": "1. Cite", "distinguish": "2. The defence distinguishes", "counter": "2. The defence's counterexample",
              "rebut": "3. Reply"}
#: Facts a student is tempted to call a distinction although the cases agree on them.
TEMPTING = ("promise_to_victim", "victim_relied", "victim_scope", "harm_source", "awareness")


@dataclass(frozen=True)
class Move:
    """One answer to one ply: an id, what it says, whether it is a strong move, and why."""

    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Ply:
    id: str
    label: str
    prompt: str
    moves: tuple[Move, ...]

    def move(self, move_id: str) -> Move | None:
        return next((m for m in self.moves if m.id == move_id), None)


class ArgumentError(ValueError):
    """The menus given cannot make an argument (no case on point, no counterexample)."""


def _caption(p: Precedent) -> str:
    court = "" if p.court == "scotus" else CIRCUIT_ABBREVIATIONS.get(p.court, p.court) + " "
    return f"{p.short_name} ({court}{p.decided.year})"


def _candidates_for_cite(facts: Facts, limit: int = 6) -> list[str]:
    """A menu for the first ply when the author gives none: the cases on point, then the nearest
    misses, each missing for a different reason where possible."""
    L = law()
    circ = L.circuits[facts.circuit]
    scored = []
    for p in L.danger_precedents:
        if p.fact_pattern() is None or p.verification == "memory":
            continue
        op = on_point(L, circ, p, facts)
        failed = tuple(c.id for c in op.checks if not c.passed)
        scored.append((not op.on_point, len(failed), failed[:1], p.id))
    scored.sort()
    menu, reasons = [], set()
    for bad, n, first, pid in scored:
        if not bad and len([m for m in menu]) < 2:
            menu.append(pid)
        elif bad and first not in reasons and len(menu) < limit:
            menu.append(pid)
            reasons.add(first)
    return menu


def counter_rank(checks, stronger: int) -> tuple:
    """How good a case holding like conduct lawful is for the defence, as the grader keys it: first
    whether it existed (decided before the conduct and still good law then: a later case cannot have
    warned the official), then whether it is a true analogue (the same mechanism of danger and the
    same kind of harm: a factually unlike case never outranks one), then whether it binds the forum,
    then how close its facts are (none stronger here; the fewest factors stronger here)."""
    ok = {c.id: c.passed for c in checks}
    existed = ok.get("decided_before_conduct", False) and ok.get("good_law", False)
    analogue = ok.get("same_mechanism", False) and ok.get("same_harm", False)
    return (int(existed), int(analogue), int(ok.get("binding", False)), int(ok.get("not_stronger", False)), -stronger)


def _ranked_counters(facts: Facts, pool) -> list[tuple[tuple, Precedent, tuple]]:
    L = law()
    circ = L.circuits[facts.circuit]
    out = []
    for p in pool:
        if p.violation is not False:
            continue
        checks = counterexample_checks(L, circ, p, facts)
        out.append((counter_rank(checks, stronger_count(p, facts)), p, checks))
    return sorted(out, key=lambda t: t[0], reverse=True)


def best_counter_in_base(facts: Facts) -> tuple[tuple, Precedent] | None:
    """The defence's best counterexample anywhere in the base (checked against a menu by check-lessons)."""
    pool = [p for p in law().danger_precedents if p.fact_pattern() is not None and p.verification != "memory"]
    ranked = _ranked_counters(facts, pool)
    return (ranked[0][0], ranked[0][1]) if ranked else None


def _candidates_for_counter(facts: Facts, limit: int = 4) -> list[str]:
    pool = [p for p in law().danger_precedents if p.fact_pattern() is not None and p.verification != "memory"]
    return [p.id for _, p, _ in _ranked_counters(facts, pool)[:limit]]


def cite_moves(facts: Facts, menu: list[str]) -> tuple[Move, ...]:
    """Ply one: each case graded by `on_point`. Strong: binding and on point; where no case in the
    menu is, a persuasive case the forum counts toward a consensus."""
    L = law()
    circ = L.circuits[facts.circuit]
    results = [(L.precedents[pid], on_point(L, circ, L.precedents[pid], facts)) for pid in menu]
    any_binding = any(op.on_point for _, op in results)
    moves = []
    for p, op in results:
        strong = op.on_point or (not any_binding and op.counts_toward_consensus)
        failed = [c for c in op.checks if not c.passed and not (c.id == "facts_as_strong" and op.on_point)]
        if strong:
            why = [c.detail for c in op.checks if c.id in ("decided_before_conduct", "authority")]
            why += list(op.similarities[:2]) or ["It shares a mechanism of danger with these facts."]
            if not op.on_point:
                why.append("It binds no court here, but the forum counts a consensus of such cases.")
            text = "Strong. " + " ".join(why)
        elif op.counts_toward_consensus:
            text = ("Good, not best. " + next(c.detail for c in op.checks if c.id == "authority")
                    + " A case that binds the forum is stronger.")
        else:
            text = "Weak. " + " ".join(f"{c.label}? No: {c.detail}" for c in failed)
            if any(c.id == "facts_as_strong" for c in failed):
                text += " " + " ".join(d for d in op.distinctions if d.startswith("In "))
        moves.append(Move(p.id, _caption(p), strong, text))
    return tuple(moves)


def _plaintiffs_case(facts: Facts, cite: tuple[Move, ...]) -> Precedent:
    """The case the plaintiff should cite: the engine's own basis if it is a strong move, else the
    latest strong case in the menu."""
    L = law()
    strong = [m.id for m in cite if m.correct]
    basis = evaluate(facts).clearly_established_basis
    for pid in basis.precedents:
        if pid in strong:
            return L.precedents[pid]
    return max((L.precedents[i] for i in strong), key=lambda p: p.decided)


def _difference_text(d: Difference) -> str:
    spec = vocabulary()[d.fact]
    if d.kind == "same":
        return f"{spec.label}: '{spec.label_of(d.new_value)}' here"
    return f"{spec.label}: '{spec.label_of(d.precedent_value)}' there, '{spec.label_of(d.new_value)}' here"


def distinguish_moves(facts: Facts, precedent: Precedent) -> tuple[tuple[Move, ...], Difference | None]:
    """Ply two (a): every difference between the cited case and these facts, weighed by
    `analogy.differences`; the strongest is the defence's move."""
    diffs = differences(precedent.fact_pattern(), pattern_key(facts), precedent.short_name, TEMPTING,
                        level=generality_for(law(), facts), decision=facts.decision_date)
    best = max((d.weight for d in diffs), default=0)
    top = next((d for d in diffs if d.weight == best), None) if best > 0 else None
    immaterial = top is None or top.kind != "material"  # what is left is a difference the rules do not count
    moves = []
    for d in diffs:
        right = best > 0 and d.weight == best
        if right and d.kind != "material":
            fb = (f"Accepted: the defence's strongest point, and it is all the defence has. {d.why} "
                  "It is not a difference the comparison counts, so \"no difference helps the defence\" is right "
                  "too; if the defence presses it, your reply can say why it does not count.")
        elif right:
            fb = f"Right: the defence's strongest point. {d.why}"
        else:
            stronger = f" The defence has a stronger point: {_difference_text(top).split(':')[0].lower()}." if top else ""
            fb = f"Not the defence's best. {d.why}{stronger}"
        moves.append(Move(d.fact, _difference_text(d), right, fb))
    moves.append(Move("none", "Nothing: no difference helps the defence", immaterial,
                      "Right: every difference cuts the other way or does not count." if top is None else
                      f"Right: the only differences left are ones the workbook's comparison does not count. {top.why}"
                      if immaterial else f"Not so: {top.why}"))
    return tuple(moves), top


_LATER = ("A case decided after the official acted could not have warned him that his conduct was lawful; "
          "at most, a disagreement among courts that develops later is evidence that the law was unclear "
          "(Wilson v. Layne, 526 U.S. 603, 618 (1999)).")


def counter_moves(facts: Facts, menu: list[str]) -> tuple[tuple[Move, ...], Precedent]:
    """Ply two (b): the cases holding like conduct lawful, ranked by `counter_rank`; every case that
    ties for the best is a right answer."""
    L = law()
    ranked = _ranked_counters(facts, [L.precedents[pid] for pid in menu])
    if not ranked:
        raise ArgumentError("no case in the counter menu found no violation")
    top_rank, bp, _ = ranked[0]
    by_id = {p.id: (rank, checks) for rank, p, checks in ranked}
    moves = []
    for pid in menu:
        p = L.precedents[pid]
        if pid not in by_id:
            moves.append(Move(pid, _caption(p), False, f"Weak: {p.short_name} found a violation; it is the "
                              "plaintiff's kind of case, not the defence's."))
            continue
        rank, checks = by_id[pid]
        failed = [c for c in checks if not c.passed]
        ok = [c.detail for c in checks if c.passed and c.id in ("decided_before_conduct", "binding", "same_mechanism")]
        later = " " + _LATER if any(c.id == "decided_before_conduct" for c in failed) else ""
        if rank == top_rank:
            fb = f"Right: the defence's best counterexample. {' '.join(ok)}"
            if failed:
                fb += " But it is not a full counterexample: " + " ".join(c.detail for c in failed) + \
                      " That is what your reply will say." + later
        else:
            fb = (f"Weaker than {bp.short_name}. " + " ".join(f"{c.label}? No: {c.detail}" for c in failed)) + later
        moves.append(Move(pid, _caption(p), rank == top_rank, fb))
    return tuple(moves), bp


#: The replies to the defence's counterexample, worded so that they do not name it (the ply before
#: asks which case it is); the feedback names it.
_REPLY_TEXT = {
    "decided_before_conduct": "The defence's case was decided after the official acted, so it could not have told him his conduct was lawful.",
    "good_law": "The defence's case had been undone by later history before the official acted.",
    "binding": "The defence's case does not bind the {forum}.",
    "same_mechanism": "The defence's case brought the danger about by a different mechanism.",
    "same_harm": "The defence's case involved a different kind of harm.",
    "not_stronger": "These facts are stronger for the plaintiff than those of the defence's case.",
}


def rebut_moves(facts: Facts, precedent: Precedent, top: Difference | None, counter: Precedent) -> tuple[Move, ...]:
    """Ply three: replies to the distinction and to the counterexample; a reply is right when the
    comparison bears it out (each check of the counterexample it names failed; the distinction it
    dismisses is a surface difference, values counted alike, or no help to the defence)."""
    L = law()
    circ = L.circuits[facts.circuit]
    moves = []
    if top is not None:
        label = vocabulary()[top.fact].label.lower()
        if top.fact in ("act_kind", "assurance_to_assailant"):
            text = f"The difference in what the official did ({label}) does not matter: both cases share a mechanism of danger."
        else:
            text = f"The difference in {label} does not matter: the law counts the two alike."
        right = top.kind in ("surface", "equivalent")
        moves.append(Move("distinction_immaterial", text, right,
                          ("Right. " if right else "Not so: the difference counts. ") + top.why))
    checks = counterexample_checks(L, circ, counter, facts)
    for c in checks:
        if c.id not in _REPLY_TEXT:
            continue
        text = _REPLY_TEXT[c.id].format(forum=CIRCUIT_NAMES[circ.id])
        later = " " + _LATER if c.id == "decided_before_conduct" and not c.passed else ""
        moves.append(Move(f"counter_{c.id}", text, not c.passed,
                          ("Right. " if not c.passed else "Not so. ") + c.detail + later))
    return tuple(moves)


def verdict(facts: Facts) -> str:
    """The engine's own answer on prong two for these facts: where the argument leads."""
    a = evaluate(facts)
    basis = a.clearly_established_basis
    head = "clearly established" if a.clearly_established else "not clearly established"
    return f"Where the argument leads (the engine, on these facts): {head}. {basis.why}".strip()


def plies(facts: Facts, cite_menu: list[str] | None = None, counter_menu: list[str] | None = None) -> tuple[Ply, ...]:
    """The four moves of the argument for these facts (with a circuit and dates)."""
    if evaluate(facts).special_relationship.met:
        raise ArgumentError("custody (the special relationship) decides these facts, and the argument compares "
                            "state-created-danger precedents: choose facts without custody (custody: none)")
    L = law()
    circ = L.circuits[facts.circuit]
    c = facts.conduct_date
    bar = circ.never_established_bar
    if bar and facts.decision_date >= bar[0] and not circ.recognizes(c, facts.readings):
        raise ArgumentError(f"the {circ.name} never adopted the theory, so no case can clearly establish it there "
                            "(the engine's bar): choose another forum")
    if in_force(circ.tests, c) is not None and not circ.danger_test_met(facts, c):
        raise ArgumentError(f"these facts fail the {circ.name}'s own test as it stood on {c.isoformat()}, which "
                            "decides prong two there whatever the cases say: choose another forum or other facts")
    forum = CIRCUIT_NAMES[facts.circuit]
    cite = cite_moves(facts, cite_menu or _candidates_for_cite(facts))
    if not any(m.correct for m in cite):
        raise ArgumentError("no case in the cite menu is on point for the plaintiff (the engine finds none): "
                            "add one, or change the facts")
    case = _plaintiffs_case(facts, cite)
    dist, top = distinguish_moves(facts, case)
    counter_menu = counter_menu or _candidates_for_counter(facts)
    counter, cp = counter_moves(facts, counter_menu)
    base = best_counter_in_base(facts)
    menu_best = _ranked_counters(facts, [L.precedents[i] for i in counter_menu])[0][0]
    if base is not None and base[0][:2] > menu_best[:2]:
        raise ArgumentError(f"the counter menu has no case as good for the defence as {_caption(base[1])}, which "
                            + ("existed when the official acted" if base[0][0] > menu_best[0] else
                               "shares the mechanism and the kind of harm")
                            + ": add it to 'counter', or the keyed best counterexample is one the defence would not use")
    rebut = rebut_moves(facts, case, top, cp)
    if not any(m.correct for m in rebut):
        raise ArgumentError(f"the plaintiff has no good reply to {cp.short_name} on these facts")
    day = facts.conduct_date.isoformat()
    return (
        Ply("cite", PLY_LABELS["cite"], f"You argue for the plaintiff in the {forum} (conduct on {day}). "
            "Which earlier case do you cite to show the right was clearly established?", cite),
        Ply("distinguish", PLY_LABELS["distinguish"], "Suppose you cite the plaintiff's strongest case (the "
            "feedback on your first move names it). Which difference from it will the defence press hardest?", dist),
        Ply("counter", PLY_LABELS["counter"], "Which case will the defence cite as holding like conduct lawful?",
            counter),
        Ply("rebut", PLY_LABELS["rebut"], "The defence presses its distinction and cites its best counterexample. "
            "Your best reply?", rebut),
    )


# --- answers: {ply: move}, saved as "cite=...;distinguish=...;..." ----------------------------

def parse_moves(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v}
    if isinstance(value, str):
        out = {}
        for part in value.split(";"):
            if "=" in part:
                k, v = part.split("=", 1)
                if v:
                    out[k.strip()] = v.strip()
        return out
    return {}


def moves_text(moves: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in moves.items() if v)


def grade_plies(plies_: tuple[Ply, ...], answer: Any) -> tuple[bool, bool, list[str], int]:
    """(right, answered, lines, leading right plies). An answer that is right so far but stops
    before the last ply is not yet an answer: the next ply opens."""
    moves = parse_moves(answer)
    lines, right_so_far, wrong = [], 0, False
    for ply in plies_:
        chosen = moves.get(ply.id)
        if chosen is None:
            break
        move = ply.move(chosen)
        if move is None:
            return False, False, [f"'{chosen}' is not a move in '{ply.label}'."], right_so_far
        lines.append(f"- {ply.label}: {move.text.rstrip('.')}. {move.feedback}")
        if not move.correct:
            wrong = True
            break
        right_so_far += 1
    if not lines:
        return False, False, ["Choose your first move, then press Check."], 0
    if wrong:
        return False, True, ["Not quite."] + lines, right_so_far
    if right_so_far < len(plies_):
        nxt = plies_[right_so_far]
        return False, False, ["So far, so good."] + lines + [f"Now: {nxt.label}."], right_so_far
    return True, True, ["Right: a complete three-ply argument."] + lines, right_so_far


def spar(facts: Facts, cite: str) -> list[str]:
    """Ungraded: the student cites a case; the workbook answers as the defence would, with the same
    comparison (its strongest distinction and its best counterexample), and says what the plaintiff
    can reply. Lines of plain English."""
    L = law()
    if facts.circuit is None:
        return ["Choose a circuit first."]
    p = L.precedents.get(cite)
    if p is None:
        return [f"Unknown case '{cite}'."]
    circ = L.circuits[facts.circuit]
    op = on_point(L, circ, p, facts)
    out = []
    if not op.on_point:
        out.append(f"The defence: {p.short_name} does not carry you. "
                   + " ".join(c.detail for c in op.checks if not c.passed))
    if p.fact_pattern() is not None and p.theory == "state_created_danger":
        diffs = differences(p.fact_pattern(), pattern_key(facts), p.short_name, level=generality_for(L, facts),
                            decision=facts.decision_date)
        top = diffs[0] if diffs and diffs[0].weight > 0 else None
        if top is not None:
            out.append(f"The defence distinguishes it: {top.why}")
            if top.kind in ("surface", "equivalent"):
                out.append("Your reply: that difference does not count (the same comparison the court makes).")
        else:
            out.append(f"The defence finds no difference from {p.short_name} that helps it.")
    best = best_counterexample(L, circ, facts)
    if best is not None:
        cp, checks = best
        failed = [c for c in checks if not c.passed]
        out.append(f"The defence cites {_caption(cp)} as holding like conduct lawful.")
        if failed:
            out.append("Your reply: " + " ".join(c.detail for c in failed))
        else:
            out.append("You have no easy reply: it is a true counterexample on facts at least as strong as yours.")
    return out


__all__ = ["Move", "Ply", "ArgumentError", "plies", "grade_plies", "parse_moves", "moves_text", "spar", "knowledge"]

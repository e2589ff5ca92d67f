"""Prong two: was the right clearly established on the conduct date?

The law is the law on the conduct date; the method (how general the right may be, whose
cases count) is the method on the decision date. Routes, in the order a court takes them:
- a bar: a circuit that never adopted the theory cannot have clearly established it (Fisher);
- the forum's own test, once stated, binds: facts it did not reach were not clearly
  unlawful there, whatever other circuits said (Pinder's limit on affirmative acts);
- the obvious case (Hope v. Pelzer): intent to harm a specific person through a danger the
  official created, where the forum recognised the theory;
- analogy: an earlier case that held like conduct unconstitutional, compared the way
  courts compare (helpers/analogy.py: mechanism, harm group, doctrinal lines, the
  precedent's own test, and, at the particularized level, facts at least as strong).
  A binding case settles it; persuasive ones count only where the forum counts a
  consensus of them, by the forum's own standard;
- at the general level (Hope; the Kennedy majority; Judge Parker), the forum's recognised
  theory and a test these facts meet are enough.
A binding case holding like conduct lawful (a counterexample) defeats every route but the
obvious case until a later binding case holds otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .analogy import compare_facts, crossing_is_ours, describe, knowledge, similarities
from .casebase import Search, casebase
from .facts import CIRCUIT_NAMES, Facts, vocabulary
from .law import Circuit, Cite, Law, Precedent, custody_contours, in_force, law as load_law
from .memos import remember


# --- the method on the decision date ---------------------------------------------------

@dataclass(frozen=True)
class Method:
    level: str  # general | particularized
    source: str  # option | circuit | supreme_court
    authority: Cite | None
    note: str | None


def method_for(law: Law, circuit: Circuit | None, facts: Facts) -> Method:
    """The level of generality: the student's option, else the latest word on the decision date -
    the Supreme Court's or the forum circuit's own, whichever spoke last."""
    if facts.generality != "default":
        return Method(facts.generality, "option", None, None)
    d = facts.decision_date
    best = None
    for source, entries in (("supreme_court", law.method.generality),
                            ("circuit", getattr(circuit, "generality", ()) if circuit else ())):
        entry = in_force(entries, d)
        if entry is not None and (best is None or entry.start >= best[1].start):
            best = (source, entry)
    if best is None:
        return Method("general", "supreme_court", None, None)
    if best[1].level == "general" and "particularized_before_al_kidd" in facts.readings:
        # the other reading (data/readings.yaml): Anderson already asked for a particularized right
        return Method("particularized", "reading", best[1].authority, best[1].note)
    return Method(best[1].level, best[0], best[1].authority, best[1].note)


def generality_for(law: Law, facts: Facts, circuit: Circuit | None = None) -> str:
    if circuit is None and facts.circuit:
        circuit = law.circuits[facts.circuit]
    return method_for(law, circuit, facts).level


#: Under the other side of the reading `consensus_threshold` (data/readings.yaml): a "robust"
#: consensus asks for half the circuits.
ROBUST_CONSENSUS = 6


def consensus_needed(law: Law, day: date, readings: tuple = ()) -> int:
    s = in_force(law.method.consensus_size, day)
    if s is None:
        return 10**6
    return max(s.circuits, ROBUST_CONSENSUS) if "consensus_threshold" in readings else s.circuits


def consensus_standard(circuit: Circuit, day: date) -> str:
    """How the forum counts out-of-circuit cases on `day`: none | ordinary | unmistakable | own_recognition |
    same_act_case."""
    c = circuit.on(day).consensus
    if c is None or not c.counts:
        return "none"
    return getattr(c, "standard", "ordinary") or "ordinary"


# --- analogies ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Support:
    """A precedent compared with the facts: on point at the general or particularized level."""

    precedent: Precedent
    analogous: bool  # shared mechanism, same harm group, no line, and the precedent's test reaches these facts
    on_point: bool  # analogous and no weaker on any factor
    shared: tuple[str, ...]
    distinctions: tuple[str, ...]


@remember
@lru_cache(maxsize=4096)
def pattern_key(facts: Facts) -> Facts:
    """The facts without forum, decision date or options: what analogies depend on (the readings a
    fact pattern takes stay: they change the tests a precedent's court applies). Cached: `Facts` is
    frozen, so the same facts always give the same key (compare() asks once per circuit)."""
    return facts.with_(circuit=None, decision_date=facts.conduct_date, assume_recognized=False, generality="default")


def _test_reaches(law: Law, precedent: Precedent, facts: Facts) -> bool:
    """Would the precedent's court, applying the test it applied, have found these facts a violation?"""
    circ = law.circuits.get(precedent.court)
    if circ is None:
        return True
    return circ.test_on(precedent.decided).met(facts, circ.regime_on(precedent.decided))


def search(facts: Facts) -> Search:
    """Every danger precedent decided before the conduct and still good law then (and not known from
    memory alone), compared with the facts once per fact pattern (helpers/casebase.py). For a case
    holding a violation: within the rule (harm that reaches these facts, no doctrinal line: what the
    general level asks of a binding case); analogous (also a shared mechanism, and the precedent's test
    reaches these facts); on point (also no weaker on any factor). For a case holding like conduct
    lawful: a counterexample (a shared mechanism, harm it cuts against, and these facts no stronger on
    any factor). Whether harms of one group cross, and whether a persuasive case reaches a harm a
    fortiori, is decided in `supports`."""
    return casebase(load_law()).search(pattern_key(facts))


def supports(law: Law, facts: Facts, level: str, forum: tuple[str, ...] = (),
             controlling: bool = False) -> tuple[list[Precedent], list[Precedent]]:
    """(precedents holding like conduct unlawful, precedents holding like conduct lawful) at `level`.
    At the general level, where the forum had recognised the theory, a binding case need only be within
    the rule; every other case must be analogous. At the particularized level a case must be on point,
    and harms of one group cross (from Kisela on, at the particularized level, our reading: `crossing_label`).
    Only a binding case reaches a harm a fortiori (harm_reaches): a persuasive case counts for what it held."""
    base = casebase(load_law())
    found = base.search(pattern_key(facts))
    binding = base.court_mask(forum)
    if level == "general":
        pro = ((found.within if controlling else found.analogous) & binding) | (found.analogous & ~binding)
    else:
        pro = found.on_point
    persuasive_fortiori = found.fortiori & ~binding
    return base.cases(pro & ~persuasive_fortiori), base.cases(found.contrary & ~persuasive_fortiori)


def _crossing_ours(facts: Facts, level: str, cases: list[Precedent], needed: int) -> tuple[str, ...]:
    """The label for an answer that a reading about the kind of harm decides: when fewer than `needed` of
    `cases` (counted by circuit) are about the same kind of harm, the others are treated as on point by the
    workbook's own reading - a harm reached a fortiori (harm_reaches, Hope at 741), or, at the particularized
    level after Kisela (`crossing_is_ours`), another harm of one group."""
    base = casebase(load_law())
    found = base.search(pattern_key(facts))
    crossing_ours = crossing_is_ours(knowledge(), level, facts.decision_date)
    odd = found.fortiori | (found.group if crossing_ours else 0)
    read = [p for p in cases if base.bit[p.id] & odd]
    if not read or len({p.court for p in cases if not base.bit[p.id] & odd}) >= needed:
        return ()
    hs = vocabulary()["harm_source"]
    there = ", ".join(sorted({hs.label_of(p.fact_pattern().harm_source) for p in read}))
    why = ("a case condemning an official who licensed a lesser harm reaches a graver one a fortiori, and not the "
           "reverse (our reading of Hope at 741 with Dwares, itself a case of licensed violence)"
           if any(base.bit[p.id] & found.fortiori for p in read) else
           "violence and natural perils cross at the general level (Wood on White v. Rochford); at the particularized "
           "level after Kisela ('squarely governs') a court may treat the kind of harm as material")
    return (f"Interpretive: this answer treats {_names(load_law(), [p.id for p in read])} ({there}) as deciding "
            f"{hs.label_of(facts.harm_source)}: {why}.",)


def _same_act_cases(facts: Facts, forum: tuple[str, ...]) -> list[Precedent]:
    """Out-of-circuit cases that held the same kind of act unconstitutional, on point at the particularized
    level (a shared mechanism, harm that reaches, no line, facts no weaker): what a lone persuasive case must
    be to give fair warning where the forum reads Capoeman with Wood (`same_act_case`)."""
    base = casebase(load_law())
    found = base.search(pattern_key(facts))
    return base.cases(found.on_point & found.same_or_group & ~base.court_mask(forum)
                      & base.acts.get(facts.act_kind, 0))


# --- the answer ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Basis:
    """What the clearly-established answer rests on."""

    established: bool
    route: str  # special_relationship | direct_harm | general | particularized | consensus | obvious | none
    generality: str
    precedents: tuple[str, ...]
    why: str
    shared: tuple[str, ...] = ()  # what the facts share with the precedent relied on
    distinctions: tuple[str, ...] = ()  # what the other side would say
    counterexamples: tuple[str, ...] = ()  # precedents holding like conduct lawful
    ours: tuple[str, ...] = ()  # the workbook's own interpretive choices this answer used

    def with_why(self, why: str) -> "Basis":
        """The same basis, said otherwise (dataclasses.replace, without its generic machinery)."""
        return Basis(self.established, self.route, self.generality, self.precedents, why, self.shared,
                     self.distinctions, self.counterexamples, self.ours)

    def to_dict(self) -> dict:
        return {"established": self.established, "route": self.route, "generality": self.generality,
                "precedents": list(self.precedents), "why": self.why, "shared": list(self.shared),
                "distinctions": list(self.distinctions), "counterexamples": list(self.counterexamples),
                "ours": list(self.ours)}


_THRESHOLD_NOTE = ("The number of circuits that makes a consensus is the workbook's own reading: "
                   "the Supreme Court has never given one (Wilson v. Layne; al-Kidd's 'robust consensus').")
_SAME_ACT_NOTE = ("Interpretive: we read Capoeman ('whatever decisional law is available', yet one case elsewhere "
                  "was not a settled rule) with Wood (one case about the same act was enough) as letting a lone "
                  "out-of-circuit case give fair warning only for the same kind of act, on facts no weaker, with "
                  "none contrary.")
_UNMISTAKABLE_NOTE = ("Interpretive: we read 'point unmistakably' as a consensus that no circuit contradicts, "
                      "in a circuit that had itself recognised the theory.")


def _names(law: Law, ids) -> str:
    names = [law.precedents[i].short_name for i in ids]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else ""


def _explain_support(law: Law, p: Precedent, facts: Facts) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the facts share with a precedent relied on, and what the other side would say (once per
    precedent and fact pattern: several circuits may rely on one case)."""
    return casebase(law).memo(_support_texts)(p.id, facts)


def _support_texts(law: Law, pid: str, facts: Facts) -> tuple[tuple[str, ...], tuple[str, ...]]:
    p = law.precedents[pid]
    pf = p.fact_pattern()
    cmp = compare_facts(pf, pattern_key(facts))
    return tuple(similarities(cmp, pf, facts)), tuple(describe(cmp, pf, facts, p.short_name))


def danger_route(law: Law, circuit: Circuit, facts: Facts, met_then: bool, detail: bool) -> Basis:
    """State-created danger on the conduct date, by the method on the decision date."""
    method = method_for(law, circuit, facts)
    level = method.level
    c, d = facts.conduct_date, facts.decision_date
    controlling = circuit.recognizes(c, facts.readings)
    bar = circuit.never_established_bar
    if bar and d >= bar[0] and not controlling:
        return Basis(False, "none", level, (bar[1].case,),
                     f"The {circuit.name} never adopted the theory, and a right it never established "
                     "cannot be clearly established there." if detail else "")
    if circuit.on(c).stated_test is not None and not met_then:
        return Basis(False, "none", level, (), f"These facts do not meet the {circuit.name}'s "
                     f"state-created-danger test as it stood on {c.isoformat()}, so no case there had made "
                     "them clearly unlawful." if detail else "")
    obvious_from, obvious_cite, _ = law.method.obvious_case
    if (d >= obvious_from and controlling and facts.culpability == "intent_to_harm"
            and facts.danger_effect in ("created", "increased") and facts.victim_scope == "specific_person"):
        return Basis(True, "obvious", level, (obvious_cite.case,),
                     "An obvious case: an official who meant to harm a specific person through a danger he "
                     "created had fair warning without a case on point (Hope v. Pelzer)." if detail else "",
                     ours=("Interpretive: we treat as obvious only intent to harm a specific person through a "
                           "danger the official created or increased.",) if detail else ())
    forum = (circuit.id, "scotus")
    pro, con = supports(law, facts, level, forum, controlling)
    binding = [p for p in pro if p.court in forum]
    latest_binding = max((p.decided for p in binding), default=None)
    contrary = [p for p in con if p.court in forum and (latest_binding is None or p.decided > latest_binding)]
    counter_ids = tuple(p.id for p in con) if detail else ()
    if contrary:
        return Basis(False, "none", level, tuple(p.id for p in contrary),
                     f"{_names(law, [p.id for p in contrary])}, binding here, had held like conduct lawful on "
                     "facts at least as strong for the plaintiff, and no later binding case held otherwise."
                     if detail else "", counterexamples=counter_ids,
                     ours=_crossing_ours(facts, level, contrary, 1) if detail else ())
    if level == "general" and controlling and binding:
        status = circuit.on(c).status
        shared, dist = ((), ())
        if detail and binding:
            shared, dist = _explain_support(law, binding[-1], facts)
        recognised_by = law.precedents[status.authority.case]
        cites = tuple(dict.fromkeys(([recognised_by.id] if recognised_by.good_law_on(c) else [])
                                    + [p.id for p in binding[-1:]]))
        return Basis(True, "general", level, cites,
                     f"The {circuit.name} had recognised the theory ({recognised_by.short_name}) "
                     "and these facts meet its test as it then stood: at the general level the rule gives fair "
                     "warning." if detail else "", shared, dist, counter_ids)
    if binding:
        best = binding[-1]
        shared, dist = _explain_support(law, best, facts) if detail else ((), ())
        return Basis(True, "particularized" if level == "particularized" else "general", level,
                     tuple(p.id for p in binding),
                     f"{best.short_name} ({best.decided.year}), binding here, had held like conduct unconstitutional: "
                     + ("the same mechanism, and nothing in these facts weaker for the plaintiff."
                        if level == "particularized" else "the same mechanism of danger, and its test reaches these "
                        "facts.") if detail else "",
                     shared, dist, counter_ids, _crossing_ours(facts, level, binding, 1) if detail else ())
    if method.source == "option" and level == "general" and not controlling:
        recognised = _recognition_consensus(law, circuit, facts, detail)
        if recognised is not None:
            return recognised
    return _consensus(law, circuit, facts, level, pro, con, controlling, detail, counter_ids)


def _recognition_consensus(law: Law, circuit: Circuit, facts: Facts, detail: bool) -> Basis | None:
    """The general level as a student may choose it (Judge Parker; Judge Russell): enough other circuits
    had recognised the theory, and their tests as they then stood condemn these facts. The McClendon
    majority rejected this as agreement on a name, not on the contours; the default never uses it."""
    c, d = facts.conduct_date, facts.decision_date
    if consensus_standard(circuit, d) == "none":
        return None
    others = [cid for cid, o in law.circuits.items()
              if cid != circuit.id and o.recognizes(c, facts.readings) and o.danger_test_met(facts, c)]
    need = consensus_needed(law, d, facts.readings)
    if len(others) < need:
        return None
    cases = tuple(law.circuits[o].on(c).status.authority.case for o in others)
    return Basis(True, "general", "general", cases,
                 f"At the general level you chose: {len(others)} other circuits had recognised the theory and "
                 "their tests, as they then stood, condemn these facts (the dissents' reading; the McClendon "
                 "majority held that agreement on the theory's name is not a consensus on its contours)."
                 if detail else "", ours=(_THRESHOLD_NOTE,) if detail else ())


def _consensus(law, circuit, facts, level, pro, con, controlling, detail, counter_ids) -> Basis:
    d = facts.decision_date
    standard = consensus_standard(circuit, d)
    if standard == "none":
        return Basis(False, "none", level, (),
                     ("No case binding in the " + circuit.name + " had held like conduct unconstitutional, and the "
                      f"{circuit.name} does not let other circuits' cases clearly establish its law.")
                     if detail else "", counterexamples=counter_ids)
    by_circuit: dict[str, Precedent] = {}
    for p in pro:
        if p.court not in (circuit.id, "scotus"):
            by_circuit.setdefault(p.court, p)
    dissent = sorted({p.court for p in con if p.court not in (circuit.id, "scotus")})
    need = consensus_needed(law, d, facts.readings)
    ok = len(by_circuit) >= need and not dissent
    if standard in ("unmistakable", "own_recognition"):
        ok = ok and controlling
    ours = (_THRESHOLD_NOTE,) + ((_UNMISTAKABLE_NOTE,) if standard == "unmistakable" else ())
    lone = _same_act_cases(facts, (circuit.id, "scotus")) if standard == "same_act_case" and not ok and not dissent else []
    if ok or lone:
        cases = tuple(p.id for p in by_circuit.values()) if ok else tuple(p.id for p in lone[-1:])
        shared, dist = _explain_support(law, law.precedents[cases[0]], facts) if detail else ((), ())
        ours_crossing = _crossing_ours(facts, level, [p for p in pro if p.court not in (circuit.id, "scotus")]
                                       if ok else lone, need if ok else 1)
        if not ok:
            rule = circuit.on(d).consensus
            why = (f"No binding case, but {_names(law, cases)} had held the same kind of act unconstitutional elsewhere, "
                   "on facts no stronger for the plaintiff than these, and no case had held otherwise; the "
                   f"{circuit.name} then looked to whatever decisional law was available "
                   f"({law.precedents[rule.authority.case].short_name}).")
            ours = (_SAME_ACT_NOTE,)
        else:
            why = (f"No binding case, but cases from {len(by_circuit)} other circuits ({_names(law, cases)}) had held "
                   f"like conduct unconstitutional, and none had held otherwise: a consensus of persuasive authority "
                   f"(the workbook counts {need} or more).")
        return Basis(True, "consensus", level, cases, why if detail else "",
                     shared, dist, counter_ids, (ours + ours_crossing) if detail else ())
    if not detail:
        return Basis(False, "none", level, (), "")
    why = (f"No case binding in the {circuit.name} had held like conduct unconstitutional"
           + (" on facts no stronger than these" if level == "particularized" else "") + ". ")
    if dissent:
        why += (f"Other circuits disagreed ({', '.join(CIRCUIT_NAMES[x] for x in dissent)} had held like conduct "
                "lawful), so there was no consensus.")
    else:
        why += (f"Cases from {len(by_circuit)} other circuit(s) had: the workbook counts {need} or more as a consensus"
                + (" (and, in this circuit, only where it had itself recognised the theory)"
                   if standard in ("unmistakable", "own_recognition") else
                   " (in this circuit one case elsewhere about the same kind of act would also do: none was)"
                   if standard == "same_act_case" else "") + ".")
    return Basis(False, "none", level, tuple(p.id for p in by_circuit.values()), why,
                 counterexamples=counter_ids, ours=ours)


def direct_harm_route(law: Law, circuit: Circuit, facts: Facts, detail: bool) -> Basis:
    """Harm an official inflicted himself, with the culpability the circuit's scale demands. A
    pursuit is a line of its own (Lewis): short of a purpose to harm, only a binding case that held
    a pursuit unconstitutional gives a pursuing officer fair warning."""
    c = facts.conduct_date
    direct = law.method.direct_harm.case
    # A student who chooses the general level takes the dissent's view (Judge Vanaskie in Sauers):
    # the general rule against deliberately indifferent harm warned the pursuing officer too.
    if facts.pursuit and facts.culpability != "intent_to_harm" and facts.generality != "general":
        pursuits = [p for p in law.danger_precedents + (law.precedents[direct],)
                    if p.court in (circuit.id, "scotus") and p.violation and p.decided < c and p.good_law_on(c)
                    and p.fact_pattern() is not None and p.fact_pattern().pursuit]
        if not pursuits:
            line = knowledge().pursuit_line
            return Basis(False, "none", facts.generality, (),
                         "No case binding here had held a police pursuit unconstitutional short of a purpose to "
                         "harm: Lewis sets chases apart, so cases about officials with time to think gave this "
                         "officer no fair warning." if detail else "",
                         distinctions=(line.label,) if detail and line else ())
        return Basis(True, "direct_harm", facts.generality, tuple(p.id for p in pursuits),
                     f"{pursuits[-1].short_name} had held a pursuit like this one unconstitutional." if detail else "")
    return Basis(True, "direct_harm", facts.generality, (direct,),
                 "Harm inflicted directly by an official with conscience-shocking culpability was "
                 "settled as unconstitutional by then." if detail else "")


def custody_route(law: Law, circuit: Circuit, facts: Facts, detail: bool) -> Basis | None:
    """The custodial duty on the conduct date (the forum's own law, or a consensus of others), at the
    level courts decide it: a pressing need met with nothing or a delay is the settled core of the duty;
    a need that was not pressing, or a response that fell short, is judged against custody cases with
    facts no stronger for the plaintiff (`_custody_particulars`)."""
    duty = _custody_duty(law, circuit, facts, detail)
    if duty is None or not _at_the_contours(facts):
        return duty
    return _custody_particulars(law, circuit, facts, detail)


def _custody_settled(law: Law, facts: Facts) -> dict:
    """circuit id -> the custody version whose duty these facts meet on the conduct date (or one its court
    held clearly established from an earlier date), for every circuit where there is one."""
    c = facts.conduct_date
    return {cid: v for cid, circuit in law.circuits.items()
            for v in [circuit.custody_test_met(facts, c) or _established_early(circuit, facts)] if v is not None}


def _custody_duty(law: Law, circuit: Circuit, facts: Facts, detail: bool) -> Basis | None:
    settled = casebase(law).memo(_custody_settled)(facts)  # once per fact pattern, for all twelve
    version = settled.get(circuit.id)
    if version is not None:
        cite = law.method.custody.get(facts.custody, version.authority)
        return Basis(True, "special_relationship", facts.generality, (cite.case,),
                     "The duty to protect a person the state holds in this kind of custody was settled "
                     f"in the {circuit.name} by then." if detail else "")
    if facts.custody == "none" or consensus_standard(circuit, facts.decision_date) == "none":
        return None
    others = [(cid, v) for cid, v in settled.items() if cid != circuit.id]
    need = consensus_needed(law, facts.decision_date, facts.readings)
    if len(others) < need:
        return None
    return Basis(True, "special_relationship", facts.generality, tuple(v.authority.case for _, v in others),
                 f"{len(others)} other circuits had held this kind of custody creates a duty to protect: "
                 f"a consensus of persuasive authority (the workbook counts {need} or more)." if detail else "",
                 ours=(_THRESHOLD_NOTE,) if detail else ())


_CUSTODY_FACTS = ("custody_need", "custody_response")
_CONTOURS_NOTE = ("Interpretive: we read a pressing need met with nothing, or only after a delay, as the settled "
                  "core of the custodial duty, and judge a need that was not pressing, or a response that fell "
                  "short, against custody cases with facts no stronger for the plaintiff.")


def _at_the_contours(facts: Facts) -> bool:
    """Whether the custody question is asked at the level of the facts: the student's level if chosen;
    by default, a need that was not pressing or a response that fell short."""
    if facts.generality != "default":
        return facts.generality == "particularized"
    return facts.custody_need != "pressing" or facts.custody_response == "partial"


@lru_cache(maxsize=1)
def _custody_precedents() -> tuple[tuple[Precedent, Facts], ...]:
    """Custody cases that held conduct unconstitutional, with their facts, by decision date."""
    law = load_law()
    return tuple((p, p.fact_pattern()) for p in sorted(law.precedents.values(), key=lambda p: (p.decided, p.id))
                 if p.theory == "special_relationship" and p.violation is True and p.facts_raw is not None
                 and p.court != "scotus" and p.verification != "memory")


def _custody_no_stronger(precedent: Facts, facts: Facts) -> bool:
    """The same kind of custody, and these facts no weaker for the plaintiff on the need and the response."""
    vocab = vocabulary()
    return precedent.custody == facts.custody and all(
        vocab[f].rank(getattr(facts, f)) >= vocab[f].rank(getattr(precedent, f)) for f in _CUSTODY_FACTS)


def _custody_particulars(law: Law, circuit: Circuit, facts: Facts, detail: bool) -> Basis:
    c, d = facts.conduct_date, facts.decision_date
    level = "particularized"
    on_point = [p for p, pf in _custody_precedents()
                if p.decided < c and p.good_law_on(c) and _custody_no_stronger(pf, facts)]
    vocab = vocabulary()
    these = "; ".join(f"{vocab[f].label.lower()}: {vocab[f].label_of(getattr(facts, f))}" for f in _CUSTODY_FACTS)
    binding = [p for p in on_point if p.court == circuit.id]
    ours = (_CONTOURS_NOTE,) if detail else ()
    if binding:
        best = binding[-1]
        return Basis(True, "special_relationship", level, tuple(p.id for p in binding),
                     f"{best.short_name} ({best.decided.year}), binding here, had held like custodial conduct "
                     f"unconstitutional on facts no stronger for the plaintiff ({these})." if detail else "",
                     ours=ours)
    standard = consensus_standard(circuit, d)
    by_circuit: dict = {}
    if standard != "none":
        for p in on_point:
            if p.court != circuit.id:
                by_circuit[p.court] = p
    need = consensus_needed(law, d, facts.readings)
    if standard != "none" and len(by_circuit) >= need:
        return Basis(True, "special_relationship", level, tuple(p.id for p in by_circuit.values()),
                     f"Custody cases from {len(by_circuit)} other circuits had held like conduct unconstitutional "
                     f"on facts no stronger for the plaintiff ({these}): a consensus of persuasive authority "
                     f"(the workbook counts {need} or more)." if detail else "",
                     ours=ours + ((_THRESHOLD_NOTE,) if detail else ()))
    if not detail:
        return Basis(False, "none", level, (), "")
    contours = custody_contours()
    why = (f"The {circuit.name} had settled the duty to a person in this kind of custody, but here ({these}) the "
           f"question is asked at the level of the facts: {contours.note} ({law.cite(contours.authority)}). No case "
           f"binding in the {circuit.name} had held like custodial conduct unconstitutional on facts no stronger for "
           "the plaintiff" + ("." if standard == "none" else
                              ", nor had any other circuit's." if not by_circuit else
                              f", and cases from {len(by_circuit)} other circuit(s) did not make a consensus "
                              f"(the workbook counts {need} or more)."))
    return Basis(False, "none", level, (contours.authority.case,) + tuple(p.id for p in by_circuit.values()), why,
                 ours=ours)


def _established_early(circuit: Circuit, facts: Facts):
    """A custody version whose court held the duty clearly established for conduct before it was decided
    (K.H. v. Morgan), met by these facts, decided by the decision date."""
    for version in circuit.special_relationship:
        early = getattr(version, "established_from", None)
        if (early and early[0] <= facts.conduct_date and version.start <= facts.decision_date
                and version.met(facts, circuit.regime_on(facts.conduct_date))):
            return version
    return None


# --- a student's citation ------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    id: str
    label: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class OnPoint:
    """Whether `precedent` shows the right was clearly established for `facts`."""

    precedent: str
    on_point: bool  # binding and every check passed
    counts_toward_consensus: bool  # persuasive, counted, and every other check passed
    checks: tuple[Check, ...]
    distinctions: tuple[str, ...]
    similarities: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"precedent": self.precedent, "on_point": self.on_point,
                "counts_toward_consensus": self.counts_toward_consensus,
                "checks": [c.__dict__ for c in self.checks], "distinctions": list(self.distinctions),
                "similarities": list(self.similarities)}


def _date_checks(precedent: Precedent, c: date) -> tuple[Check, Check]:
    """Could the official have known the case: decided before the conduct, and still good law then?"""
    alive = precedent.good_law_on(c)
    return (
        Check("decided_before_conduct", "Decided before the conduct", precedent.decided < c,
              f"{precedent.short_name} was decided {precedent.decided.isoformat()}; the conduct was {c.isoformat()}."),
        Check("good_law", "Still good law when the official acted", alive,
              "No later history had undone it by then." if alive else
              "; ".join(f"{h.event} {h.day.isoformat()}" + (f" by {h.by}" if h.by else "")
                        for h in precedent.dead_events() if h.day <= c) + "."),
    )


_HARM_WORDS = {"same": "the same kind of harm", "group": "another harm of one group",
               "reaches": "a lesser harm, which reaches this one a fortiori",
               "reached_by": "a graver harm", "apart": "a harm of another group"}


def _comparison_checks(precedent: Precedent, facts: Facts, level: str, binding: bool, counter: bool = False):
    """(comparison or None, checks): whether `precedent` is a danger case with facts, and if so whether it
    shares a mechanism with `facts` and its harm reaches them (for a citation) or cuts against them (for a
    counterexample, `counter`) at `level` on the decision date - what a citation and a counterexample both need.
    A harm reached a fortiori counts only for a `binding` case (`supports`)."""
    pf = precedent.fact_pattern()
    name = precedent.short_name
    if pf is None or precedent.theory != "state_created_danger":
        return None, [Check("same_mechanism", "The same mechanism of danger", False,
                            f"{name} is not a state-created-danger case with encoded facts.")]
    k = knowledge()
    cmp = compare_facts(pf, pattern_key(facts))
    label = lambda ids: ", ".join(k.grouping(m).label for m in ids) or "no affirmative act"  # noqa: E731
    fortiori = cmp.harm in ("reaches", "reached_by")
    harm_ok = (cmp.harm_cuts if counter else cmp.harm_supports) and (binding or not fortiori)
    why = f"{name}: {k.harm_group(pf.harm_source).label}; here: {_HARM_WORDS[cmp.harm]}."
    if fortiori and not binding:
        why += " A persuasive case counts for the harm it decided; only a binding one reaches another a fortiori."
    if cmp.harm_crossed and crossing_is_ours(k, level, facts.decision_date):
        why += " At the particularized level after Kisela, treating it as on point is the workbook's reading."
    return cmp, [
        Check("same_mechanism", "The same mechanism of danger", bool(cmp.shared_mechanisms),
              f"{name}: the state {label(cmp.precedent_mechanisms)}; here: {label(cmp.new_mechanisms)}."),
        Check("same_harm", "Harm of a kind that crosses", harm_ok, why),
    ]


def on_point(law: Law, circuit: Circuit, precedent: Precedent, facts: Facts) -> OnPoint:
    """Check one precedent the way a court (or a student's brief) would use it: the same comparison
    the engine makes for `clearly_established`."""
    k = knowledge()
    c = facts.conduct_date
    level = method_for(law, circuit, facts).level
    binding = precedent.court in (circuit.id, "scotus")
    counted = consensus_standard(circuit, facts.decision_date) != "none"
    name = precedent.short_name
    checks = [
        *_date_checks(precedent, c),
        Check("authority", "Binding, or part of a consensus the circuit counts", binding or counted,
              (f"It binds the {CIRCUIT_NAMES[circuit.id]}." if binding else
               f"It is persuasive only; the {CIRCUIT_NAMES[circuit.id]} "
               + ("counts a consensus of persuasive authority." if counted else
                  "does not let other circuits' cases clearly establish its law."))),
        Check("held_violation", "It held like conduct unconstitutional", precedent.violation is True,
              f"{name} " + ("found a violation." if precedent.violation else
                            "found no violation." if precedent.violation is False else
                            "did not decide whether there was a violation.")),
    ]
    cmp, compared = _comparison_checks(precedent, facts, level, binding)
    checks += compared
    diffs: list[str] = []
    alike: list[str] = []
    if cmp is not None:
        pf = precedent.fact_pattern()
        reaches = _test_reaches(law, precedent, pattern_key(facts))
        checks += [
            Check("no_line", "No doctrinal line between them", not cmp.employee_line,
                  k.employee_line.label if cmp.employee_line else "None crossed."),
            Check("test_reaches", "Its court's test reaches these facts", reaches,
                  f"The test {name} applied " + ("is met by these facts." if reaches else "is not met by these facts.")),
        ]
        strong = not cmp.weaker
        checks.append(Check("facts_as_strong", "Facts at least as strong for the plaintiff", strong,
                            "Nothing in these facts is weaker." if strong else
                            f"{len(cmp.weaker)} fact(s) weaker" + (" (this circuit judges at the general level, "
                                                                   "so these do not decide)." if level == "general"
                                                                   else ".")))
        diffs = describe(cmp, pf, facts, name)
        alike = similarities(cmp, pf, facts)
    for chk in checks[:4]:
        if not chk.passed and chk.id != "authority":
            diffs.insert(0, chk.detail)
    needed = [ch for ch in checks if ch.id != "authority" and not (ch.id == "facts_as_strong" and level == "general")]
    others_pass = all(ch.passed for ch in needed)
    return OnPoint(precedent.id, others_pass and binding, others_pass and not binding and counted,
                   tuple(checks), tuple(diffs), tuple(alike))


# --- the other side's counterexample (the argument exercises and the QI lab's spar mode) -----

def counterexample_checks(law: Law, circuit: Circuit, precedent: Precedent, facts: Facts) -> tuple[Check, ...]:
    """Whether `precedent` is a counterexample the engine counts (`search`): decided before the
    conduct, good law then, holding like conduct lawful, sharing a mechanism and a harm group, on
    facts at least as strong for the plaintiff as these. `binding` is reported too: only a binding
    counterexample defeats the plaintiff's route (danger_route)."""
    c = facts.conduct_date
    name = precedent.short_name
    checks = [
        *_date_checks(precedent, c),
        Check("binding", "Binding in the forum", precedent.court in (circuit.id, "scotus"),
              f"It binds the {CIRCUIT_NAMES[circuit.id]}." if precedent.court in (circuit.id, "scotus") else
              f"It is a {CIRCUIT_NAMES.get(precedent.court, precedent.court)} case, persuasive only in the "
              f"{CIRCUIT_NAMES[circuit.id]}."),
        Check("held_no_violation", "It held like conduct lawful", precedent.violation is False,
              f"{name} " + ("found no violation." if precedent.violation is False else
                            "found a violation." if precedent.violation else
                            "did not decide whether there was a violation.")),
        Check("verified", "Its holding checked against the opinion", precedent.verification != "memory",
              "The workbook's entry rests on memory, not the opinion's text." if precedent.verification == "memory"
              else "The entry was checked against the opinion or a summary of it."),
    ]
    cmp, compared = _comparison_checks(precedent, facts, method_for(law, circuit, facts).level,
                                       precedent.court in (circuit.id, "scotus"), counter=True)
    checks += compared
    if cmp is None:
        return tuple(checks)
    pf = precedent.fact_pattern()
    vocab = vocabulary()
    stronger = [f"{vocab[f].label.lower()} ('{vocab[f].label_of(getattr(facts, f))}' here, "
                f"'{vocab[f].label_of(getattr(pf, f))}' in {name})" for f in cmp.stronger]
    checks.append(Check("not_stronger", "These facts no stronger for the plaintiff", not cmp.stronger,
                        "Nothing in these facts is stronger." if not cmp.stronger else
                        "These facts are stronger on " + "; ".join(stronger) + "."))
    return tuple(checks)


def is_counterexample(checks: tuple[Check, ...]) -> bool:
    """Every check but `binding` passed: a case the engine lists among the counterexamples."""
    return all(ch.passed for ch in checks if ch.id != "binding")


def counterexample_rank(checks: tuple[Check, ...], stronger: int = 0) -> tuple[int, int, int, int]:
    """How good a counterexample the other side has: a full one first, a binding one before a
    persuasive one, then the fewest failed checks, then the fewest factors stronger here."""
    passed = {ch.id: ch.passed for ch in checks}
    return (int(is_counterexample(checks)), int(passed.get("binding", False)), sum(passed.values()), -stronger)


def stronger_count(precedent: Precedent, facts: Facts) -> int:
    """How many factors are stronger here than in the precedent (99: it has no encoded facts)."""
    pf = precedent.fact_pattern()
    return len(compare_facts(pf, pattern_key(facts)).stronger) if pf is not None else 99


def best_counterexample(law: Law, circuit: Circuit, facts: Facts,
                        candidates: tuple[str, ...] | None = None) -> tuple[Precedent, tuple[Check, ...]] | None:
    """The case holding like conduct lawful that the other side would cite (by `counterexample_rank`),
    from `candidates` (default: every danger precedent that found no violation), or None."""
    pool = ([law.precedents[i] for i in candidates] if candidates is not None else
            [p for p in law.danger_precedents if p.violation is False])
    scored = [(counterexample_rank(chk, stronger_count(p, facts)), -i, p, chk) for i, p in enumerate(pool)
              for chk in [counterexample_checks(law, circuit, p, facts)] if p.violation is False]
    if not scored:
        return None
    _, _, p, chk = max(scored, key=lambda t: (t[0], t[1]))
    return p, chk

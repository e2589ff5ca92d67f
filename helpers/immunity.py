"""Prong two: was the right clearly established on the conduct date?

Three routes, each judged with the law on the conduct date and the method the
law on the decision date calls for:
- general: the forum recognised the theory (controlling authority), or enough other
  circuits had (a consensus, where the forum counts one), and these facts meet the
  test as it then stood (the Kennedy majority; Judge Parker in McClendon);
- particularized: an earlier case on point held like conduct unlawful: binding, or a
  consensus of on-point cases from other circuits (Judge Bybee; the McClendon majority;
  Ashcroft v. al-Kidd). "On point" compares encoded facts the way HYPO and CATO compare
  cases: the same kind of act and harm, and facts at least as strong for the plaintiff;
- obvious (Hope v. Pelzer): intent to harm a specific person through a danger the
  official created, where the forum recognised the theory.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .facts import CIRCUIT_NAMES, Facts, vocabulary
from .law import Circuit, Law, Precedent, in_force

#: More time to deliberate makes the plaintiff's case stronger (Lewis).
_DELIBERATION_STRENGTH = {"emergency": 0, "hurried": 1, "unhurried": 2}


def _strength_facts() -> tuple[str, ...]:
    return tuple(f for f, spec in vocabulary().items() if spec.ordered)


@lru_cache(maxsize=1 << 16)
def _strength(facts: Facts) -> tuple[int, ...]:
    vocab = vocabulary()
    return tuple(vocab[f].rank(getattr(facts, f)) for f in _strength_facts()) + (
        _DELIBERATION_STRENGTH[facts.deliberation],)


def at_least_as_strong(new: Facts, old: Facts) -> bool:
    """Every plaintiff-favouring fact of `new` is at least as strong as in `old` (HYPO's 'more on point')."""
    return all(a >= b for a, b in zip(_strength(new), _strength(old)))


@dataclass(frozen=True)
class Distinction:
    fact: str
    precedent_value: object
    new_value: object
    text: str


def distinctions(precedent_facts: Facts, new: Facts, name: str) -> list[Distinction]:
    """Where the new facts are weaker for the plaintiff than the precedent's."""
    vocab = vocabulary()
    out = []
    for f in _strength_facts():
        spec = vocab[f]
        old, cur = getattr(precedent_facts, f), getattr(new, f)
        if spec.rank(cur) < spec.rank(old):
            out.append(Distinction(f, old, cur, f"In {name}, {spec.label.lower()} was "
                                   f"'{spec.label_of(old)}'; here it is '{spec.label_of(cur)}'."))
    old_d, new_d = precedent_facts.deliberation, new.deliberation
    if _DELIBERATION_STRENGTH[new_d] < _DELIBERATION_STRENGTH[old_d]:
        spec = vocab["deliberation"]
        out.append(Distinction("deliberation", old_d, new_d, f"In {name} the official had "
                               f"{spec.label_of(old_d)}; here, {spec.label_of(new_d)}."))
    return out


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

    def to_dict(self) -> dict:
        return {"precedent": self.precedent, "on_point": self.on_point,
                "counts_toward_consensus": self.counts_toward_consensus,
                "checks": [c.__dict__ for c in self.checks], "distinctions": list(self.distinctions)}


def on_point(law: Law, circuit: Circuit, precedent: Precedent, facts: Facts) -> OnPoint:
    """Check one precedent the way a court (or a student's brief) would use it."""
    vocab = vocabulary()
    c = facts.conduct_date
    p_facts = precedent.fact_pattern()
    binding = precedent.court in (circuit.id, "scotus")
    counted = circuit.counts_consensus(facts.decision_date)
    checks = [
        Check("decided_before_conduct", "Decided before the conduct", precedent.decided < c,
              f"{precedent.short_name} was decided {precedent.decided.isoformat()}; the conduct was {c.isoformat()}."),
        Check("good_law", "Still good law when the official acted", precedent.good_law_on(c),
              "No later history had undone it by then." if precedent.good_law_on(c) else
              "; ".join(f"{h.event} {h.day.isoformat()}" + (f" by {h.by}" if h.by else "")
                        for h in precedent.dead_events() if h.day <= c) + "."),
        Check("authority", "Binding, or part of a consensus the circuit counts", binding or counted,
              (f"It binds the {CIRCUIT_NAMES[circuit.id]}." if binding else
               f"It is persuasive only; the {CIRCUIT_NAMES[circuit.id]} "
               + ("counts a consensus of persuasive authority." if counted else
                  "does not count out-of-circuit authority on that date."))),
        Check("held_violation", "It held like conduct unconstitutional", precedent.violation is True,
              f"{precedent.short_name} " + ("found a violation." if precedent.violation else
                                           "found no violation." if precedent.violation is False else
                                           "did not decide whether there was a violation.")),
    ]
    diffs: list[str] = []
    if p_facts is None:
        checks.append(Check("same_act", "The same kind of act", False, f"{precedent.short_name} encodes no fact pattern."))
    else:
        name = precedent.short_name
        for check_id, label, fact, distinguish in (
            ("same_act", "The same kind of act", "act_kind",
             "{name} concerned an official who {old}; this official {new}."),
            ("same_harm", "The same kind of harm", "harm_source", "In {name} the harm was {old}; here it was {new}."),
        ):
            spec = vocab[fact]
            old, new = spec.label_of(getattr(p_facts, fact)), spec.label_of(getattr(facts, fact))
            same = getattr(p_facts, fact) == getattr(facts, fact)
            checks.append(Check(check_id, label, same, f"{name}: {old}; here: {new}."))
            if not same:
                diffs.append(distinguish.format(name=name, old=old, new=new))
        weaker = distinctions(p_facts, facts, precedent.short_name)
        checks.append(Check("facts_as_strong", "Facts at least as strong for the plaintiff", not weaker,
                            "Nothing in these facts is weaker." if not weaker else f"{len(weaker)} fact(s) weaker."))
        diffs.extend(d.text for d in weaker)
    for chk in checks[:4]:
        if not chk.passed and chk.id != "authority":
            diffs.insert(0, chk.detail)
    others_pass = all(ch.passed for ch in checks if ch.id != "authority")
    return OnPoint(precedent.id, others_pass and binding, others_pass and not binding and counted,
                   tuple(checks), tuple(diffs))


@dataclass(frozen=True)
class Basis:
    """What the clearly-established answer rests on."""

    established: bool
    route: str  # special_relationship | direct_harm | general | particularized | obvious | none
    generality: str
    precedents: tuple[str, ...]
    why: str

    def to_dict(self) -> dict:
        return {"established": self.established, "route": self.route, "generality": self.generality,
                "precedents": list(self.precedents), "why": self.why}


def generality_for(law: Law, facts: Facts) -> str:
    if facts.generality != "default":
        return facts.generality
    g = in_force(law.method.generality, facts.decision_date)
    return g.level if g else "general"


def consensus_needed(law: Law, day: date) -> int:
    s = in_force(law.method.consensus_size, day)
    return s.circuits if s else 10**6


def recognizing_circuits(law: Law, day: date, excluding: str) -> list[str]:
    return [cid for cid, c in law.circuits.items() if cid != excluding and c.recognizes(day)]


def candidates(law: Law, court: str, facts: Facts) -> list[Precedent]:
    """Precedents of `court` on point for `facts`: decided before the conduct, still good law then,
    holding a violation for the same kind of act and harm on facts no stronger than these.
    (The same test as `on_point`, without the explanations.)"""
    found = law.violation_index.get((court, facts.act_kind, facts.harm_source), ())
    c = facts.conduct_date
    return [p for p in found if p.decided < c and p.good_law_on(c) and at_least_as_strong(facts, p.fact_pattern())]


def danger_route(law: Law, circuit: Circuit, facts: Facts, met_then: bool, detail: bool) -> Basis:
    """State-created danger on the conduct date, by the generality the case calls for."""
    level = generality_for(law, facts)
    c, d = facts.conduct_date, facts.decision_date
    controlling = circuit.recognizes(c)
    bar = circuit.never_established_bar
    # Fisher: even a court assuming the theory for prong one cannot find it clearly established.
    if bar and d >= bar[0] and not controlling:
        return Basis(False, "none", level, (bar[1].case,),
                     f"The {circuit.name} never adopted the theory, and a right it never established "
                     "cannot be clearly established." if detail else "")
    # The forum's own test, where it had stated one by then, binds even before it recognised the
    # theory: a consensus elsewhere cannot clearly establish what the forum's precedent rejects
    # (Pinder's limit on affirmative acts, say).
    if in_force(circuit.tests, c) is not None and not met_then:
        return Basis(False, "none", level, (), f"These facts do not meet the {circuit.name}'s "
                     f"state-created-danger test as it stood on {c.isoformat()}." if detail else "")
    counted = circuit.counts_consensus(d)
    need = consensus_needed(law, d)
    obvious_from, obvious_cite, _ = law.method.obvious_case
    if (d >= obvious_from and controlling and facts.culpability == "intent_to_harm"
            and facts.danger_effect == "created" and facts.victim_scope == "specific_person"):
        return Basis(True, "obvious", level, (obvious_cite.case,),
                     "An obvious case: an official who meant to harm a specific person through a danger "
                     "he created had fair warning without a case on point." if detail else "")
    if level == "general":
        if controlling:
            status = in_force(circuit.status, c)
            return Basis(True, "general", level, (status.authority.case,),
                         f"The {circuit.name} had recognised the theory ({law.precedents[status.authority.case].short_name}) "
                         "and these facts meet its test as it then stood." if detail else "")
        if counted:
            # A consensus for these facts: other circuits that had recognised the theory and
            # whose own test, as it then stood, these facts meet (the McClendon majority's point
            # that circuits disagreeing on the contours do not make a consensus).
            others = [o for o in recognizing_circuits(law, c, circuit.id)
                      if law.circuits[o].danger_test_met(facts, c)]
            if len(others) >= need:
                cases = tuple(in_force(law.circuits[o].status, c).authority.case for o in others)
                return Basis(True, "general", level, cases,
                             f"{len(others)} other circuits had recognised the theory and their tests, as they then "
                             f"stood, condemn these facts: a consensus of persuasive authority (at least {need} "
                             "needed)." if detail else "")
            return Basis(False, "none", level, (),
                         f"The {circuit.name} had not recognised the theory, and only {len(others)} other circuits "
                         f"had a test these facts met (at least {need} needed for a consensus)." if detail else "")
        return Basis(False, "none", level, (),
                     f"The {circuit.name} had not recognised the theory and does not count out-of-circuit "
                     "authority." if detail else "")
    # particularized
    binding = [p for court in (circuit.id, "scotus") for p in candidates(law, court, facts)]
    if binding:
        return Basis(True, "particularized", level, tuple(p.id for p in binding),
                     f"{binding[-1].short_name} had held like conduct unconstitutional on facts no stronger "
                     "than these." if detail else "")
    if counted:
        supporting: dict[str, Precedent] = {}
        for cid in law.circuits:
            if cid == circuit.id:
                continue
            for p in candidates(law, cid, facts):
                supporting.setdefault(cid, p)
        if len(supporting) >= need:
            return Basis(True, "particularized", level, tuple(p.id for p in supporting.values()),
                         f"On-point cases from {len(supporting)} other circuits formed a consensus "
                         f"(at least {need} needed)." if detail else "")
        if detail:
            extra = f" On-point cases from {len(supporting)} other circuit(s); at least {need} needed for a consensus."
        else:
            extra = ""
    else:
        extra = " The circuit does not count out-of-circuit authority." if detail else ""
    return Basis(False, "none", level, (),
                 "No earlier case binding here held like conduct unconstitutional on facts no stronger "
                 "than these." + extra if detail else "")


def custody_route(law: Law, circuit: Circuit, facts: Facts, detail: bool) -> Basis | None:
    """The custodial duty on the conduct date: the forum's own law, or a consensus of others."""
    c = facts.conduct_date
    version = circuit.custody_test_met(facts, c)
    if version is not None:
        cite = law.method.custody.get(facts.custody, version.authority)
        return Basis(True, "special_relationship", facts.generality, (cite.case,),
                     "The duty to protect a person the state holds in this kind of custody was settled "
                     f"in the {circuit.name} by then." if detail else "")
    if facts.custody == "none" or not circuit.counts_consensus(facts.decision_date):
        return None
    others = [(cid, v) for cid, other in law.circuits.items() if cid != circuit.id
              for v in [other.custody_test_met(facts, c)] if v is not None]
    need = consensus_needed(law, facts.decision_date)
    if len(others) < need:
        return None
    return Basis(True, "special_relationship", facts.generality, tuple(v.authority.case for _, v in others),
                 f"{len(others)} other circuits had held this kind of custody creates a duty to protect: "
                 f"a consensus of persuasive authority (at least {need} needed)." if detail else "")

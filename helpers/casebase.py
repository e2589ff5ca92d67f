"""The danger precedents compiled once for prong two's analogy search.

`analogy.compare_facts` compares one precedent with new facts. Prong two asks that of every
state-created-danger precedent for every fact pattern (and `flips` for forty patterns at a time),
so here the precedents' side of the comparison is worked out once, from data/, when the law is
loaded: each precedent is one bit (its place in `Law.danger_precedents`, by decision date), and
each question the comparison asks of a precedent is the set of precedents for which the answer is
yes - which mechanisms its facts show, its kind of harm as it stands to each kind the new facts may
have, whether it is stronger than each rank on each factor, whether its victim was a public employee,
whether it was decided before a day and still good law then, and which test its court applied.
Comparing new facts with every precedent is then a handful of set operations (Python ints as bit
sets), and the sets are read back in the order of `Law.danger_precedents`, as the one-by-one
comparison listed them. tests/unit/test_casebase.py checks the two agree.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial

from .analogy import harm_relation, knowledge, profile, strength, strength_facts
from .facts import Facts, vocabulary
from .law import DEAD_EVENTS, Law, Precedent
from .memos import remember

#: How a precedent's harm may stand to the new facts' (analogy.harm_relation).
RELATIONS = ("same", "group", "reaches", "reached_by", "apart")


@dataclass(frozen=True)
class Search:
    """The precedents, as bit sets, that one fact pattern's analogy search finds (eligible ones only:
    decided before the conduct, good law then, not known from memory alone)."""

    within: int  # held a violation; harm that reaches these facts and no doctrinal line
    analogous: int  # also a shared mechanism, and the precedent's own test reaches these facts
    on_point: int  # also no weaker on any factor
    contrary: int  # held like conduct lawful: a shared mechanism, harm it cuts against, these facts no stronger
    fortiori: int  # the harms stand a fortiori (reaches / reached_by): only a binding case counts so
    same_or_group: int  # the same kind of harm, or another of one group
    group: int  # another kind of harm of one group (it crosses at the general level)


class CaseBase:
    """The danger precedents of one body of law, compiled for the analogy search."""

    def __init__(self, law: Law):
        k, vocab = knowledge(), vocabulary()
        self.law = law
        self.precedents: tuple[Precedent, ...] = law.danger_precedents
        self.decided = tuple(p.decided for p in self.precedents)
        self.bit = {p.id: 1 << i for i, p in enumerate(self.precedents)}
        assert list(self.decided) == sorted(self.decided), "danger precedents must be sorted by decision date"
        facts = [p.fact_pattern() for p in self.precedents]
        profiles = [profile(f) for f in facts]
        self.violation = _mask(p.violation for p in self.precedents)
        self.lawful = _mask(not p.violation for p in self.precedents)
        self.memory = _mask(p.verification == "memory" for p in self.precedents)
        self.employee = _mask(pr.employee for pr in profiles)
        self.deaths = tuple((min(h.day for h in p.history if h.event in DEAD_EVENTS), 1 << i)
                            for i, p in enumerate(self.precedents) if any(h.event in DEAD_EVENTS for h in p.history))
        self.courts: dict[str, int] = {}
        self.acts: dict[str, int] = {}
        for i, (p, f) in enumerate(zip(self.precedents, facts)):
            self.courts[p.court] = self.courts.get(p.court, 0) | 1 << i
            self.acts[f.act_kind] = self.acts.get(f.act_kind, 0) | 1 << i
        self.mechanisms = {m.id: _mask(m.id in pr.mechanisms for pr in profiles) for m in k.mechanisms}
        harms = vocab["harm_source"].values
        self.harm = {new: {rel: _mask(harm_relation(k, f.harm_source, new) == rel for f in facts) for rel in RELATIONS}
                     for new in harms}
        ranks = [pr.strength for pr in profiles]
        top = [max((r[j] for r in ranks), default=0) for j in range(len(strength_facts()))]
        #: per factor, per rank of the new facts: the precedents ranked above it / below it
        self.above = tuple({r: _mask(x[j] > r for x in ranks) for r in range(top[j] + len(vocab[f].values) + 2)}
                           for j, f in enumerate(strength_facts()))
        self.below = tuple({r: _mask(x[j] < r for x in ranks) for r in range(top[j] + len(vocab[f].values) + 2)}
                           for j, f in enumerate(strength_facts()))
        # The test each precedent's court applied (`immunity._test_reaches`): one group per test.
        groups: dict[int, tuple] = {}
        untested = 0
        for i, p in enumerate(self.precedents):
            circ = law.circuits.get(p.court)
            if circ is None:
                untested |= 1 << i
                continue
            version, regime = circ.test_on(p.decided), circ.regime_on(p.decided)
            key = (id(version), id(regime))
            v, r, m = groups.get(key, (version, regime, 0))
            groups[key] = (v, r, m | 1 << i)
        self.tests = tuple(groups.values())
        self.untested = untested
        self.search = remember(lru_cache(maxsize=4096)(self._search))
        self._memos: dict = {}

    def memo(self, fn):
        """`fn(law, ...)` for this body of law, memoized by its other arguments, whole fact patterns (for
        what prong two asks once per fact pattern and uses for each of the twelve circuits)."""
        cached = self._memos.get(fn)
        if cached is None:
            cached = self._memos[fn] = remember(lru_cache(maxsize=4096)(partial(fn, self.law)))
        return cached

    def eligible(self, day: date) -> int:
        """Decided before `day`, still good law on it, and not known from memory alone."""
        before = (1 << bisect_left(self.decided, day)) - 1
        dead = 0
        for when, bit in self.deaths:
            if when <= day:
                dead |= bit
        return before & ~dead & ~self.memory

    def _search(self, key: Facts) -> Search:
        """The analogy search for a fact pattern's key (`immunity.pattern_key`): what `compare_facts` and
        the precedent's own test say of every eligible precedent, as bit sets."""
        new = profile(key)
        eligible = self.eligible(key.conduct_date)
        shared = 0
        for m in new.mechanisms:
            shared |= self.mechanisms[m]
        harm = self.harm[key.harm_source]
        supports = harm["same"] | harm["group"] | harm["reaches"]
        cuts = harm["same"] | harm["group"] | harm["reached_by"]
        line = ~self.employee if new.employee else 0
        weaker = stronger = 0
        for j, r in enumerate(new.strength):
            weaker |= self.above[j][r]
            stronger |= self.below[j][r]
        held = eligible & self.violation
        within = held & supports & ~line
        candidates = within & shared
        reaches = self.untested
        for version, regime, members in self.tests:
            if members & candidates and version.met(key, regime):  # only where it can decide
                reaches |= members
        analogous = candidates & reaches
        return Search(within, analogous, analogous & ~weaker, eligible & self.lawful & shared & cuts & ~stronger,
                      harm["reaches"] | harm["reached_by"], harm["same"] | harm["group"], harm["group"])

    def court_mask(self, courts: tuple[str, ...]) -> int:
        out = 0
        for c in courts:
            out |= self.courts.get(c, 0)
        return out

    def cases(self, bits: int) -> list[Precedent]:
        """The precedents in a bit set, in the order of `Law.danger_precedents`."""
        out = []
        while bits:
            low = bits & -bits
            out.append(self.precedents[low.bit_length() - 1])
            bits ^= low
        return out


def _mask(flags) -> int:
    out = 0
    for i, flag in enumerate(flags):
        if flag:
            out |= 1 << i
    return out


_COMPILED: dict[int, tuple[Law, CaseBase]] = {}


def casebase(law: Law) -> CaseBase:
    """The compiled case base of `law` (compiled on first use; one per body of law, so a law changed
    in a test gets its own, never another's)."""
    hit = _COMPILED.get(id(law))
    if hit is None or hit[0] is not law:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        hit = _COMPILED[id(law)] = (law, CaseBase(law))
    return hit[1]

"""Is an earlier case on point? The comparison courts make, with its knowledge in data/analogy.yaml.

HYPO and CATO compare a problem with a precedent by the factors they share and do not
share. Here the factors are the contract's facts; the abstract factors are the
mechanisms by which the state brought a danger about (exposing the victim, emboldening
the assailant, lowering the victim's guard); harm crosses within a group; some
differences are doctrinal lines. What a comparison finds is returned with its reasons,
so that the QI lab, the argument exercises and the engine say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from .facts import Facts, vocabulary
from .loading import (DATA_DIR, DataError, Field, check_mapping, iso_date, list_of, load_yaml_file, optional_text,
                      text, where)
from .memos import remember
from .rules import compile_rule


@dataclass(frozen=True)
class Grouping:
    id: str
    label: str
    case: str
    pin: str | None
    note: str | None


@dataclass(frozen=True)
class Mechanism(Grouping):
    test: Any = None


@dataclass(frozen=True)
class HarmGroup(Grouping):
    harms: frozenset = frozenset()


@dataclass(frozen=True)
class HarmReach(Grouping):
    """A precedent about harm `source` reaches new facts about harm in `to` (a fortiori), one way only."""

    source: str = ""
    to: frozenset = frozenset()


@dataclass(frozen=True)
class DatedRule(Grouping):
    start: date = date.min


@dataclass(frozen=True)
class Equivalence(Grouping):
    fact: str = ""
    values: frozenset = frozenset()


@dataclass(frozen=True)
class Knowledge:
    mechanisms: tuple[Mechanism, ...]
    harm_groups: tuple[HarmGroup, ...]
    employee_line: Grouping
    equivalences: dict  # fact -> Equivalence
    pursuit_line: Grouping | None = None
    harm_reaches: tuple[HarmReach, ...] = ()
    particularized_harm: DatedRule | None = None  # from when harms within a group stop crossing on point

    def mechanisms_of(self, facts: Facts) -> frozenset:
        return mechanisms_of(self, facts)

    def harm_group(self, harm: str) -> HarmGroup:
        return next(g for g in self.harm_groups if harm in g.harms)

    def grouping(self, gid: str) -> Grouping:
        for g in (*self.mechanisms, *self.harm_groups, self.employee_line, self.pursuit_line,
                  *self.equivalences.values(), *self.harm_reaches, self.particularized_harm):
            if g.id == gid:
                return g
        raise KeyError(gid)


def _authority(node: Any) -> tuple[str, str | None]:
    v = check_mapping(node, {"case": Field(True, text), "pin": Field(check=lambda p: None if p is None else str(p))},
                      "authority")
    return v["case"], v.get("pin")


def _common(node: Any, extra: dict) -> dict:
    return check_mapping(node, {"id": Field(True, text), "label": Field(True, text),
                                "authority": Field(True, _authority), "note": Field(check=optional_text), **extra},
                         "grouping")


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    path = DATA_DIR / "analogy.yaml"
    raw = load_yaml_file(path)
    top = check_mapping(raw, {"mechanisms": Field(True, lambda v: v), "harm_groups": Field(True, lambda v: v),
                              "lines": Field(True, lambda v: v), "equivalent": Field(True, lambda v: v),
                              "harm_reaches": Field(check=lambda v: v), "particularized_harm": Field(check=lambda v: v)},
                        "analogy file")
    vocab = vocabulary()
    mechanisms = []
    for node in list_of(lambda n: n)(top["mechanisms"]):
        v = _common(node, {"rule": Field(True, lambda r: r)})
        mechanisms.append(Mechanism(v["id"], v["label"], *v["authority"], v.get("note"), test=compile_rule(v["rule"], node)))
    harm_groups, seen = [], set()
    for node in list_of(lambda n: n)(top["harm_groups"]):
        v = _common(node, {"harms": Field(True, list_of(text))})
        bad = [h for h in v["harms"] if h not in vocab["harm_source"].values]
        if bad:
            raise DataError([f"{where(node, 'harms')}: {bad} are not values of harm_source"])
        seen.update(v["harms"])
        harm_groups.append(HarmGroup(v["id"], v["label"], *v["authority"], v.get("note"), harms=frozenset(v["harms"])))
    missing = set(vocab["harm_source"].values) - seen
    if missing:
        raise DataError([f"{where(raw, 'harm_groups')}: harm groups leave out {sorted(missing)}"])
    lines = check_mapping(top["lines"], {"public_employee": Field(True, lambda n: n),
                                         "pursuit": Field(True, lambda n: n)}, "lines")
    drawn = {}
    for name, node in lines.items():
        v = check_mapping(node, {"label": Field(True, text), "authority": Field(True, _authority),
                                 "note": Field(check=optional_text)}, "line")
        drawn[name] = Grouping(name, v["label"], *v["authority"], v.get("note"))
    equivalences = {}
    for fact, node in (top["equivalent"] or {}).items():
        spec = vocab.get(fact)
        v = check_mapping(node, {"values": Field(True, list_of(text)), "authority": Field(True, _authority),
                                 "note": Field(check=optional_text)}, "equivalence")
        if spec is None or not spec.ordered or any(x not in spec.values for x in v["values"]):
            raise DataError([f"{where(node)}: '{fact}' is not an ordered fact with values {v['values']}"])
        equivalences[fact] = Equivalence(f"same_{fact}", f"{' and '.join(v['values'])} count alike",
                                         *v["authority"], v.get("note"), fact=fact, values=frozenset(v["values"]))
    reaches = []
    for node in list_of(lambda n: n)(top.get("harm_reaches") or []):
        v = check_mapping(node, {"from": Field(True, text), "to": Field(True, list_of(text)),
                                 "authority": Field(True, _authority), "note": Field(check=optional_text)}, "harm reach")
        bad = [h for h in (v["from"], *v["to"]) if h not in vocab["harm_source"].values]
        if bad:
            raise DataError([f"{where(node)}: {bad} are not values of harm_source"])
        reaches.append(HarmReach(f"reaches_{v['from']}", f"{v['from']} reaches {', '.join(v['to'])}",
                                 *v["authority"], v.get("note"), source=v["from"], to=frozenset(v["to"])))
    particular = None
    if top.get("particularized_harm") is not None:
        node = top["particularized_harm"]
        v = check_mapping(node, {"from": Field(True, iso_date), "authority": Field(True, _authority),
                                 "note": Field(check=optional_text)}, "particularized_harm")
        particular = DatedRule("particularized_harm", "A case about one harm of a group is treated as on point for "
                               "another at the particularized level",
                               *v["authority"], v.get("note"), start=v["from"])
    return Knowledge(tuple(mechanisms), tuple(harm_groups), drawn["public_employee"], equivalences,
                     drawn["pursuit"], tuple(reaches), particular)


def mechanisms_of(k: Knowledge, facts: Facts) -> frozenset:
    return frozenset(m.id for m in k.mechanisms if m.test.holds(facts, None))


# --- strength ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def strength_facts() -> tuple[str, ...]:
    """The facts on which a plaintiff's case can be stronger or weaker (ordered in the vocabulary)."""
    return tuple(f for f, spec in vocabulary().items() if spec.ordered)


def _rank(fact: str, value: Any) -> int:
    spec = vocabulary()[fact]
    eq = knowledge().equivalences.get(fact)
    if eq and value in eq.values:
        return min(spec.rank(v) for v in eq.values)
    return spec.rank(value)


@remember
@lru_cache(maxsize=1 << 16)
def strength(facts: Facts) -> tuple[int, ...]:
    return tuple(_rank(f, getattr(facts, f)) for f in strength_facts())


def _factors(new: tuple, old: tuple, keep) -> tuple[str, ...]:
    """The strength facts whose ranks in `new` and `old` satisfy `keep(new_rank, old_rank)`."""
    return tuple(f for f, a, b in zip(strength_facts(), new, old) if keep(a, b))


# --- the comparison ---------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """What a comparison needs of one fact pattern, computed once."""

    mechanisms: frozenset
    harm_group: str
    strength: tuple
    employee: bool


@remember
@lru_cache(maxsize=1 << 16)
def profile(facts: Facts) -> Profile:
    k = knowledge()
    return Profile(mechanisms_of(k, facts), k.harm_group(facts.harm_source).id, strength(facts),
                   facts.victim_public_employee)


def harm_relation(k: Knowledge, precedent_harm: str, new_harm: str) -> str:
    """How a precedent's kind of harm stands to the new facts': same | group (another harm of one group:
    crosses at the general level) | reaches (the precedent's harm reaches the new a fortiori) |
    reached_by (the reverse) | apart."""
    if precedent_harm == new_harm:
        return "same"
    if k.harm_group(precedent_harm) is k.harm_group(new_harm):
        return "group"
    if any(r.source == precedent_harm and new_harm in r.to for r in k.harm_reaches):
        return "reaches"
    if any(r.source == new_harm and precedent_harm in r.to for r in k.harm_reaches):
        return "reached_by"
    return "apart"


def crossing_is_ours(k: Knowledge, level: str, decision: date | None) -> bool:
    """Is a crossing of harms within one group the workbook's own reading at this level on this decision
    date? Not at the general level (Wood on White v. Rochford; Kennedy at 1066); at the particularized level
    from `particularized_harm` (Kisela's "squarely governs") on, yes (data/analogy.yaml)."""
    rule = k.particularized_harm
    return level == "particularized" and rule is not None and decision is not None and decision >= rule.start


@dataclass(frozen=True)
class Comparison:
    """What a precedent and new facts share and do not share, and whether a line divides them."""

    shared_mechanisms: tuple[str, ...]
    precedent_mechanisms: tuple[str, ...]
    new_mechanisms: tuple[str, ...]
    harm: str  # harm_relation: same | group | reaches | reached_by | apart
    employee_line: bool
    weaker: tuple[str, ...]  # factors on which the new facts are weaker (the other side's distinctions)
    stronger: tuple[str, ...]

    @property
    def harm_supports(self) -> bool:
        """A precedent holding a violation reaches this harm (same, one group, or a fortiori)."""
        return self.harm in ("same", "group", "reaches")

    @property
    def harm_cuts(self) -> bool:
        """A precedent holding like conduct lawful cuts against this harm (same, one group, or a fortiori)."""
        return self.harm in ("same", "group", "reached_by")

    @property
    def harm_crossed(self) -> bool:
        """The harms differ within one group: they cross at the general level only (particularized_harm)."""
        return self.harm == "group"

    @property
    def analogous(self) -> bool:
        """Steps 1-3 of data/analogy.yaml: a shared mechanism, harm that reaches, and no doctrinal line."""
        return bool(self.shared_mechanisms) and self.harm_supports and not self.employee_line

    @property
    def counterexample(self) -> bool:
        """For a precedent that held like conduct lawful: a shared mechanism, harm it cuts against, and these
        facts no stronger for the plaintiff on any factor (it then cuts against the new facts)."""
        return bool(self.shared_mechanisms) and self.harm_cuts and not self.stronger

    @property
    def on_point(self) -> bool:
        """Steps 1-3 and 5: analogous, and no weaker on any factor."""
        return self.analogous and not self.weaker


@remember
@lru_cache(maxsize=1 << 16)
def compare_facts(precedent: Facts, new: Facts) -> Comparison:
    p, n = profile(precedent), profile(new)
    return Comparison(
        shared_mechanisms=tuple(sorted(p.mechanisms & n.mechanisms)), precedent_mechanisms=tuple(sorted(p.mechanisms)),
        new_mechanisms=tuple(sorted(n.mechanisms)),
        harm=harm_relation(knowledge(), precedent.harm_source, new.harm_source),
        employee_line=n.employee and not p.employee,
        weaker=_factors(n.strength, p.strength, lambda a, b: a < b),
        stronger=_factors(n.strength, p.strength, lambda a, b: a > b),
    )


def describe(comparison: Comparison, precedent: Facts, new: Facts, name: str) -> list[str]:
    """The distinctions the other side would raise, in plain English."""
    k, vocab = knowledge(), vocabulary()
    out = []
    if not comparison.shared_mechanisms:
        p = ", ".join(k.grouping(m).label for m in comparison.precedent_mechanisms) or "no affirmative act"
        n = ", ".join(k.grouping(m).label for m in comparison.new_mechanisms) or "no affirmative act"
        out.append(f"Different mechanism: in {name} the state {p}; here the state {n}.")
    hs = vocab["harm_source"]
    if not comparison.harm_supports:
        out.append(f"A different kind of harm: in {name}, {hs.label_of(precedent.harm_source)}; here, "
                   f"{hs.label_of(new.harm_source)} ({k.harm_group(new.harm_source).label}).")
    elif comparison.harm_crossed and k.particularized_harm is not None:
        rule = k.particularized_harm
        out.append(f"A different kind of harm within one group: in {name}, {hs.label_of(precedent.harm_source)}; "
                   f"here, {hs.label_of(new.harm_source)}. The workbook lets it cross; at the particularized level "
                   f"after {_cite(rule)} ({rule.start.year}) a court may not (our reading).")
    if comparison.employee_line:
        out.append(f"A doctrinal line: {k.employee_line.label} (Collins).")
    for f in comparison.weaker:
        spec = vocab[f]
        out.append(f"In {name}, {spec.label.lower()} was '{spec.label_of(getattr(precedent, f))}'; here it is "
                   f"'{spec.label_of(getattr(new, f))}'.")
    return out


def similarities(comparison: Comparison, precedent: Facts, new: Facts) -> list[str]:
    """What the two cases share, in plain English (the plaintiff's side of the argument)."""
    k, vocab = knowledge(), vocabulary()
    out = [f"Both: the state {k.grouping(m).label}." for m in comparison.shared_mechanisms]
    for f in comparison.stronger:
        spec = vocab[f]
        out.append(f"Here {spec.label.lower()} is stronger: '{spec.label_of(getattr(new, f))}'.")
    for fact, eq in k.equivalences.items():
        a, b = getattr(precedent, fact), getattr(new, fact)
        if a != b and a in eq.values and b in eq.values:
            out.append(f"{vocab[fact].label}: '{vocab[fact].label_of(b)}' here against "
                       f"'{vocab[fact].label_of(a)}' there counts alike ({eq.note.split(':')[0] if eq.note else eq.case}).")
    return out


# --- the other side's distinctions, each weighed (the argument exercises) ---------------

#: How much a difference helps the side distinguishing a precedent: a difference the comparison
#: counts (a weaker factor, another mechanism, another harm group, a line) beats a difference in
#: the surface kind of act under a shared mechanism, which beats values the data counts alike,
#: which beat differences that do not count or that favour the other side.
DIFFERENCE_WEIGHT = {"material": 3, "surface": 2, "equivalent": 1, "immaterial": 0, "favours_new": 0, "same": 0}

#: Facts that set a case's forum, dates or the student's options: never a distinction on the facts.
_NOT_FACTORS = ("circuit", "conduct_date", "decision_date", "assume_recognized", "generality")


@dataclass(frozen=True)
class Difference:
    """One fact as a distinction between a precedent and new facts, weighed by `compare_facts`."""

    fact: str
    kind: str  # material | surface | equivalent | immaterial | favours_new | same
    precedent_value: Any
    new_value: Any
    why: str  # plain English, naming the grouping's authority where there is one

    @property
    def weight(self) -> int:
        return DIFFERENCE_WEIGHT[self.kind]


def _cite(g: Grouping) -> str:
    from .law import law  # the case's short name; the law loads this module, so not at import

    p = law().precedents.get(g.case)
    return f"{p.short_name if p else g.case}{' at ' + g.pin if g.pin else ''}"


def _harm_difference(k: Knowledge, cmp: Comparison, a: str, b: str, shown: str, level: str | None,
                     decision: date | None) -> Difference:
    """The kind of harm as a distinction: within one group it crosses at the general level (and at the
    particularized level before `particularized_harm`); a fortiori in one direction only (harm_reaches)."""
    if cmp.harm == "group":
        g, rule = k.harm_group(b), k.particularized_harm
        if level is not None and crossing_is_ours(k, level, decision):
            return Difference("harm_source", "equivalent", a, b, f"Harm crosses within one group ({shown}): "
                              f"{g.label} ({_cite(g)}). At the particularized level after {_cite(rule)} this is the "
                              "workbook's reading: a court asking whether precedent 'squarely governs' may treat the "
                              "kind of harm as material.")
        later = (f"; at the particularized level after {_cite(rule)} ({rule.start.year}) that is our reading"
                 if rule is not None else "")
        return Difference("harm_source", "equivalent", a, b, f"Harm crosses within one group ({shown}): "
                          f"{g.label} ({_cite(g)}){later}.")
    if cmp.harm == "reaches":
        r = next(r for r in k.harm_reaches if r.source == a and b in r.to)
        return Difference("harm_source", "favours_new", a, b, f"This cuts the other way ({shown}): a case about an "
                          f"official who licensed the lesser harm reaches the graver one a fortiori ({_cite(r)}; "
                          "our reading).")
    if cmp.harm == "reached_by":
        r = next(r for r in k.harm_reaches if r.source == b and a in r.to)
        return Difference("harm_source", "material", a, b, f"A different kind of harm ({shown}): a case about the "
                          f"graver harm does not by itself warn about the lesser ({_cite(r)}; our reading: the line "
                          "runs one way only).")
    return Difference("harm_source", "material", a, b, f"A different kind of harm ({shown}): harm does not cross "
                      "from one group to another.")


def differences(precedent: Facts, new: Facts, name: str, same: tuple[str, ...] = (), level: str | None = None,
                decision: date | None = None) -> list[Difference]:
    """Every fact on which `new` differs from `precedent`, weighed as a distinction (strongest
    first), plus the facts named in `same` where they do not differ (a tempting but empty point).
    `level` and `decision` (the level of generality and the decision date) say whether a crossing of
    harms within one group is the workbook's own reading there (`crossing_is_ours`)."""
    k, vocab = knowledge(), vocabulary()
    cmp = compare_facts(precedent, new)
    out: list[Difference] = []
    for f, spec in vocab.items():
        if f in _NOT_FACTORS:
            continue
        a, b = getattr(precedent, f), getattr(new, f)
        if a == b:
            if f in same:
                out.append(Difference(f, "same", a, b, f"No difference: {spec.label.lower()} is "
                                      f"'{spec.label_of(b)}' in {name} and here."))
            continue
        shown = f"in {name}, {spec.label.lower()} '{spec.label_of(a)}'; here '{spec.label_of(b)}'"
        if f in ("act_kind", "assurance_to_assailant") and (f == "act_kind" or f not in cmp.weaker):
            if cmp.shared_mechanisms:
                ms = [k.grouping(m) for m in cmp.shared_mechanisms]
                out.append(Difference(f, "surface", a, b, f"A difference in the surface kind of act ({shown}), but "
                                      f"both share a mechanism: the state {ms[0].label} ({_cite(ms[0])})."))
            else:
                out.append(Difference(f, "material", a, b, f"A different mechanism of danger ({shown}): the "
                                      "comparison finds no mechanism the two cases share."))
            continue
        if f == "harm_source":
            out.append(_harm_difference(k, cmp, a, b, shown, level, decision))
            continue
        if f == "victim_public_employee":
            line = k.employee_line
            if cmp.employee_line:
                out.append(Difference(f, "material", a, b, f"A doctrinal line ({shown}): {line.label} "
                                      f"({_cite(line)})."))
            else:
                out.append(Difference(f, "favours_new", a, b, f"This cuts the other way ({shown}): the workplace "
                                      f"line ({_cite(line)}) keeps a precedent about the public from reaching an "
                                      "employee, not the reverse."))
            continue
        if f == "pursuit" and k.pursuit_line is not None:
            line = k.pursuit_line
            kind = "material" if b and not a else "favours_new"
            out.append(Difference(f, kind, a, b, (f"A doctrinal line ({shown}): {line.label} ({_cite(line)})."
                                                  if kind == "material" else
                                                  f"This cuts the other way ({shown}): the pursuit line protects a "
                                                  "pursuing officer, and this one was not pursuing.")))
            continue
        if f in cmp.weaker:
            out.append(Difference(f, "material", a, b, f"These facts are weaker for the plaintiff ({shown})."))
        elif f in cmp.stronger:
            out.append(Difference(f, "favours_new", a, b, f"This cuts the other way ({shown}): these facts are "
                                  "stronger for the plaintiff."))
        elif f in k.equivalences:
            eq = k.equivalences[f]
            out.append(Difference(f, "equivalent", a, b, f"These values count alike ({shown}): {eq.label} "
                                  f"({_cite(eq)})."))
        else:
            out.append(Difference(f, "immaterial", a, b, f"Not a factor courts weigh on whether a case is on point "
                                  f"({shown}); what matters is the mechanism, the harm, the lines and the strength "
                                  "of the facts."))
    return sorted(out, key=lambda d: -d.weight)

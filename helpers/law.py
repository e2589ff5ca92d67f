"""The law as data: circuits, their dated tests and regimes, precedents, QI method.

Everything here is loaded once from `data/` (see `law()`), checked strictly, and
frozen. The value in force on a day is the latest entry dated on or before it
(OpenFisca's rule); `in_force` does that lookup.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
import re
from typing import Any, NamedTuple, Sequence, TypeVar

from .facts import CIRCUIT_ABBREVIATIONS, CIRCUITS, COURTS, Facts, FactError, parse_facts, vocabulary
from .loading import (
    DATA_DIR, DataError, Field, boolean, check_mapping, checked_entries, iso_date, list_of, load_yaml_file,
    one_of, optional_bool, optional_date, optional_text, text, where,
)
from .rules import CULPABILITY_ORDER, CULPABILITY_RANK, AWARENESS_RANK, Compiled, compile_rule

T = TypeVar("T")
DELIBERATION = ("unhurried", "hurried", "emergency")
THEORIES = ("state_created_danger", "special_relationship", "direct_harm", "qualified_immunity", "baseline")
HISTORY_EVENTS = ("withdrawn", "vacated", "superseded", "abrogated", "overruled", "reversed",
                  "rehearing_denied", "limited", "affirmed")
#: History events after which a precedent no longer counts as good law.
DEAD_EVENTS = frozenset({"withdrawn", "vacated", "superseded", "abrogated", "overruled", "reversed"})
VERIFICATION = ("seed", "verified", "summary", "memory")
#: How a precedent's conduct date was known: read in an opinion in the case (this court's or the
#: court below's); from a summary, a news report or another secondary account; or estimated (a
#: month or year read somewhere, the day chosen by convention or inferred).
CONDUCT_DATE_SOURCES = ("opinion", "summary", "estimate")


def in_force(entries: Sequence[T], day: date) -> T | None:
    """The latest entry whose `start` is on or before `day` (entries sorted by start).

    The lists are a handful long, so a scan from the end beats building a bisect key.
    """
    for entry in reversed(entries):
        if entry.start <= day:  # type: ignore[attr-defined]
            return entry
    return None


# --- precedents -------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryEvent:
    day: date
    event: str
    by: str | None
    note: str | None


@dataclass(frozen=True)
class Opinion:
    id: str
    author: str
    facts: dict
    options: dict
    concludes: dict
    note: str | None = None


_PATTERNS: dict = {}


@dataclass(frozen=True)
class Precedent:
    id: str
    name: str
    short_name: str
    citation: str
    court: str
    decided: date
    conduct: date | None
    theory: str
    posture: str | None
    adopted_theory: bool | None
    violation: bool | None
    clearly_established: bool | None
    rule: str | None
    summary: str | None
    quote: str | None
    quote_pin: str | None
    facts_raw: dict | None
    options: dict
    opinions: tuple[Opinion, ...]
    history: tuple[HistoryEvent, ...]
    verification: str
    verification_note: str | None
    cited_in: tuple[str, ...]
    source: str = ""
    prong_two: dict | None = None  # how the court reasoned on "clearly established" (see TEMPLATE)
    #: facts the court made no finding on: `facts` holds the vocabulary's default for them, and no
    #: exercise may ask a student to set them (characterise)
    not_found: tuple = ()
    conduct_date_source: str | None = None  # opinion | summary | estimate (CONDUCT_DATE_SOURCES)

    def cite(self, pin: str | None = None) -> str:
        """'Kennedy v. City of Ridgefield, 439 F.3d 1055, 1063 (9th Cir. 2006)'."""
        court = "" if self.court == "scotus" else CIRCUIT_ABBREVIATIONS[self.court] + " "
        pin_part = f", {pin}" if pin else ""
        return f"{self.name}, {self.citation}{pin_part} ({court}{self.decided.year})"

    def good_law_on(self, day: date) -> bool:
        return not any(h.event in DEAD_EVENTS and h.day <= day for h in self.history)

    def dead_events(self) -> list[HistoryEvent]:
        return [h for h in self.history if h.event in DEAD_EVENTS]

    def fact_pattern(self, opinion: str | None = None) -> Facts | None:
        """The case's facts (as `opinion` characterised them) with its forum and dates."""
        key = (self.id, self.source, opinion)
        if key not in _PATTERNS:
            _PATTERNS[key] = self._parse_pattern(opinion)
        return _PATTERNS[key]

    def _parse_pattern(self, opinion: str | None) -> Facts | None:
        if self.facts_raw is None or self.court == "scotus" and self.conduct is None:
            return None
        raw = dict(self.facts_raw)
        options = dict(self.options)
        if opinion:
            op = next(o for o in self.opinions if o.id == opinion)
            raw.update(op.facts)
            options = dict(op.options)
        raw.update(options)
        raw["conduct_date"] = (self.conduct or self.decided).isoformat()
        raw["decision_date"] = self.decided.isoformat()
        if self.court != "scotus":
            raw["circuit"] = self.court
        return parse_facts(raw)

    def as_authority(self) -> dict:
        kept = self.__dict__.get("_authority")
        if kept is None:
            kept = self.__dict__["_authority"] = {"name": self.name, "citation": self.citation, "court": self.court,
                                                  "decided": self.decided.isoformat()}
        return dict(kept)  # a copy: an answer's authorities are its own to change


def _fact_values(node: Any) -> dict:
    """Check a partial fact mapping (no forum or dates) against the vocabulary."""
    if not isinstance(node, dict):
        raise ValueError("facts must be a mapping")
    vocab = vocabulary()
    problems = []
    for key, value in node.items():
        spec = vocab.get(key)
        if spec is None or spec.kind in {"date", "circuit"} or spec.option:
            problems.append(f"{where(node, key)}: unknown fact '{key}' (no forum, dates or options here)")
            continue
        legal = (True, False) if spec.kind == "flag" else spec.values
        if value not in legal or (spec.kind == "flag" and not isinstance(value, bool)):
            problems.append(f"{where(node, key)}: fact '{key}' has value {value!r}; allowed: {', '.join(map(str, legal))}")
    if problems:
        raise DataError(problems)
    return dict(node)


def _options(node: Any) -> dict:
    spec = {"assume_recognized": Field(check=boolean),
            "generality": Field(check=one_of("general", "particularized", "default"))}
    return check_mapping(node, spec, "options")


def _held(node: Any) -> dict:
    spec = {k: Field(check=optional_bool) for k in ("adopted_theory", "violation", "clearly_established")}
    return check_mapping(node, spec, "held")


def _concludes(node: Any) -> dict:
    spec = {k: Field(check=optional_bool) for k in ("violation", "clearly_established", "qualified_immunity")}
    return check_mapping(node, spec, "concludes")


def _opinion(node: Any) -> Opinion:
    v = check_mapping(node, {
        "id": Field(True, text), "author": Field(True, text), "facts": Field(check=_fact_values),
        "options": Field(check=_options), "concludes": Field(True, _concludes), "note": Field(check=optional_text),
    }, "opinion")
    return Opinion(v["id"], v["author"], v.get("facts", {}), v.get("options", {}), v["concludes"], v.get("note"))


def _history(node: Any) -> HistoryEvent:
    v = check_mapping(node, {
        "date": Field(True, iso_date), "event": Field(True, one_of(*HISTORY_EVENTS)),
        "by": Field(check=optional_text), "note": Field(check=optional_text),
    }, "history event")
    return HistoryEvent(v["date"], v["event"], v.get("by"), v.get("note"))


def _quote(node: Any) -> dict:
    return check_mapping(node, {"text": Field(True, text), "pin": Field(check=_pin)}, "quote")


PRONG_TWO_STYLES = ("rule", "analogy", "consensus", "obvious", "no_authority", "contrary_authority",
                    "doctrinal_line", "not_reached")
#: How the court's clearly-established reasoning was seen: passage (the passage itself, read in the
#: opinion: pin required) | opening (only the opinion's opening, syllabus or conclusion) | summary (only
#: a third party's account of the opinion).
PRONG_TWO_READ = ("passage", "opening", "summary")


def _prong_two(node: Any) -> dict:
    """How a court decided "clearly established": the style of reasoning and the cases it used."""
    v = check_mapping(node, {
        "style": Field(True, one_of(*PRONG_TWO_STYLES)), "relied_on": Field(check=list_of(text)),
        "distinguished": Field(check=list_of(text)), "other_authority": Field(check=list_of(text)),
        "pin": Field(check=_pin), "note": Field(check=optional_text),
        "read": Field(check=lambda r: None if r is None else one_of(*PRONG_TWO_READ)(r)),
    }, "prong_two")
    if v.get("read") == "passage" and not v.get("pin"):
        raise ValueError("read: passage needs the passage's pin (the page where the court decided the prong)")
    return v


def _pin(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)


def _found_fact(value: Any) -> str:
    """A fact a court finds (not its forum, dates or the analysis options)."""
    settable = [f for f, spec in vocabulary().items() if spec.kind in ("flag", "choice") and not spec.option]
    return one_of(*settable)(value)


PRECEDENT_FIELDS = {
    "id": Field(True, text), "name": Field(True, text), "short_name": Field(True, text),
    "citation": Field(True, text), "decided": Field(True, iso_date), "conduct": Field(check=optional_date),
    "conduct_date_source": Field(check=lambda v: None if v is None else one_of(*CONDUCT_DATE_SOURCES)(v)),
    "theory": Field(True, one_of(*THEORIES)), "posture": Field(check=optional_text),
    "held": Field(True, _held), "rule": Field(check=optional_text), "summary": Field(check=optional_text),
    "quote": Field(check=_quote), "facts": Field(check=_fact_values), "options": Field(check=_options),
    "opinions": Field(check=list_of(_opinion)), "history": Field(check=list_of(_history)),
    "verification": Field(True, one_of(*VERIFICATION)), "verification_note": Field(check=optional_text),
    "cited_in": Field(check=list_of(text)),
    "prong_two": Field(check=_prong_two),
    "not_found": Field(check=list_of(_found_fact)),
}


def load_precedents() -> dict[str, Precedent]:
    problems: list[str] = []
    out: dict[str, Precedent] = {}
    for path in sorted((DATA_DIR / "precedents").glob("*.yaml")):
        if path.name.upper().startswith("TEMPLATE"):
            continue
        try:
            raw = load_yaml_file(path)
            top = check_mapping(raw, {"court": Field(True, one_of(*COURTS)),
                                      "precedents": Field(True, lambda v: v)}, "precedents file")
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        if path.stem.split("-")[0] != top["court"]:
            problems.append(f"{where(raw, 'court')}: court '{top['court']}' does not match file name {path.name}"
                            " (name files <court>.yaml or <court>-<topic>.yaml)")
        for node, v in checked_entries(top["precedents"] or [], PRECEDENT_FIELDS, "precedent", problems):
            if v["id"] in out:
                problems.append(f"{where(node, 'id')}: duplicate precedent id '{v['id']}'")
                continue
            if not v["id"].endswith(str(v["decided"].year)):
                problems.append(f"{where(node, 'id')}: id '{v['id']}' should end with the year decided ({v['decided'].year})")
            if "generality" in v.get("options", {}):
                problems.append(f"{where(node, 'options')}: a majority may not carry a 'generality' option: a student "
                                "gets the default, and the workbook is measured with it (put it on a dissent's opinion)")
            if v.get("conduct") and v["conduct"] > v["decided"]:
                problems.append(f"{where(node, 'conduct')}: conduct date after the decision date")
            if v.get("conduct") and not v.get("conduct_date_source"):
                problems.append(f"{where(node, 'conduct')}: precedent '{v['id']}' has a conduct date but no "
                                f"conduct_date_source; allowed: {', '.join(CONDUCT_DATE_SOURCES)} (say how the date was known)")
            if v.get("conduct_date_source") and not v.get("conduct"):
                problems.append(f"{where(node, 'conduct_date_source')}: precedent '{v['id']}' gives conduct_date_source "
                                f"'{v['conduct_date_source']}' but no conduct date; allowed: leave it out when conduct is null")
            quote = v.get("quote") or {}
            out[v["id"]] = Precedent(
                id=v["id"], name=v["name"], short_name=v["short_name"], citation=v["citation"],
                court=top["court"], decided=v["decided"], conduct=v.get("conduct"), theory=v["theory"],
                posture=v.get("posture"), adopted_theory=v["held"].get("adopted_theory"),
                violation=v["held"].get("violation"), clearly_established=v["held"].get("clearly_established"),
                rule=v.get("rule"), summary=v.get("summary"), quote=quote.get("text"), quote_pin=quote.get("pin"),
                facts_raw=v.get("facts"), options=v.get("options", {}),
                opinions=tuple(v.get("opinions", [])), history=tuple(sorted(v.get("history", []), key=lambda h: h.day)),
                verification=v["verification"], verification_note=v.get("verification_note"),
                cited_in=tuple(v.get("cited_in", [])), source=where(node), prong_two=v.get("prong_two"),
                not_found=tuple(v.get("not_found", [])),
                conduct_date_source=v.get("conduct_date_source"),
            )
            found_anyway = [f for f in v.get("not_found", []) if f in (v.get("facts") or {})]
            if found_anyway:
                problems.append(f"{where(node, 'not_found')}: {', '.join(found_anyway)} listed as not found but set in "
                                "'facts'; allowed: leave a fact the court did not find out of 'facts'")
    if problems:
        raise DataError(problems)
    return out


# --- circuits -----------------------------------------------------------------------

@dataclass(frozen=True)
class Inference:
    """A reading of the vocabulary with its authority: what `awareness: obvious` carries where a
    circuit needs actual knowledge (Farmer, at 842); why a custody need that was not pressing is
    judged at the level of the facts (Anderson v. Creighton, at 640)."""

    authority: "Cite"
    note: str


@lru_cache(maxsize=None)
def _vocabulary_reading(fact: str, key: str) -> Inference:
    from .facts import facts_file

    spec = facts_file()["facts"][fact]
    v = check_mapping(spec.get(key), {"authority": Field(True, _cite), "note": Field(True, text)},
                      f"{fact} {key}")
    return Inference(v["authority"], v["note"])


def obvious_inference() -> Inference:
    """The `inference` of the awareness fact in data/facts.yaml, checked."""
    return _vocabulary_reading("awareness", "inference")


def custody_contours() -> Inference:
    """The `contours` of the custody_need fact in data/facts.yaml, checked."""
    return _vocabulary_reading("custody_need", "contours")


@dataclass(frozen=True)
class Cite:
    case: str
    pin: str | None = None
    where: str | None = field(default=None, compare=False, repr=False)  # file:line, for messages


def _cite(node: Any) -> Cite:
    v = check_mapping(node, {"case": Field(True, text), "pin": Field(check=_pin)}, "authority")
    return Cite(v["case"], v.get("pin"), where(node, "case"))


@dataclass(frozen=True)
class Element:
    id: str
    label: str
    test: Compiled
    rule: dict
    authority: Cite
    quote: str | None
    note: str | None


@dataclass(frozen=True)
class Version:
    """A dated statement of a test (state-created danger or special relationship)."""

    start: date
    authority: Cite
    elements: tuple[Element, ...]
    narrows: bool
    note: str | None
    #: (date, authority, note): the circuit held this duty clearly established for conduct from
    #: that date, earlier than the decision that states the version (K.H. v. Morgan; Tamas)
    established_from: "tuple[date, Cite, str | None] | None" = None

    @property
    def effective_start(self) -> date:
        """When the duty stated by this version was the law: its own date, or the earlier date
        from which the circuit held it clearly established."""
        if self.established_from and self.established_from[0] < self.start:
            return self.established_from[0]
        return self.start

    def met(self, facts: Facts, regime: "Regime") -> bool:
        """Whether `facts` meet every element, without explanations (the fast path)."""
        for e in self.elements:
            if not e.test.holds(facts, regime):
                return False
        return True


@dataclass(frozen=True)
class Status:
    start: date
    recognized: bool
    authority: Cite
    note: str | None
    #: a reading (data/readings.yaml) under whose other side the circuit's recognition is the reverse
    reading: str | None = None

    def recognized_under(self, readings: tuple = ()) -> bool:
        return self.recognized != (self.reading is not None and self.reading in readings)


@dataclass(frozen=True)
class Regime:
    """Lewis's sliding scale as a circuit applies it from `start`."""

    start: date
    authority: Cite
    awareness: str  # the least awareness deliberate indifference needs: obvious | actual
    required: dict  # setting -> deliberation -> culpability
    employee: str | None
    narrows: bool
    note: str | None
    #: the culpability every high-speed police pursuit needs, whatever the time to deliberate
    #: (Helseth, Bingue), where the circuit so holds; None: the time to deliberate decides
    pursuit: str | None = None
    pursuit_authority: "Cite | None" = None
    #: deliberation -> the least awareness deliberate indifference needs with that much time
    #: to think, where it differs from `awareness` (the Third Circuit's hurried tier: Ziccardi)
    awareness_when: dict = field(default_factory=dict)
    #: a reading (data/readings.yaml) and what its other side asks instead: setting -> deliberation -> level
    reading: str | None = None
    other_required: dict = field(default_factory=dict)

    def awareness_needed(self, facts: Facts) -> str:
        return self.awareness_when.get(facts.deliberation, self.awareness)

    def needed(self, facts: Facts, setting: str) -> str:
        need = self.required[setting][facts.deliberation]
        if self.reading is not None and self.reading in facts.readings:
            need = self.other_required.get(setting, {}).get(facts.deliberation, need)
        if self.employee and facts.victim_public_employee and setting == "danger":
            if CULPABILITY_RANK[self.employee] > CULPABILITY_RANK[need]:
                need = self.employee
        if self.pursuit and facts.pursuit and setting != "custody":
            if CULPABILITY_RANK[self.pursuit] > CULPABILITY_RANK[need]:
                need = self.pursuit
        return need

    def meets(self, facts: Facts, setting: str) -> bool:
        need = self.needed(facts, setting)
        if CULPABILITY_RANK[facts.culpability] < CULPABILITY_RANK[need]:
            return False
        if facts.culpability == "deliberate_indifference":
            # `obvious` carries Farmer's inference (data/facts.yaml, awareness.inference): where the
            # circuit needs actual knowledge, a factfinder may find it from the obviousness of the risk.
            return AWARENESS_RANK[facts.awareness] >= AWARENESS_RANK["obvious"]
        return True

    def knowledge_inferred(self, facts: Facts) -> bool:
        """Whether deliberate indifference rests on knowledge inferred from an obvious risk: the
        circuit needs actual knowledge, and the facts say only that the risk was obvious."""
        return (facts.culpability == "deliberate_indifference" and facts.awareness == "obvious"
                and self.awareness_needed(facts) == "actual")

    def explain(self, facts: Facts, setting: str, met: bool) -> str:
        vocab = vocabulary()
        need = self.needed(facts, setting)
        time = vocab["deliberation"].label_of(facts.deliberation)
        have = vocab["culpability"].label_of(facts.culpability)
        need_label = vocab["culpability"].label_of(need)
        employee = " for a public employee" if need == self.employee and facts.victim_public_employee and setting == "danger" else ""
        if self.pursuit and facts.pursuit and setting != "custody" and need == self.pursuit:
            base = (f"In a high-speed pursuit this circuit requires {need_label}, whatever the time to "
                    f"deliberate; the official's state of mind was {have}.")
        else:
            base = f"With {time}, this circuit requires at least {need_label}{employee}; the official's state of mind was {have}."
        if (not met and CULPABILITY_RANK[facts.culpability] >= CULPABILITY_RANK[need]
                and facts.culpability == "deliberate_indifference"):
            knows = vocab["awareness"].label_of(facts.awareness)
            wanted = ("actual knowledge (which a factfinder may infer from an obvious risk)"
                      if self.awareness_needed(facts) == "actual" else "a known or obvious risk")
            return f"Deliberate indifference here needs {wanted}; here the official {knows}."
        if met and self.knowledge_inferred(facts):
            inference = obvious_inference()
            return (f"{base} This circuit needs actual knowledge; here it is inferred from obviousness: "
                    f"{inference.note} ({law().cite(inference.authority)}). Our reading: the inference is the "
                    "plaintiff's on the pleadings and at summary judgment; at trial a jury may decline to draw it.")
        return base


@dataclass(frozen=True)
class Consensus:
    start: date
    counts: bool
    authority: Cite
    note: str | None
    #: how strong out-of-circuit authority must be to count: "ordinary", or "unmistakable"
    #: (the Sixth Circuit: it must point unmistakably to unconstitutionality, Seiter)
    standard: str = "ordinary"


@dataclass(frozen=True)
class Circuit:
    id: str
    name: str
    summary: str
    status: tuple[Status, ...]
    tests: tuple[Version, ...]
    special_relationship: tuple[Version, ...]
    culpability: tuple[Regime, ...]
    stances: dict
    consensus: tuple[Consensus, ...]
    never_established_bar: tuple[date, Cite, str | None] | None
    source: str = ""
    #: the circuit's own statements of how general a clearly established right may be, by date; the
    #: latest word on the decision date, the Supreme Court's or the circuit's, decides (immunity.method_for)
    generality: tuple = ()

    def on(self, day: date) -> "CircuitDay":
        """The circuit's law in force on `day`. Compiled once per circuit as a step function of the date:
        the law changes only on the days its entries start, so each stretch between two such days holds
        one `CircuitDay`, found by bisection (a changed circuit is a new object, compiled afresh)."""
        timeline = self.__dict__.get("_timeline")
        if timeline is None:
            starts = sorted({date.min, *(e.start for e in (*self.status, *self.tests, *self.culpability,
                                                           *self.special_relationship, *self.consensus)),
                             *(v.effective_start for v in self.special_relationship)})
            timeline = self.__dict__["_timeline"] = (tuple(starts), tuple(self._law_on(s) for s in starts))
        starts, days = timeline
        return days[bisect_right(starts, day) - 1]

    def _law_on(self, day: date) -> "CircuitDay":
        sr = self.special_relationship[0]
        for version in reversed(self.special_relationship):
            if version.effective_start <= day:
                sr = version
                break
        stated = in_force(self.tests, day)
        return CircuitDay(
            status=in_force(self.status, day), stated_test=stated, test=stated or self.tests[0],
            regime=in_force(self.culpability, day) or self.culpability[0], sr=sr,
            custody=in_force(self.special_relationship, day), consensus=in_force(self.consensus, day))

    def recognizes(self, day: date, readings: tuple = ()) -> bool:
        """Whether the circuit recognised state-created danger on `day` (under the other side of any
        reading in `readings`, data/readings.yaml)."""
        return self.on(day).recognizes(readings)

    def test_on(self, day: date) -> Version:
        """The test in force on `day`; before the first, the first (for assumed analysis)."""
        return self.on(day).test

    def regime_on(self, day: date) -> Regime:
        return self.on(day).regime

    def sr_on(self, day: date) -> Version:
        """The special-relationship version in force on `day` for prong one. A version whose
        duty the circuit held clearly established for earlier conduct (`established_from`)
        governs from that earlier date: a duty clearly established then was the law then."""
        return self.on(day).sr

    def danger_test_met(self, facts: Facts, day: date) -> bool:
        """Whether `facts` meet this circuit's state-created-danger test as it stood on `day`."""
        law_then = self.on(day)
        return law_then.test.met(facts, law_then.regime)

    def custody_test_met(self, facts: Facts, day: date) -> Version | None:
        """The special-relationship version in force on `day`, if `facts` meet it."""
        law_then = self.on(day)
        version = law_then.custody
        if version is None:
            return None
        return version if version.met(facts, law_then.regime) else None

    def counts_consensus(self, day: date) -> bool:
        c = self.on(day).consensus
        return bool(c and c.counts)


class CircuitDay(NamedTuple):
    """What a circuit's law was on one day (`Circuit.on`)."""

    status: Status | None
    stated_test: Version | None  # the test stated by then, if any
    test: Version  # the test in force (before the first, the first, for assumed analysis)
    regime: Regime
    sr: Version  # the special-relationship version for prong one (`established_from` counts)
    custody: Version | None  # the special-relationship version stated by then, if any
    consensus: Consensus | None

    def recognizes(self, readings: tuple = ()) -> bool:
        """Whether state-created danger was recognised that day (under the other side of any reading in
        `readings`, data/readings.yaml)."""
        return bool(self.status and self.status.recognized_under(readings))


def _level(value: Any) -> str:
    if value not in CULPABILITY_ORDER:
        raise ValueError(f"'{value}' is not a culpability level; allowed: {', '.join(CULPABILITY_ORDER)}")
    return value


def _scale(node: Any) -> dict:
    return check_mapping(node, {d: Field(True, _level) for d in DELIBERATION}, "culpability scale")


def _element(node: Any) -> Element:
    v = check_mapping(node, {
        "id": Field(True, text), "label": Field(True, text), "rule": Field(True, lambda r: r),
        "authority": Field(True, _cite), "quote": Field(check=optional_text), "note": Field(check=optional_text),
    }, "element")
    if v["id"] in vocabulary():
        raise DataError([f"{where(node, 'id')}: element id '{v['id']}' collides with a fact id"])
    return Element(v["id"], v["label"], compile_rule(v["rule"], node), v["rule"], v["authority"],
                   v.get("quote"), v.get("note"))


def _established_from(node: Any) -> tuple:
    v = check_mapping(node, {"date": Field(True, iso_date), "authority": Field(True, _cite),
                             "note": Field(check=optional_text)}, "clearly_established_for_conduct_from")
    return (v["date"], v["authority"], v.get("note"))


def _version(node: Any) -> Version:
    v = check_mapping(node, {
        "from": Field(True, iso_date), "authority": Field(True, _cite), "elements": Field(True, list_of(_element)),
        "narrows": Field(check=boolean), "note": Field(check=optional_text),
        "clearly_established_for_conduct_from": Field(check=_established_from),
    }, "test version")
    ids = [e.id for e in v["elements"]]
    if len(set(ids)) != len(ids):
        raise DataError([f"{where(node, 'elements')}: duplicate element ids {ids}"])
    est = v.get("clearly_established_for_conduct_from")
    if est and est[0] > v["from"]:
        raise DataError([f"{where(node, 'clearly_established_for_conduct_from')}: date {est[0].isoformat()} is "
                         f"after the version's own date {v['from'].isoformat()}; allowed: a date on or before it"])
    return Version(v["from"], v["authority"], tuple(v["elements"]), v.get("narrows", False), v.get("note"), est)


def _reading(node: Any) -> str:
    from .readings import check_reading_id

    return check_reading_id(node, node)


def _status(node: Any) -> Status:
    v = check_mapping(node, {"from": Field(True, iso_date), "recognized": Field(True, boolean),
                             "authority": Field(True, _cite), "note": Field(check=optional_text),
                             "reading": Field(check=_reading)}, "status")
    return Status(v["from"], v["recognized"], v["authority"], v.get("note"), v.get("reading"))


def _other_scale(node: Any) -> dict:
    """Under a reading's other side: setting -> {deliberation: level}, only what changes."""
    return check_mapping(node, {s: Field(check=lambda n: check_mapping(
        n, {d: Field(check=_level) for d in DELIBERATION}, "culpability scale")) for s in ("danger", "custody", "direct")},
        "the other reading's culpability")


def _regime(node: Any) -> Regime:
    v = check_mapping(node, {
        "from": Field(True, iso_date), "authority": Field(True, _cite),
        "awareness": Field(True, one_of("obvious", "actual")),
        "danger": Field(True, _scale), "custody": Field(True, _scale), "direct": Field(True, _scale),
        "employee": Field(check=_level), "narrows": Field(check=boolean), "note": Field(check=optional_text),
        "pursuit": Field(check=_pursuit),
        "awareness_when": Field(check=lambda n: check_mapping(
            n, {d: Field(check=one_of("obvious", "actual")) for d in DELIBERATION}, "awareness_when")),
        "reading": Field(check=_reading), "other_reading": Field(check=_other_scale),
    }, "culpability regime")
    if ("reading" in v) != ("other_reading" in v):
        raise DataError([f"{where(node)}: a culpability regime with a 'reading' needs 'other_reading' (what the "
                         "other side asks), and the reverse"])
    pursuit = v.get("pursuit") or {}
    return Regime(v["from"], v["authority"], v["awareness"],
                  {s: v[s] for s in ("danger", "custody", "direct")}, v.get("employee"),
                  v.get("narrows", False), v.get("note"), pursuit.get("level"), pursuit.get("authority"),
                  v.get("awareness_when") or {}, v.get("reading"), v.get("other_reading") or {})


def _pursuit(node: Any) -> dict:
    """`pursuit: {level: intent_to_harm, authority: {case, pin}}`: every chase needs `level`."""
    return check_mapping(node, {"level": Field(True, _level), "authority": Field(True, _cite),
                                "note": Field(check=optional_text)}, "pursuit rule")


#: How a circuit counts out-of-circuit cases, when it counts them at all (helpers/immunity.py):
#: ordinary - on-point cases from enough other circuits and none the other way;
#: unmistakable - the same, and only for a theory the circuit had itself recognised (Seiter);
#: own_recognition - persuasive cases fill in the contours of a theory the circuit had recognised,
#:   never establish one it had not;
#: same_act_case - the ordinary consensus, or one out-of-circuit case about the same kind of act, on
#:   facts no weaker, with none contrary (the Ninth before al-Kidd: Capoeman read with Wood).
CONSENSUS_STANDARDS = ("ordinary", "unmistakable", "own_recognition", "same_act_case")


def _consensus(node: Any) -> Consensus:
    v = check_mapping(node, {"from": Field(True, iso_date), "counts": Field(True, boolean),
                             "authority": Field(True, _cite), "note": Field(check=optional_text),
                             "standard": Field(check=one_of(*CONSENSUS_STANDARDS))}, "consensus rule")
    return Consensus(v["from"], v["counts"], v["authority"], v.get("note"), v.get("standard") or "ordinary")


STANCE_TOPICS = ("promise_to_victim", "assurance_to_assailant", "specific_victim", "public_employees",
                 "schools", "foster_care", "causation")


def _stance(node: Any) -> dict:
    return check_mapping(node, {"summary": Field(True, text), "authority": Field(check=_cite),
                                "note": Field(check=optional_text)}, "stance")


def _stances(node: Any) -> dict:
    return check_mapping(node, {t: Field(True, _stance) for t in STANCE_TOPICS}, "stances")


def _bar(node: Any) -> tuple:
    v = check_mapping(node, {"from": Field(True, iso_date), "authority": Field(True, _cite),
                             "note": Field(check=optional_text)}, "never-established bar")
    return (v["from"], v["authority"], v.get("note"))


def _sorted(items: list, what: str, node: Any) -> tuple:
    days = [i.start for i in items]
    if days != sorted(days) or len(set(days)) != len(days):
        raise DataError([f"{where(node)}: {what} must be in date order with no two on one day"])
    if not items:
        raise DataError([f"{where(node)}: {what} needs at least one entry"])
    return tuple(items)


CIRCUIT_FIELDS = {
    "id": Field(True, one_of(*CIRCUITS)), "name": Field(True, text), "summary": Field(True, text),
    "state_created_danger": Field(True, lambda v: v), "special_relationship": Field(True, lambda v: v),
    "culpability": Field(True, lambda v: v), "stances": Field(True, _stances),
    "qualified_immunity": Field(True, lambda v: v),
}


def load_circuit(path) -> Circuit:
    raw = load_yaml_file(path)
    v = check_mapping(raw, CIRCUIT_FIELDS, "circuit file")
    if v["id"] != path.stem:
        raise DataError([f"{where(raw, 'id')}: id '{v['id']}' does not match file name {path.name}"])
    scd = check_mapping(v["state_created_danger"], {"status": Field(True, list_of(_status)),
                                                    "tests": Field(True, list_of(_version))},
                        "state_created_danger")
    qi = check_mapping(v["qualified_immunity"], {"consensus": Field(True, list_of(_consensus)),
                                                 "never_established_bar": Field(check=_bar),
                                                 "generality": Field(check=list_of(_generality))}, "qualified_immunity")
    return Circuit(
        id=v["id"], name=v["name"], summary=v["summary"],
        status=_sorted(scd["status"], "status entries", raw),
        tests=_sorted(scd["tests"], "test versions", raw),
        special_relationship=_sorted(list_of(_version)(v["special_relationship"]), "special-relationship versions", raw),
        culpability=_sorted(list_of(_regime)(v["culpability"]), "culpability regimes", raw),
        stances=v["stances"], consensus=_sorted(qi["consensus"], "consensus rules", raw),
        never_established_bar=qi.get("never_established_bar"), source=where(raw),
        generality=_sorted(qi["generality"], "generality statements", raw) if qi.get("generality") else (),
    )


# --- Supreme Court methodology for qualified immunity --------------------------------

@dataclass(frozen=True)
class Generality:
    start: date
    level: str
    authority: Cite
    note: str | None


def _generality(node: Any) -> "Generality":
    g = check_mapping(node, {"from": Field(True, iso_date), "level": Field(True, one_of("general", "particularized")),
                             "authority": Field(True, _cite), "note": Field(check=optional_text)}, "generality")
    return Generality(g["from"], g["level"], g["authority"], g.get("note"))


@dataclass(frozen=True)
class ConsensusSize:
    start: date
    circuits: int
    authority: Cite
    note: str | None


@dataclass(frozen=True)
class Method:
    generality: tuple[Generality, ...]
    consensus_size: tuple[ConsensusSize, ...]
    obvious_case: tuple[date, Cite, str | None]
    deshaney: Cite
    direct_harm: Cite
    custody: dict  # custody kind -> the Supreme Court case that settled the duty for it
    order: tuple[tuple[date, str, Cite], ...]


def load_method() -> Method:
    path = DATA_DIR / "qualified_immunity.yaml"
    raw = load_yaml_file(path)

    gen = _generality

    def size(node):
        s = check_mapping(node, {"from": Field(True, iso_date), "circuits": Field(True, lambda n: int(n)),
                                 "authority": Field(True, _cite), "note": Field(check=optional_text)}, "consensus size")
        return ConsensusSize(s["from"], s["circuits"], s["authority"], s.get("note"))

    def order(node):
        o = check_mapping(node, {"from": Field(True, iso_date), "order": Field(True, one_of("mandatory", "discretionary")),
                                 "authority": Field(True, _cite), "note": Field(check=optional_text)}, "order")
        return (o["from"], o["order"], o["authority"])

    v = check_mapping(raw, {
        "default_generality": Field(True, list_of(gen)), "consensus_size": Field(True, list_of(size)),
        "obvious_case": Field(True, _bar), "deshaney": Field(True, _cite), "direct_harm": Field(True, _cite),
        "custody": Field(True, lambda n: {k: _cite(v) for k, v in check_mapping(
            n, {k: Field(check=lambda x: x) for k in ("prison", "involuntary_commitment", "arrest")},
            "custody authorities").items()}),
        "order": Field(True, list_of(order)),
    }, "qualified-immunity method")
    return Method(_sorted(v["default_generality"], "default_generality", raw),
                  _sorted(v["consensus_size"], "consensus_size", raw), v["obvious_case"], v["deshaney"],
                  v["direct_harm"], v["custody"], tuple(v["order"]))


# --- everything -----------------------------------------------------------------------

@dataclass(frozen=True)
class Law:
    circuits: dict
    precedents: dict
    method: Method
    #: state-created-danger precedents of the circuits that decided prong one, by decision date:
    #: the cases a court would look to for a danger case on point (or one pointing the other way)
    danger_precedents: tuple = ()

    def cite(self, c: Cite) -> str:
        kept = c.__dict__.get("_cited")  # kept on the citation, for this body of law
        if kept is not None and kept[0] is self:
            return kept[1]
        text = self.precedents[c.case].cite(c.pin)
        c.__dict__["_cited"] = (self, text)
        return text


def _check_references(law: Law) -> None:
    problems = []

    def need(c: Cite | None, where_: str):
        if c is not None and c.case not in law.precedents:
            problems.append(f"{c.where or where_}: cites unknown precedent '{c.case}'")

    for circ in law.circuits.values():
        w = circ.source
        for s in circ.status:
            need(s.authority, w)
        for ver in circ.tests + circ.special_relationship:
            need(ver.authority, w)
            if ver.established_from:
                need(ver.established_from[1], w)
            for e in ver.elements:
                need(e.authority, w)
        for r in circ.culpability:
            need(r.authority, w)
            need(r.pursuit_authority, w)
        for c in circ.consensus:
            need(c.authority, w)
        for st in circ.stances.values():
            need(st.get("authority"), w)
        if circ.never_established_bar:
            need(circ.never_established_bar[1], w)
    from .readings import readings

    for r in readings().values():
        problems.extend(f"{r.source}: reading '{r.id}' cites unknown precedent '{c}'" for c in r.cases
                        if c not in law.precedents)
        problems.extend(f"{r.source}: reading '{r.id}' names '{c}', not a circuit; allowed: {', '.join(law.circuits)}"
                        for c in r.circuits if c not in law.circuits)
    m = law.method
    for g in m.generality:
        need(g.authority, "data/qualified_immunity.yaml")
    for s in m.consensus_size:
        need(s.authority, "data/qualified_immunity.yaml")
    need(obvious_inference().authority, "data/facts.yaml")
    need(custody_contours().authority, "data/facts.yaml")
    for c in (m.obvious_case[1], m.deshaney, m.direct_harm, *m.custody.values()):
        need(c, "data/qualified_immunity.yaml")
    for o in m.order:
        need(o[2], "data/qualified_immunity.yaml")
    for p in law.precedents.values():
        for other in p.cited_in:
            if other not in law.precedents:
                problems.append(f"{p.source}: precedent '{p.id}' cited_in names unknown precedent '{other}'")
        for key in ("relied_on", "distinguished"):
            for other in (p.prong_two or {}).get(key, ()):
                if other not in law.precedents:
                    problems.append(f"{p.source}: precedent '{p.id}' prong_two.{key} names unknown precedent "
                                    f"'{other}' (cite cases outside the base under other_authority)")
        if p.facts_raw is not None:
            try:
                p.fact_pattern()
                for op in p.opinions:
                    p.fact_pattern(op.id)
            except FactError as exc:
                problems.extend(f"{p.source}: precedent '{p.id}': {msg}" for msg in exc.problems)
    if problems:
        raise DataError(problems)


@lru_cache(maxsize=1)
def law() -> Law:
    """All the law, loaded and checked once per process."""
    vocabulary()  # a broken facts.yaml is reported once, against itself
    precedents = load_precedents()
    problems, circuits = [], {}
    for cid in CIRCUITS:
        path = DATA_DIR / "circuits" / f"{cid}.yaml"
        if not path.exists():
            problems.append(f"data/circuits/{cid}.yaml: missing")
            continue
        try:
            circuits[cid] = load_circuit(path)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    danger = tuple(p for p in sorted(precedents.values(), key=lambda p: (p.decided, p.id))
                   if p.violation is not None and p.facts_raw is not None and p.court != "scotus"
                   and p.theory == "state_created_danger")
    result = Law(circuits, precedents, load_method(), danger)
    _check_references(result)
    return result


# --- captions and later history, as a student reads them ------------------------------------

def short_caption(name: str) -> str:
    """'Kennedy ex rel. Gorton v. City of Ridgefield' -> 'Kennedy v. City of Ridgefield'."""
    return re.sub(r"\s+ex rel\.\s+.*?(?=\s+v\.\s)", "", name)


def caption(p: "Precedent", name: str | None = None) -> str:
    """'Kennedy v. City of Ridgefield (9th Cir. 2006)': the short caption (or `name`) and the court and year."""
    court = "" if p.court == "scotus" else CIRCUIT_ABBREVIATIONS[p.court] + " "
    return f"{name or short_caption(p.name)} ({court}{p.decided.year})"


def _replacement(p: "Precedent", h: HistoryEvent, precedents: Sequence["Precedent"]) -> "Precedent | None":
    """The precedent that took the place of `p` at history event `h`: the one `h.by` cites, else the
    first later opinion in the same court under the same caption (an amended or rehearing opinion)."""
    for q in precedents:
        if h.by and q.citation == h.by:
            return q
    for q in precedents:
        if (q.id != p.id and q.court == p.court and q.decided >= h.day
                and short_caption(q.name) == short_caption(p.name)):
            return q
    return None


def later_history(p: "Precedent", precedents: Sequence["Precedent"] | None = None) -> str | None:
    """'withdrawn 2006 (see the 2006 opinion)', or None while the opinion stands: the last
    event that undid it whose replacement the data has, else the first that undid it."""
    precedents = list(law().precedents.values()) if precedents is None else precedents
    dead = p.dead_events()
    if not dead:
        return None
    found = [(h, q) for h in dead if (q := _replacement(p, h, precedents)) is not None]
    h, q = found[-1] if found else (dead[0], None)
    said = f"{h.event} {h.day.year}"
    if q is None:
        return said + (f" by {h.by}" if h.by else "")
    if short_caption(q.name) == short_caption(p.name) and q.court == p.court:
        return f"{said} (see the {q.decided.year} opinion)"
    return f"{said} by {caption(q, q.short_name)}"

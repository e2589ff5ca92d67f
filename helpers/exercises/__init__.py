"""Self-grading exercises: the banks, their check, pure grading, and the widgets.

A bank is `lessons/<lesson>/exercises.yaml` (copy `lessons/TEMPLATE.yaml`). Types:
- `multiple_choice`: the author writes the choices, marks the right one(s), and gives
  feedback for every choice;
- `element_check`, `which_circuits`, `clearly_established_on`: the author writes only the
  facts (or names a case or hypothetical); the engine computes the key, and an optional
  `expect` lets `check-lessons` confirm the author and the engine agree;
- `short_answer`: free text, compared as a salted hash of the normalised answer;
- `argue`: the three-ply argument (cite, the defence's distinction and counterexample, the
  reply), each move graded by the comparison the engine makes for "clearly established"
  (`argue.py`);
- `characterise`: the student sets the facts of a narrative; compared fact by fact with the
  majority's and every separate opinion's encoding, with each difference's effect on the outcome
  in every circuit (`characterise.py`);
- `predict`: commit to which circuits find a violation (or whose answer a one-fact flip
  changes), then see every circuit (`predict.py`).

    >>> bank = load_lesson("01_deshaney")
    >>> grade(bank["why_joshua_lost"], "b").correct
    >>> exercise_set("01_deshaney")          # the widget, in a notebook

Nothing a student types is evaluated: answers are compared with choice ids or hashes.

Engine-keyed feedback names, for each wrong or missed choice, the element that decided it,
the fact behind it and its authority, and says where the rule is the workbook's own reading
or rests on an unverified precedent. Choices are shown in an order seeded by the student and
the exercise (`choice_order`). A lesson's set puts saved answers back on their questions in a
new kernel and scores the first try apart from the latest; `hand_in()` writes progress.csv
beside the notebook.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from ..engine import compare, evaluate
from ..facts import CIRCUIT_NAMES, CIRCUITS, FactError, Facts, circuit_id, parse_facts, vocabulary
from ..facts import _plain  # YAML's located mappings to plain dicts
from ..loading import (DataError, Field, flag_or_names, relocate, boolean, check_mapping, checked_entries, load_yaml_file, one_of, text,
                      where)
from ..law import in_force, law

LESSONS_DIR = Path(__file__).resolve().parent.parent.parent / "lessons"
TEMPLATE = LESSONS_DIR / "TEMPLATE.yaml"
BANK_FILE = "exercises.yaml"
HYPOTHETICALS_FILE = "hypotheticals.yaml"
GUIDE_FILE = "guide.md"

TYPES = ("multiple_choice", "element_check", "which_circuits", "clearly_established_on", "short_answer",
         "argue", "characterise", "predict")
ENGINE_TYPES = ("element_check", "which_circuits", "clearly_established_on")
THEORIES = ("state_created_danger", "special_relationship", "direct_harm")
ASKS = ("violation", "clearly_established", "immunity_denied")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA = re.compile(r"^[0-9a-f]{64}$")

# Keys each type may use, beyond id, type, prompt, title and explanation.
_TYPE_KEYS = {
    "multiple_choice": {"select", "choices"},
    "element_check": {"facts", "case", "opinion", "hypothetical", "changes", "theory", "expect"},
    "which_circuits": {"facts", "case", "opinion", "hypothetical", "changes", "ask", "circuits", "expect"},
    "clearly_established_on": {"facts", "case", "opinion", "hypothetical", "changes", "expect"},
    "short_answer": {"accept", "accept_sha256"},
    "argue": {"facts", "case", "opinion", "hypothetical", "changes", "cite", "counter"},
    "characterise": {"case", "narrative", "set"},
    "predict": {"facts", "case", "opinion", "hypothetical", "changes", "ask", "flip", "circuits"},
}
_COMMON_KEYS = {"id", "type", "prompt", "title", "explanation"}


# --- the model -------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Exercise:
    id: str
    lesson: str
    type: str
    prompt: str
    choices: tuple[Choice, ...]
    select: str  # one | many | text
    explanation: str | None = None
    title: str | None = None
    facts: Facts | None = None
    source: str = ""
    accept_hashes: frozenset = field(default_factory=frozenset)
    conduct_known: bool = True  # False: a case with no conduct date in the data (decision date stands in)
    plies: tuple = ()  # argue: the moves of the three-ply argument (argue.Ply)
    narrative: str | None = None  # characterise: the story the student reads
    asked: tuple[str, ...] = ()  # characterise: the facts she sets
    encodings: tuple = ()  # characterise: (opinion name, Facts) of every separate opinion

    @property
    def key(self) -> tuple[str, ...]:
        """The ids of the right choices (empty for short answers)."""
        return tuple(c.id for c in self.choices if c.correct)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Bank:
    lesson: str
    title: str
    exercises: tuple[Exercise, ...]
    source: str
    intro: str | None = None

    def __getitem__(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)

    def __len__(self) -> int:
        return len(self.exercises)


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str
    answered: bool = True
    details: tuple[str, ...] = ()  # with a right answer to an engine-keyed question: every choice's reason


@dataclass(frozen=True)
class Hypothetical:
    id: str
    title: str
    story: str
    facts: dict
    questions: tuple[str, ...]
    source: str


# --- grading (pure) ----------------------------------------------------------------------

def normalise_text(value: str) -> str:
    """Case, accents, punctuation, spacing and a leading article do not matter:
    'The Pinder v. Johnson' == 'pinder v johnson'."""
    s = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", " ", s.lower())
    return re.sub(r"^(the|a|an) ", "", " ".join(s.split()))


def answer_hash(lesson: str, exercise_id: str, answer: str) -> str:
    """The salted hash a short answer is compared by (`python -m helpers hash-answer`)."""
    salt = f"deshaney-workbook:{lesson}:{exercise_id}"
    return hashlib.sha256(f"{salt}\x00{normalise_text(answer)}".encode()).hexdigest()


def _choice_id(exercise: Exercise, value: Any) -> str | None:
    if exercise.type == "clearly_established_on":
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str) and normalise_text(value) in {"yes", "y", "true"}:
            return "yes"
        if isinstance(value, str) and normalise_text(value) in {"no", "n", "false"}:
            return "no"
    if exercise.type == "which_circuits":
        cid = circuit_id(value)
        if cid is not None:
            return cid
    if not isinstance(value, str):
        return None
    s = value.strip()
    if exercise.choice(s) or exercise.choice(s.lower()):
        return s if exercise.choice(s) else s.lower()
    by_text = {normalise_text(c.text): c.id for c in exercise.choices}
    return by_text.get(normalise_text(s))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def grade(exercise: Exercise, answer: Any) -> Feedback:
    """Grade one answer: a choice id (or its text) for one-answer questions, a collection of
    ids for tick-all-that-apply, a string for short answers, {ply: move} for an argument,
    {fact: value} for a characterisation. Never runs the answer."""
    if exercise.type == "argue":
        from .argue import grade_plies

        right, answered, lines, _ = grade_plies(exercise.plies, answer)
        return Feedback(right, _join("\n".join(lines), _no_verdict(exercise.explanation) if right else None),
                        answered=answered)
    if exercise.type == "characterise":
        from .characterise import grade_characterisation

        right, answered, lines = grade_characterisation(exercise.asked, answer, exercise.facts, exercise.encodings)
        return Feedback(right, _join("\n".join(lines), _no_verdict(exercise.explanation) if right else None),
                        answered=answered)
    if exercise.select == "text":
        if not isinstance(answer, str) or not normalise_text(answer):
            return Feedback(False, "Type an answer, then press Check.", answered=False)
        if answer_hash(exercise.lesson, exercise.id, answer) in exercise.accept_hashes:
            return Feedback(True, _join("Right.", exercise.explanation))
        return Feedback(False, "Not quite. Check the spelling, or try the short name a lawyer would use.")

    if exercise.select == "one":
        if isinstance(answer, (list, tuple, set, frozenset)) and len(answer) == 1:
            answer = next(iter(answer))
        if answer is None or answer == "":
            return Feedback(False, "Choose an answer, then press Check.", answered=False)
        cid = _choice_id(exercise, answer)
        if cid is None:
            return Feedback(False, f"'{answer}' is not one of the choices.", answered=False)
        chosen = exercise.choice(cid)
        assert chosen is not None
        if chosen.correct:
            return Feedback(True, _join(_lead("Right.", chosen.feedback), _no_verdict(exercise.explanation)))
        return Feedback(False, _lead("Not quite.", chosen.feedback))

    # select == "many": the set ticked must equal the key (an empty set is an answer: "none").
    if answer is None:
        return Feedback(False, "Tick the answers that apply (or none), then press Check.", answered=False)
    values = [answer] if isinstance(answer, (str, bool)) else list(answer)
    ids, unknown = [], []
    for v in values:
        cid = _choice_id(exercise, v)
        (ids if cid else unknown).append(cid or v)
    if unknown:
        return Feedback(False, f"Not among the choices: {', '.join(map(str, unknown))}.", answered=False)
    ticked, key = set(ids), set(exercise.key)
    if ticked == key:
        details = tuple(c.feedback if c.feedback.startswith(c.text) else f"{c.text}: {c.feedback}"
                        for c in exercise.choices) if exercise.type in ENGINE_TYPES + ("predict",) else ()
        return Feedback(True, _join("Right.", exercise.explanation), details=details)
    lines = ["Not quite."]
    for c in exercise.choices:
        if c.id in ticked and not c.correct:
            lines.append(f'- You ticked "{c.text}", but it should not be ticked. {c.feedback}')
    for c in exercise.choices:
        if c.correct and c.id not in ticked:
            lines.append(f'- You left "{c.text}" unticked, but it should be ticked. {c.feedback}')
    if exercise.type == "predict":  # the prediction is committed: reveal every circuit's answer
        return Feedback(False, "\n".join(lines), details=tuple(c.feedback for c in exercise.choices))
    return Feedback(False, "\n".join(lines))


def _lead(verdict: str, feedback: str) -> str:
    """Feedback that already opens with Yes or No needs no verdict in front of it."""
    return feedback if re.match(r"^(yes|no)\b", feedback.strip(), re.I) else f"{verdict} {feedback}"


def _no_verdict(explanation: str | None) -> str | None:
    """The explanation under a right answer, without a leading 'No.' or 'Yes.' of its own (after
    'Right.', 'No. The majority found ...' reads as if the answer were wrong)."""
    if not explanation:
        return explanation
    return re.sub(r"^(yes|no)[.:]\s+", "", explanation.strip(), count=1, flags=re.I) or explanation


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


# --- loading and checking a bank ---------------------------------------------------------

def _exercise_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"'{value}' is not a stable id: use lower-case letters, digits and underscores, "
                         "starting with a letter (e.g. why_joshua_lost)")
    return value


def _lesson_id(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^[a-z0-9][a-z0-9_]*$", value):
        raise ValueError(f"'{value}' is not a lesson id: use the folder's name, lower-case letters, digits "
                         "and underscores (e.g. 08_my_seminar)")
    return value


def _sha(value: Any) -> str:
    if not isinstance(value, str) or not _SHA.match(value):
        raise ValueError(f"'{value}' is not a SHA-256 hex digest (make one with python -m helpers hash-answer)")
    return value


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping of facts, got {type(value).__name__}")
    return value


def _texts(value: Any) -> list[str]:
    return [text(v) for v in _list(value)]


_FIELDS = {
    "id": Field(True, _exercise_id),
    "type": Field(True, one_of(*TYPES)),
    "prompt": Field(True, text),
    "title": Field(False, text),
    "explanation": Field(False, text),
    "select": Field(False, one_of("one", "many")),
    "choices": Field(False, _list),
    "facts": Field(False, _mapping),
    "case": Field(False, text),
    "opinion": Field(False, text),
    "hypothetical": Field(False, text),
    "changes": Field(False, _mapping),
    "theory": Field(False, one_of(*THEORIES)),
    "ask": Field(False, one_of(*ASKS)),
    "circuits": Field(False, _list),
    "expect": Field(False, flag_or_names),
    "accept": Field(False, _texts),
    "accept_sha256": Field(False, lambda v: [_sha(x) for x in _list(v)]),
    "cite": Field(False, _texts),
    "counter": Field(False, _texts),
    "narrative": Field(False, text),
    "set": Field(False, _texts),
    "flip": Field(False, _mapping),
}
_CHOICE_FIELDS = {
    "text": Field(True, text),
    "correct": Field(False, boolean),
    "feedback": Field(True, text),
}
_BANK_FIELDS = {
    "lesson": Field(True, _lesson_id),
    "title": Field(True, text),
    "intro": Field(False, text),
    "exercises": Field(True, _list),
}
_HYPO_FIELDS = {
    "id": Field(True, _exercise_id),
    "title": Field(True, text),
    "story": Field(True, text),
    "facts": Field(True, _mapping),
    "questions": Field(False, _texts),
}


def _read_bank_file(path: Path):
    """The one place a bank or hypotheticals file is read (YAML, with lines for messages)."""
    return load_yaml_file(path)


def load_hypotheticals(lesson_or_path: str | Path = "07_capstone") -> dict[str, Hypothetical]:
    """The hypotheticals of a lesson folder (or file), checked: facts valid, ids unique."""
    path = Path(lesson_or_path)
    if not path.suffix:
        path = (path if path.is_dir() else LESSONS_DIR / str(lesson_or_path)) / HYPOTHETICALS_FILE
    return _load_hypotheticals(path.resolve())


@lru_cache(maxsize=16)
def _load_hypotheticals(path: Path) -> dict[str, Hypothetical]:
    if not path.is_file():
        raise DataError([f"{path}: no such file"])
    raw = _read_bank_file(path)
    top = check_mapping(raw, {"hypotheticals": Field(True, _list)}, "a hypotheticals file")
    out: dict[str, Hypothetical] = {}
    problems: list[str] = []
    for node, h in checked_entries(top["hypotheticals"], _HYPO_FIELDS, "a hypothetical", problems):
        if h["id"] in out:
            problems.append(f"{where(node, 'id')}: duplicate hypothetical id '{h['id']}' (first at {out[h['id']].source})")
            continue
        facts = _plain(h["facts"])
        try:
            parse_facts(facts)
        except FactError as exc:
            problems.extend(f"{where(node, 'facts')}: hypothetical '{h['id']}': {p}" for p in exc.problems)
            continue
        out[h["id"]] = Hypothetical(h["id"], h["title"], h["story"], facts, tuple(h.get("questions", ())),
                                    where(node))
    if problems:
        raise DataError(problems)
    return out


def hypothetical_facts(hypothetical_id: str, lesson: str = "07_capstone") -> dict:
    """A capstone hypothetical's facts, complete (defaults filled in), ready for
    `lab.set(**facts)`, `compare` or `answer_card`."""
    return parse_facts(load_hypotheticals(lesson)[hypothetical_id].facts).to_dict()


def _facts_for(node: dict, ex: dict, folder: Path, need_circuit: bool) -> Facts:
    sources = [k for k in ("facts", "case", "hypothetical") if k in ex]
    if len(sources) != 1:
        raise DataError([f"{where(node)}: exercise '{ex['id']}' needs exactly one of facts, case or "
                         f"hypothetical (found {', '.join(sources) or 'none'})"])
    src = sources[0]
    if "opinion" in ex and src != "case":
        raise DataError([f"{where(node, 'opinion')}: 'opinion' goes with 'case'"])
    if src == "facts":
        raw = _plain(ex["facts"])
    elif src == "case":
        p = law().precedents.get(ex["case"])
        if p is None:
            raise DataError([f"{where(node, 'case')}: unknown case '{ex['case']}'; use a precedent id from "
                             "data/precedents/ (e.g. kennedy_v_ridgefield_2006)"])
        opinion = ex.get("opinion")
        if opinion is not None and opinion not in {o.id for o in p.opinions}:
            have = ", ".join(o.id for o in p.opinions) or "none encoded"
            raise DataError([f"{where(node, 'opinion')}: {p.short_name} has no opinion '{opinion}'; opinions: {have}"])
        fp = p.fact_pattern(opinion)
        if fp is None:
            raise DataError([f"{where(node, 'case')}: {p.short_name} has no encoded fact pattern; write 'facts' instead"])
        raw = fp.to_dict()
    else:
        hyps = _load_hypotheticals((folder / HYPOTHETICALS_FILE).resolve())
        if ex["hypothetical"] not in hyps:
            raise DataError([f"{where(node, 'hypothetical')}: no hypothetical '{ex['hypothetical']}' in "
                             f"{folder / HYPOTHETICALS_FILE}; ids: {', '.join(hyps)}"])
        raw = dict(hyps[ex["hypothetical"]].facts)
    raw.update(_plain(ex.get("changes") or {}))
    try:
        return parse_facts(raw, need_circuit=need_circuit)
    except FactError as exc:
        key = "changes" if "changes" in ex else src
        raise DataError([f"{where(node, key)}: exercise '{ex['id']}': {p}" for p in exc.problems]) from None


def _cite_all(ids: Iterable[str]) -> str:
    precedents = law().precedents
    return "; ".join(precedents[i].cite() for i in ids if i in precedents)


# --- engine-keyed reasons: the element that decided each answer, and its authority --------

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


def _engine_choices(kind: str, facts: Facts, ex: dict, node: dict) -> tuple[Choice, ...]:
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


def _check_expect(kind: str, ex: dict, node: dict, choices: tuple[Choice, ...]) -> list[str]:
    """Does the author's `expect` agree with the engine's key?"""
    expect, at, name = ex["expect"], where(node, "expect"), f"exercise '{ex['id']}'"
    key = {c.id for c in choices if c.correct}
    if kind == "clearly_established_on":
        if not isinstance(expect, bool):
            return [f"{at}: {name}: expect must be true or false, not {expect!r}"]
        if expect != ("yes" in key):
            return [f"{at}: {name}: expect says {'' if expect else 'not '}clearly established, but the engine "
                    f"says {'' if 'yes' in key else 'not '}clearly established: {choices[0].feedback}"]
        return []
    if not isinstance(expect, list):
        return [f"{at}: {name}: expect must be a list ({'element ids' if kind == 'element_check' else 'circuits'})"]
    if kind == "which_circuits":
        ids = [circuit_id(v) for v in expect]
        bad = [v for v, c in zip(expect, ids) if c not in {ch.id for ch in choices}]
        if bad:
            return [f"{at}: {name}: not among this exercise's circuits: {', '.join(map(str, bad))}"]
        what = "circuits"
    else:
        ids = list(expect)
        bad = [v for v in ids if v not in {ch.id for ch in choices}]
        if bad:
            return [f"{at}: {name}: unknown element ids {', '.join(map(str, bad))}; this test's elements: "
                    f"{', '.join(ch.id for ch in choices)}"]
        what = "elements met"
    if set(ids) != key:
        order = [c.id for c in choices]
        return [f"{at}: {name}: expect lists {what} [{', '.join(sorted(set(ids), key=order.index))}] but the engine "
                f"computes [{', '.join(c.id for c in choices if c.correct)}]. Change the facts or the expect."]
    return []


def _build(node: Any, lesson: str, folder: Path) -> tuple[Exercise, bool]:
    ex = check_mapping(node, _FIELDS, "an exercise")
    kind = ex["type"]
    stray = [k for k in ex if k not in _COMMON_KEYS | _TYPE_KEYS[kind]]
    if stray:
        raise DataError([f"{where(node, k)}: key '{k}' is not used by a {kind} exercise; it may use: "
                         f"{', '.join(sorted(_COMMON_KEYS | _TYPE_KEYS[kind]))}" for k in stray])
    common = dict(id=ex["id"], lesson=lesson, type=kind, prompt=ex["prompt"], explanation=ex.get("explanation"),
                  title=ex.get("title"), source=where(node))
    if kind not in ("multiple_choice", "argue") and "explanation" not in ex:
        raise DataError([f"{where(node)}: exercise '{ex['id']}' needs an 'explanation' (the feedback shown "
                         "with a right answer)"])
    if kind == "multiple_choice":
        if "choices" not in ex:
            raise DataError([f"{where(node)}: exercise '{ex['id']}' needs 'choices'"])
        choices, problems = [], []
        for i, cnode in enumerate(ex["choices"]):
            try:
                c = check_mapping(cnode, _CHOICE_FIELDS, f"a choice of exercise '{ex['id']}'")
            except DataError as exc:
                problems.extend(exc.problems)
                continue
            choices.append(Choice(chr(ord("a") + i), c["text"], c.get("correct", False), c["feedback"]))
        select = ex.get("select", "one")
        n_right = sum(c.correct for c in choices)
        if not problems:
            if len(choices) < 2:
                problems.append(f"{where(node, 'choices')}: exercise '{ex['id']}' needs at least two choices")
            elif select == "one" and n_right != 1:
                problems.append(f"{where(node, 'choices')}: exercise '{ex['id']}' has {n_right} choices marked "
                                "correct: true; a select: one question needs exactly one (or use select: many)")
            elif select == "many" and n_right < 1:
                problems.append(f"{where(node, 'choices')}: exercise '{ex['id']}' has no choice marked correct: true")
            texts = [normalise_text(c.text) for c in choices]
            if len(set(texts)) != len(texts):
                problems.append(f"{where(node, 'choices')}: exercise '{ex['id']}' has two choices with the same text")
        if problems:
            raise DataError(problems)
        return Exercise(choices=tuple(choices), select=select, **common), False
    if kind == "short_answer":
        hashes = {answer_hash(lesson, ex["id"], a) for a in ex.get("accept", ())} | set(ex.get("accept_sha256", ()))
        if not hashes:
            raise DataError([f"{where(node)}: exercise '{ex['id']}' needs 'accept' (answers) or 'accept_sha256'"])
        return Exercise(choices=(), select="text", accept_hashes=frozenset(hashes), **common), False
    if kind in ("argue", "characterise", "predict"):
        return _build_new_kind(node, ex, kind, folder, common), False
    facts = _facts_for(node, ex, folder, need_circuit=kind != "which_circuits")
    choices = _engine_choices(kind, facts, ex, node)
    if "expect" in ex:
        problems = _check_expect(kind, ex, node, choices)
        if problems:
            raise DataError(problems)
    select = "one" if kind == "clearly_established_on" else "many"
    known = not ("case" in ex and law().precedents[ex["case"]].conduct is None
                 and "conduct_date" not in (ex.get("changes") or {}))
    return Exercise(choices=choices, select=select, facts=facts, conduct_known=known, **common), "expect" in ex


def _known_cases(node: dict, ex: dict, key: str) -> list[str]:
    ids = list(ex.get(key) or [])
    L = law()
    bad = [i for i in ids if i not in L.precedents]
    if bad:
        raise DataError([f"{where(node, key)}: exercise '{ex['id']}': unknown case(s) {', '.join(bad)}; use precedent "
                         "ids from data/precedents/"])
    return ids


def _build_new_kind(node: dict, ex: dict, kind: str, folder: Path, common: dict) -> Exercise:
    """The argument, characterisation and prediction exercises: keys from the engine's comparison."""
    if kind == "argue":
        from .argue import ArgumentError, plies, verdict

        facts = _facts_for(node, ex, folder, need_circuit=True)
        try:
            moves = plies(facts, _known_cases(node, ex, "cite") or None, _known_cases(node, ex, "counter") or None)
        except ArgumentError as exc:
            raise DataError([f"{where(node)}: exercise '{ex['id']}': {exc}"]) from None
        common["explanation"] = _join(common["explanation"], verdict(facts))
        return Exercise(choices=(), select="plies", facts=facts, plies=moves, **common)
    if kind == "characterise":
        if "case" not in ex or "set" not in ex or "narrative" not in ex:
            raise DataError([f"{where(node)}: exercise '{ex['id']}' needs 'case', 'narrative' and 'set' (the facts the "
                             "student sets)"])
        facts = _facts_for(node, ex, folder, need_circuit=True)
        vocab = vocabulary()
        bad = [f for f in ex["set"] if f not in vocab or vocab[f].kind not in ("flag", "choice") or vocab[f].option]
        if bad:
            raise DataError([f"{where(node, 'set')}: exercise '{ex['id']}': {', '.join(bad)} cannot be set by a "
                             "student; use facts of data/facts.yaml with yes/no or a list of values"])
        p = law().precedents[ex["case"]]
        others = tuple((o.author, p.fact_pattern(o.id)) for o in p.opinions  # the separate opinions
                       if o.id != "majority" and p.fact_pattern(o.id) is not None)
        return Exercise(choices=(), select="facts", facts=facts, narrative=ex["narrative"], asked=tuple(ex["set"]),
                        encodings=others, **common)
    from .predict import prediction_key

    facts = _facts_for(node, ex, folder, need_circuit=False)
    flip = _plain(ex.get("flip") or {}) or None
    if flip:
        try:
            parse_facts({**facts.to_dict(), **flip})
        except FactError as exc:
            raise DataError([f"{where(node, 'flip')}: exercise '{ex['id']}': {p}" for p in exc.problems]) from None
    wanted = tuple(circuit_id(c) or str(c) for c in ex.get("circuits") or ())
    unknown = [c for c in wanted if c not in CIRCUITS]
    if unknown:
        raise DataError([f"{where(node, 'circuits')}: exercise '{ex['id']}': unknown circuits {', '.join(unknown)}"])
    key = prediction_key(facts, ex.get("ask", "violation"), flip, wanted)
    choices = tuple(Choice(cid, CIRCUIT_NAMES[cid], right, why) for cid, right, why in key)
    return Exercise(choices=choices, select="many", facts=facts, **common)


@dataclass(frozen=True)
class CheckReport:
    banks: tuple[Bank, ...]
    problems: tuple[str, ...]
    expects_confirmed: int = 0


def _load(path: Path) -> tuple[Bank, int]:
    raw = _read_bank_file(path)
    top = check_mapping(raw, _BANK_FIELDS, "an exercise bank")
    folder = path.parent
    problems: list[str] = []
    if path.name == BANK_FILE and folder.parent.resolve() == LESSONS_DIR.resolve() and top["lesson"] != folder.name:
        problems.append(f"{where(raw, 'lesson')}: lesson '{top['lesson']}' does not match its folder "
                        f"'{folder.name}'; they must be the same")
    exercises: list[Exercise] = []
    seen: dict[str, str] = {}
    confirmed = 0
    for i, node in enumerate(top["exercises"]):
        raw_id = node.get("id") if isinstance(node, dict) else None
        if isinstance(raw_id, str):
            if raw_id in seen:
                problems.append(f"{where(node, 'id')}: duplicate exercise id '{raw_id}' (first at {seen[raw_id]})")
                continue
            seen[raw_id] = where(node, "id")
        try:
            ex, had_expect = _build(node, top["lesson"], folder)
        except DataError as exc:
            problems.extend(relocate(exc.problems, where(top["exercises"], i)))
            continue
        exercises.append(ex)
        confirmed += had_expect
    if not top["exercises"]:
        problems.append(f"{where(raw, 'exercises')}: the bank has no exercises")
    if problems:
        raise DataError(problems)
    return Bank(top["lesson"], top["title"], tuple(exercises), str(path), top.get("intro")), confirmed


def load_bank(path: str | Path) -> Bank:
    """Load and check one bank; a DataError lists every problem with file and line."""
    return _load(Path(path))[0]


def load_lesson(lesson_id: str, lessons_dir: str | Path | None = None) -> Bank:
    folder = Path(lessons_dir) if lessons_dir else LESSONS_DIR
    path = folder / lesson_id / BANK_FILE
    if not path.is_file():
        have = ", ".join(sorted(p.parent.name for p in folder.glob(f"*/{BANK_FILE}")))
        raise DataError([f"{path}: no exercise bank for lesson '{lesson_id}'; lessons: {have}"])
    return load_bank(path)


def _bank_files(paths: Iterable[str | Path] | None) -> list[Path]:
    if not paths:
        return sorted(LESSONS_DIR.glob(f"*/{BANK_FILE}")) + ([TEMPLATE] if TEMPLATE.exists() else [])
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob(f"*/{BANK_FILE}")) or sorted(p.glob(BANK_FILE))
            out.extend(found)
            if not found:
                out.append(p / BANK_FILE)
        else:
            out.append(p)
    return out


def check_lessons(paths: Iterable[str | Path] | None = None) -> CheckReport:
    """Check every bank (default: lessons/*/exercises.yaml and the template) and its folder."""
    banks, problems, confirmed = [], [], 0
    for path in _bank_files(paths):
        if not path.is_file():
            problems.append(f"{path}: no such file")
            continue
        try:
            bank, n = _load(path)
            banks.append(bank)
            confirmed += n
        except DataError as exc:
            problems.extend(exc.problems)
        if path.name == BANK_FILE:
            if not (path.parent / GUIDE_FILE).is_file():
                problems.append(f"{path.parent / GUIDE_FILE}: missing: every lesson folder needs a professor's guide")
            if (path.parent / HYPOTHETICALS_FILE).is_file():
                try:
                    _load_hypotheticals((path.parent / HYPOTHETICALS_FILE).resolve())
                except DataError as exc:
                    problems.extend(p for p in exc.problems if p not in problems)
    return CheckReport(tuple(banks), tuple(dict.fromkeys(problems)), confirmed)


# --- presentation helpers ----------------------------------------------------------------

def describe_facts(facts: Facts, *, show_circuit: bool = True, conduct_known: bool = True) -> list[str]:
    """The facts in plain English: forum and dates, every fact not at its default, then the rest."""
    from ..rendering import facts_lines

    return facts_lines(facts, show_circuit=show_circuit, conduct_known=conduct_known, list_defaults=True)


def _html_lines(message: str) -> str:
    parts, bullets = [], []
    for line in message.split("\n"):
        if line.startswith("- "):
            bullets.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if bullets:
            parts.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        parts.append(f"<p>{html.escape(line)}</p>")
    if bullets:
        parts.append("<ul>" + "".join(bullets) + "</ul>")
    return "".join(parts)


def case_note(precedent_id: str, opinion: str | None = None):
    """A short card for a case: citation, our summary, the rule, and its quotation if any."""
    import ipywidgets as widgets

    from ..rendering import student_text  # notes for the data's maintainers never reach a student

    p = law().precedents[precedent_id]
    bits = [f"<p><b>{html.escape(p.cite())}</b></p>"]
    if opinion:
        op = next(o for o in p.opinions if o.id == opinion)
        bits.append(f"<p><i>{html.escape(student_text(op.author))}</i></p>")
        if op.note and student_text(op.note):
            bits.append(f"<p>{html.escape(student_text(op.note))}</p>")
    if p.summary and student_text(p.summary):
        bits.append(f"<p>{html.escape(student_text(p.summary))}</p>")
    if p.rule and student_text(p.rule):
        bits.append(f"<p><b>Rule.</b> {html.escape(student_text(p.rule))}</p>")
    if p.quote:
        pin = f" (at {p.quote_pin})" if p.quote_pin else ""
        bits.append(f"<p>&ldquo;{html.escape(p.quote)}&rdquo;{html.escape(pin)}</p>")
    note = widgets.HTML("<div class='deshaney-case-note'>" + "".join(bits) + "</div>")
    note.add_class("deshaney-case-note")
    return note


def hypothetical_card(hypothetical_id: str, lesson: str = "07_capstone"):
    """The story of a capstone hypothetical, with its discussion questions."""
    import ipywidgets as widgets

    h = load_hypotheticals(lesson)[hypothetical_id]
    facts = parse_facts(h.facts)
    questions = "".join(f"<li>{html.escape(q)}</li>" for q in h.questions)
    body = (f"<h4>{html.escape(h.title)}</h4><p>{html.escape(h.story)}</p>"
            f"<details><summary>The facts as the fact panel sees them</summary><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in describe_facts(facts)) + "</ul></details>"
            + (f"<p><b>Think about:</b></p><ol>{questions}</ol>" if questions else ""))
    card = widgets.HTML(body)
    card.add_class("deshaney-hypothetical")
    return card


# --- choice order: varied, and stable for each student ----------------------------------

#: Types whose choices are shuffled: an author's list (and yes/no). Circuits (ca1 ... cadc) and a
#: test's elements keep their natural order, which is part of what they teach.
SHUFFLED_TYPES = ("multiple_choice", "clearly_established_on")


def _rng(*parts: str) -> random.Random:
    seed = hashlib.sha256("\x00".join(parts).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _shuffled(exercise: Exercise, student: str, first: bool | None) -> tuple[Choice, ...]:
    """The choices in a seeded order; `first` True/False puts the (one) right choice first or not."""
    rng = _rng(student, exercise.lesson, exercise.id)
    order = list(exercise.choices)
    rng.shuffle(order)
    if first is None or exercise.select != "one":
        return tuple(order)
    right = next(c for c in order if c.correct)
    others = [c for c in order if c is not right]
    at = 0 if first else rng.randrange(1, len(order))
    return tuple(others[:at] + [right] + others[at:])


@lru_cache(maxsize=64)
def _bank_plan(bank: Bank, student: str) -> frozenset:
    """Which one-answer questions of a bank show the right choice first for this student: a seeded
    pick of no more than chance would give (the sum of 1/choices, rounded down), so across a
    lesson the right answer is first less often than a fair shuffle allows, for every student."""
    singles = [ex for ex in bank.exercises if ex.type in SHUFFLED_TYPES and ex.select == "one"]
    quota = int(sum(1 / len(ex.choices) for ex in singles) + 1e-9)
    rng = _rng(student, bank.lesson)
    ids = [ex.id for ex in singles]
    rng.shuffle(ids)
    return frozenset(ids[:quota])


def choice_order(exercise: Exercise, student: str | None = None, bank: Bank | None = None) -> tuple[Choice, ...]:
    """The order a student sees the choices in: shuffled by a seed made from the student and the
    exercise, so a retry or a restarted kernel shows the same order, and another student another.
    Within a lesson's set (`bank`), the right choice comes first in at most the share of one-answer
    questions a fair shuffle would give on average. Only the display moves: answers are choice
    ids, graded and saved as before."""
    if exercise.type not in SHUFFLED_TYPES or len(exercise.choices) < 2:
        return exercise.choices
    if student is None:
        from ..progress import current_student

        student = current_student()
    if bank is None or exercise.select != "one":
        return _shuffled(exercise, student, None)
    return _shuffled(exercise, student, exercise.id in _bank_plan(bank, student))


def _parse_saved(exercise: Exercise, saved: str) -> Any:
    """A saved answer (as `ExerciseWidget.answer_text` wrote it) back into an answer."""
    if exercise.select == "many":
        return [v for v in saved.split(",") if v]
    if exercise.select == "plies":
        from .argue import parse_moves

        return parse_moves(saved)
    if exercise.select == "facts":
        from .characterise import parse_choices

        return parse_choices(exercise.asked, saved)
    return saved


# --- the widgets -------------------------------------------------------------------------

class ExerciseWidget:
    """One exercise: prompt, facts, choices, Check, Retry and feedback.

    `on_check(self, feedback)` is called with every graded answer (for scoring and saving)
    and may return a note to add under the feedback (e.g. 'not saved yet')."""

    def __init__(self, exercise: Exercise, number: int | None = None,
                 on_check: Callable[["ExerciseWidget", Feedback], str | None] | None = None,
                 student: str | None = None, bank: Bank | None = None):
        import ipywidgets as widgets

        self.exercise = exercise
        self.on_check = on_check
        self.last: Feedback | None = None
        self.order = choice_order(exercise, student, bank)
        heading = f"{number}. " if number else ""
        if exercise.title:
            heading += exercise.title
        prompt = (f"<p><b>{html.escape(heading)}</b></p>" if heading else "") + _html_lines(exercise.prompt)
        if exercise.narrative:
            prompt += f"<blockquote class='deshaney-narrative'>{_html_lines(exercise.narrative)}</blockquote>"
        self.prompt = widgets.HTML(prompt)
        parts = [self.prompt]
        if exercise.facts is not None and exercise.type != "characterise":
            lines = describe_facts(exercise.facts, show_circuit=exercise.type != "which_circuits",
                                   conduct_known=exercise.conduct_known)
            self.facts = widgets.HTML("<ul class='deshaney-facts'>" + "".join(
                f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
            parts.append(self.facts)
        wide = widgets.Layout(width="auto", max_width="100%")
        self._plies: list = []
        if exercise.select == "plies":  # one group of moves per ply, opened one after another
            self._plies = [widgets.RadioButtons(options=[(m.text, m.id) for m in ply.moves], value=None, layout=wide)
                           for ply in exercise.plies]
            self._ply_boxes = []
            for ply, radio in zip(exercise.plies, self._plies):
                radio.add_class(f"deshaney-ply-{ply.id}")
                box = widgets.VBox([widgets.HTML(f"<p><b>{html.escape(ply.label)}.</b> {html.escape(ply.prompt)}</p>"),
                                    radio])
                box.add_class("deshaney-ply")
                self._ply_boxes.append(box)
            self._boxes = list(self._plies)
            self.choices = widgets.VBox(self._ply_boxes)
            self._open_plies(1)
        elif exercise.select == "facts":  # the student sets each fact herself
            vocab = vocabulary()
            self._setters = {}
            for f in exercise.asked:
                spec = vocab[f]
                options = ([("(choose)", "")] + ([("yes", "yes"), ("no", "no")] if spec.kind == "flag" else
                                                 [(spec.label_of(v), v) for v in spec.values]))
                dd = widgets.Dropdown(options=options, value="", description=spec.label,
                                      style={"description_width": "initial"}, layout=wide)
                dd.add_class(f"deshaney-set-{f}")
                self._setters[f] = dd
            self._boxes = list(self._setters.values())
            self.choices = widgets.VBox(self._boxes)
        elif exercise.select == "one":
            self.choices = widgets.RadioButtons(options=[(c.text, c.id) for c in self.order], value=None,
                                                layout=wide)
            self._boxes: list = []
        elif exercise.select == "many":
            self._boxes = [widgets.Checkbox(value=False, description=c.text, indent=False, layout=wide)
                           for c in self.order]
            self.choices = widgets.VBox(self._boxes)
        else:
            self._boxes = []
            self.choices = widgets.Text(placeholder="Type your answer", layout=widgets.Layout(width="60%"))
        self.choices.add_class("deshaney-choices")
        self.check = widgets.Button(description="Check", button_style="primary")
        self.check.add_class("deshaney-check")
        self.retry = widgets.Button(description="Retry", disabled=True)
        self.retry.add_class("deshaney-retry")
        self.feedback = widgets.HTML("")
        self.feedback.add_class("deshaney-feedback")
        self.check.on_click(lambda _: self.submit())
        self.retry.on_click(lambda _: self.reset())
        self.box = widgets.VBox(parts + [self.choices, widgets.HBox([self.check, self.retry]), self.feedback],
                                layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="8px 0"))
        self.box.add_class("deshaney-exercise")
        self.box.add_class(f"deshaney-exercise-{exercise.id}")

    def _open_plies(self, n: int) -> None:
        for i, box in enumerate(getattr(self, "_ply_boxes", [])):
            box.layout.display = None if i < n else "none"

    def answer(self) -> Any:
        if self.exercise.select == "plies":
            return {ply.id: r.value for ply, r in zip(self.exercise.plies, self._plies) if r.value}
        if self.exercise.select == "facts":
            return {f: dd.value for f, dd in self._setters.items() if dd.value != ""}
        if self.exercise.select == "many":
            return [c.id for c, box in zip(self.order, self._boxes) if box.value]
        return self.choices.value

    def set_answer(self, value: Any) -> None:
        """Select an answer as a student would (tests drive the widget through this)."""
        if self.exercise.select == "plies":
            from .argue import parse_moves

            moves = parse_moves(value)
            for ply, r in zip(self.exercise.plies, self._plies):
                r.value = moves.get(ply.id) if moves.get(ply.id) in {m.id for m in ply.moves} else None
            self._open_plies(max([i + 1 for i, p in enumerate(self.exercise.plies) if p.id in moves] + [1]))
            return
        if self.exercise.select == "facts":
            from .characterise import choices_text, parse_choices

            chosen = parse_choices(self.exercise.asked, value)
            shown = dict(p.split("=", 1) for p in choices_text(chosen).split(";") if "=" in p)
            for f, dd in self._setters.items():
                dd.value = shown.get(f, "")
            return
        if self.exercise.select == "many":
            chosen = {_choice_id(self.exercise, v) for v in ([value] if isinstance(value, str) else value)}
            for c, box in zip(self.order, self._boxes):
                box.value = c.id in chosen
        elif self.exercise.select == "one":
            self.choices.value = _choice_id(self.exercise, value)
        else:
            self.choices.value = value

    def submit(self) -> Feedback:
        fb = grade(self.exercise, self.answer())
        self.last = fb
        if self.exercise.select == "plies":  # open the next ply once the ones before it are right
            from .argue import grade_plies

            self._open_plies(min(len(self._plies), grade_plies(self.exercise.plies, self.answer())[3] + 1))
        if not fb.answered:
            self.feedback.value = f"<div class='deshaney-feedback-pending'>{_html_lines(fb.message)}</div>"
            return fb
        note = self.on_check(self, fb) if self.on_check else None
        self._show(fb, note)
        return fb

    def restore(self, saved: str, note: str | None = None) -> Feedback | None:
        """Show a saved answer as it was left: selected, graded and locked (nothing is saved again).
        An answer that no longer fits the question (the bank changed) is left out: None."""
        value = _parse_saved(self.exercise, saved)
        fb = grade(self.exercise, value)
        if not fb.answered:
            return None
        self.set_answer(value)
        self.last = fb
        self._show(fb, note)
        return fb

    def _show(self, fb: Feedback, note: str | None) -> None:
        colour, mark = ("#1b5e20", "Correct") if fb.correct else ("#b71c1c", "Try again")
        details = ""
        if fb.details:
            details = ("<details class='deshaney-feedback-details'><summary>Every choice, with its reason"
                       "</summary><ul>" + "".join(f"<li>{html.escape(d)}</li>" for d in fb.details)
                       + "</ul></details>")
        self.feedback.value = (f"<div class='deshaney-feedback-{'right' if fb.correct else 'wrong'}' "
                               f"style='border-left:4px solid {colour};padding-left:8px'>"
                               f"<p><b style='color:{colour}'>{mark}</b></p>{_html_lines(fb.message)}{details}"
                               + (f"<p><i>{html.escape(note)}</i></p>" if note else "") + "</div>")
        self._lock(True)

    def reset(self) -> None:
        if self.exercise.select == "plies":  # keep the right moves; clear the first wrong one and after
            from .argue import grade_plies

            n = grade_plies(self.exercise.plies, self.answer())[3]
            for r in self._plies[n:]:
                r.value = None
            self._open_plies(n + 1)
        elif self.exercise.select == "facts":
            pass  # keep her choices: she changes the ones she wants
        elif self.exercise.select == "many":
            for box in self._boxes:
                box.value = False
        else:
            self.choices.value = None if self.exercise.select == "one" else ""
        self.feedback.value = ""
        self.last = None
        self._lock(False)

    def _lock(self, locked: bool) -> None:
        for w in [self.choices, *self._boxes]:
            w.disabled = locked
        self.check.disabled = locked
        self.retry.disabled = not locked

    @property
    def answer_text(self) -> str:
        if self.exercise.select == "plies":
            from .argue import moves_text

            return moves_text(self.answer())
        if self.exercise.select == "facts":
            from .characterise import choices_text, parse_choices

            return choices_text(parse_choices(self.exercise.asked, self.answer()))
        value = self.answer()
        return ",".join(value) if isinstance(value, list) else str(value)


def build_exercise(exercise: Exercise, **kwargs: Any) -> tuple[Any, Callable[[Any], Feedback]]:
    """The widget and its pure grading function (ipyquizjb style)."""
    w = ExerciseWidget(exercise, **kwargs)
    return w.box, lambda answer: grade(exercise, answer)


@lru_cache(maxsize=1)
def _exercise_set_class():
    import ipywidgets as widgets

    class ExerciseSet(widgets.VBox):
        """A lesson's exercises with a running score; every checked answer is saved, and a saved
        answer comes back on its question in a new kernel. The first try and the latest are
        scored apart."""

        def setup(self, bank: Bank, store: Any, student: str | None) -> "ExerciseSet":
            from ..progress import current_student

            self.bank, self.store, self.student = bank, store, student or current_student()
            self.results: dict[str, bool] = {}  # latest answer right?
            self.first: dict[str, bool] = {}    # first answer ever right?
            self.items = [ExerciseWidget(ex, i + 1, on_check=self._checked, student=self.student, bank=bank)
                          for i, ex in enumerate(bank.exercises)]
            self.score = widgets.HTML()
            self.score.add_class("deshaney-score")
            self.notice = widgets.HTML(self._restore())
            self.notice.add_class("deshaney-progress-notice")
            self._update_score()
            header = widgets.HTML(f"<h3>Exercises: {html.escape(bank.title)}</h3>"
                                  + (_html_lines(bank.intro) if bank.intro else ""))
            footer = []
            self.hand_in = None
            if self.store is not None:  # the hand-in file, written beside the notebook
                self.hand_in = hand_in(store=self.store)
                footer = [widgets.HTML("<h4>Hand in your progress</h4>"), self.hand_in]
            self.children = [header, self.score, self.notice, *[it.box for it in self.items], *footer]
            self.add_class("deshaney-exercise-set")
            return self

        def _restore(self) -> str:
            """Put every saved answer back on its question; say what was restored."""
            from ..progress import answer_history

            if self.store is None:
                return "<p><i>Answers in this set are not saved.</i></p>"
            try:
                history = answer_history(self.store, self.bank.lesson, self.student)
            except Exception as exc:  # noqa: BLE001 - report, never a traceback in a notebook
                return f"<p><i>Earlier progress could not be read from {html.escape(str(self.store.path))}: " \
                       f"{html.escape(str(exc))}</i></p>"
            restored = 0
            for item in self.items:
                h = history.get(item.exercise.id)
                if h is None:
                    continue
                tries = f"{h.tries} {'try' if h.tries == 1 else 'tries'}"
                fb = item.restore(h.latest.answer, f"Your saved answer ({tries}; first try "
                                  f"{'right' if h.first.correct else 'wrong'}). Press Retry to answer again.")
                if fb is None:
                    continue
                self.results[item.exercise.id] = fb.correct
                self.first[item.exercise.id] = h.first.correct
                restored += 1
            notes = self.store._take_notices() if hasattr(self.store, "_take_notices") else None
            text = ""
            if restored:
                text += (f"<p><i>Your saved answers to {_plural(restored, 'question')} are shown on their "
                         "questions and counted in the score.</i></p>")
            if notes:
                text += f"<p><i>{html.escape(notes)}</i></p>"
            return text

        def _checked(self, item: ExerciseWidget, fb: Feedback) -> str | None:
            self.results[item.exercise.id] = fb.correct
            self.first.setdefault(item.exercise.id, fb.correct)
            self._update_score()
            if self.store is None:
                return None
            saved = self.store.record(self.bank.lesson, item.exercise.id, fb.correct, item.answer_text, self.student)
            return saved.message

        def _update_score(self) -> None:
            n = len(self.items)
            right, first = sum(self.results.values()), sum(self.first.values())
            self.score.value = (f"<p><b>Score: {right} of {n} right</b> on your latest answers "
                                f"({len(self.results)} answered). "
                                f"<span class='deshaney-first-try'>First try: {first} of {n} right.</span></p>")

        @property
        def first_try_score(self) -> tuple[int, int]:
            return sum(self.first.values()), len(self.items)

        @property
        def latest_score(self) -> tuple[int, int]:
            return sum(self.results.values()), len(self.items)

        def item(self, exercise_id: str) -> ExerciseWidget:
            return next(it for it in self.items if it.exercise.id == exercise_id)

    return ExerciseSet


def exercise_set(lesson_id: str, *, store: Any = "default", student: str | None = None,
                 lessons_dir: str | Path | None = None):
    """The lesson's exercises as one widget. A broken bank shows its problems, not a traceback.

    `store`: a progress store (default: the student's), or None to save nothing."""
    import ipywidgets as widgets

    try:
        bank = load_lesson(lesson_id, lessons_dir)
    except DataError as exc:
        box = widgets.HTML("<p><b>This lesson's exercises could not be loaded:</b></p><ul>"
                           + "".join(f"<li>{html.escape(p)}</li>" for p in exc.problems)
                           + "</ul><p>Run <code>python -m helpers check-lessons</code> for details.</p>")
        box.add_class("deshaney-exercise-error")
        return box
    if store == "default":
        from ..progress import default_store

        store = default_store()
    return _exercise_set_class()().setup(bank, store, student)


def exercise(lesson_id: str, exercise_id: str, *, store: Any = "default", student: str | None = None,
             lessons_dir: str | Path | None = None):
    """One exercise of a lesson's bank, on its own, saved like the set's (a prediction placed just
    before the lab that reveals its answer). A saved answer comes back on it."""
    import ipywidgets as widgets

    from ..progress import answer_history, current_student

    try:
        bank = load_lesson(lesson_id, lessons_dir)
        ex = bank[exercise_id]
    except (DataError, KeyError) as exc:
        problems = exc.problems if isinstance(exc, DataError) else [f"lesson '{lesson_id}' has no exercise '{exercise_id}'"]
        return widgets.HTML("<p><b>This exercise could not be loaded:</b> " + html.escape("; ".join(problems)) + "</p>")
    if store == "default":
        from ..progress import default_store

        store = default_store()
    who = student or current_student()

    def saved(item: ExerciseWidget, fb: Feedback) -> str | None:
        return store.record(lesson_id, exercise_id, fb.correct, item.answer_text, who).message if store else None

    item = ExerciseWidget(ex, on_check=saved, student=who, bank=bank)
    if store is not None:
        h = answer_history(store, lesson_id, who).get(exercise_id)
        if h is not None:
            item.restore(h.latest.answer, "Your saved answer. Press Retry to answer again.")
    item.box.item = item  # type: ignore[attr-defined]
    return item.box


# --- handing in ---------------------------------------------------------------------------

HAND_IN_FILE = "progress.csv"


def write_hand_in(dest: str | Path | None = None, *, store: Any = "default") -> str:
    """Write every saved answer to a CSV file (default: progress.csv in the current directory,
    which in a notebook is the notebook's folder); return a sentence saying where and how many."""
    import sqlite3

    if store == "default":
        from ..progress import default_store

        store = default_store()
    path = Path(dest) if dest else Path.cwd() / HAND_IN_FILE
    path = path.expanduser().resolve()
    try:
        n = store.export_csv(path)
    except (OSError, sqlite3.Error) as exc:
        return f"Could not write {path}: {exc}. Ask your instructor, or try another folder: hand_in('FOLDER/progress.csv')."
    if n == 0:
        return (f"Wrote {path}, but it has no answers yet: none are saved in {store.path}. "
                "Check some answers first, then hand in again.")
    return (f"Wrote {n} answer{'s' if n != 1 else ''} to {path}. Hand in that file (in JupyterLab it is in the "
            "file browser, beside this notebook).")


def hand_in(dest: str | Path | None = None, *, store: Any = "default", now: bool = False):
    """A button that writes the hand-in file (progress.csv beside the notebook) and says where.

        hand_in()            # in a cell: press the button
        hand_in(now=True)    # write at once; the widget shows where it went
        write_hand_in()      # no widget: the sentence, for scripts
    """
    import ipywidgets as widgets

    button = widgets.Button(description="Write my progress file", button_style="primary", icon="download",
                            layout=widgets.Layout(width="auto"))
    button.add_class("deshaney-hand-in-button")
    message = widgets.HTML("<p class='dsh-muted'>Writes progress.csv (every answer you saved) into this "
                           "notebook's folder, to hand in.</p>")
    message.add_class("deshaney-hand-in-message")

    def write(_=None) -> str:
        said = write_hand_in(dest, store=store)
        message.value = f"<p>{html.escape(said)}</p>"
        from .. import lite

        if lite.IN_BROWSER:  # JupyterLite: the file lives in the browser; offer it as a download
            message.value += lite.download_link(None if store == "default" else store)
        return said

    button.on_click(write)
    box = widgets.VBox([button, message])
    box.add_class("deshaney-hand-in")
    box.write = write  # type: ignore[attr-defined]
    box.button, box.message = button, message  # type: ignore[attr-defined]
    if now:
        write()
    return box


# --- command line ----------------------------------------------------------------------

def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", help="exercise banks or lesson folders (default: every lesson and the template)")


def _run_check(args: argparse.Namespace) -> int:
    report = check_lessons(args.paths or None)
    for line in report.problems:
        print(line, file=sys.stderr)
    if report.problems:
        print(f"check-lessons: {_plural(len(report.problems), 'problem')} found; nothing was changed.", file=sys.stderr)
        return 2
    n = sum(len(b) for b in report.banks)
    computed = sum(ex.type in ENGINE_TYPES for b in report.banks for ex in b.exercises)
    print(f"ok: {_plural(len(report.banks), 'bank')}, {_plural(n, 'exercise')} "
          f"({computed} keyed by the engine, {report.expects_confirmed} author expectations confirmed)")
    return 0


def _hash_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lesson")
    parser.add_argument("exercise")
    parser.add_argument("answer")


def _run_hash(args: argparse.Namespace) -> int:
    print(answer_hash(args.lesson, args.exercise, args.answer))
    return 0


def _register() -> None:
    from ..cli import register

    register("check-lessons", "validate every exercise bank (or the PATHs given)", _run_check, _check_arguments)
    from ..classreport import _arguments as _report_arguments, _run as _report_run

    register("class-report", "one HTML page (plotly) from students' hand-in CSVs: CSV... [-o FILE.html]",
             _report_run, _report_arguments)
    register("hash-answer", "the accept_sha256 value for a short answer: LESSON EXERCISE ANSWER", _run_hash,
             _hash_arguments)


_register()

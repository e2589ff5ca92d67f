"""Reading and checking a bank: `lessons/<lesson>/exercises.yaml` (and its hypotheticals) into
the model, with the engine computing the key of every engine-keyed exercise; `check-lessons`
runs `check_lessons`. Every problem is a line naming the file and line."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..facts import CIRCUIT_NAMES, CIRCUITS, FactError, Facts, circuit_id, parse_facts, plain, vocabulary
from ..law import law
from ..loading import DataError, Field, at_most, check_mapping, checked_entries, load_yaml_file, relocate, where
from .argue import ArgumentError, plies, verdict
from .contested import course_facts, load_course
from .model import Bank, Choice, Exercise, Hypothetical, answer_hash, join_lines, normalise_text
from .predict import ASK_WORDS, prediction_key, to_tick
from .reasons import either_way, engine_choices
from .schema import (BANK_FIELDS, CHOICE_FIELDS, COMMON_KEYS, EXERCISE_FIELDS, HYPOTHETICAL_FIELDS, TYPE_KEYS,
                     a_list)


LESSONS_DIR = Path(__file__).resolve().parent.parent.parent / "lessons"
TEMPLATE = LESSONS_DIR / "TEMPLATE.yaml"
BANK_FILE = "exercises.yaml"
HYPOTHETICALS_FILE = "hypotheticals.yaml"
GUIDE_FILE = "guide.md"


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
    top = check_mapping(raw, {"hypotheticals": Field(True, a_list)}, "a hypotheticals file")
    out: dict[str, Hypothetical] = {}
    problems: list[str] = []
    for node, h in checked_entries(top["hypotheticals"], HYPOTHETICAL_FIELDS, "a hypothetical", problems):
        if h["id"] in out:
            problems.append(f"{where(node, 'id')}: duplicate hypothetical id '{h['id']}' (first at {out[h['id']].source})")
            continue
        facts = plain(h["facts"])
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


def _facts_for(node: dict, ex: dict, folder: Path, need_circuit: bool, course: dict | None = None) -> Facts:
    sources = [k for k in ("facts", "case", "hypothetical") if k in ex]
    if len(sources) != 1:
        raise DataError([f"{where(node)}: exercise '{ex['id']}' needs exactly one of facts, case or "
                         f"hypothetical (found {', '.join(sources) or 'none'})"])
    src = sources[0]
    if "opinion" in ex and src != "case":
        raise DataError([f"{where(node, 'opinion')}: 'opinion' goes with 'case'"])
    if src == "facts":
        raw = plain(ex["facts"])
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
    raw.update(plain(ex.get("changes") or {}))
    try:
        return course_facts(parse_facts(raw, need_circuit=need_circuit), course or {})
    except FactError as exc:
        key = "changes" if "changes" in ex else src
        raise DataError([f"{where(node, key)}: exercise '{ex['id']}': {p}" for p in exc.problems]) from None


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


def _build(node: Any, lesson: str, folder: Path, course: dict) -> tuple[Exercise, bool]:
    ex = check_mapping(node, EXERCISE_FIELDS, "an exercise")
    kind = ex["type"]
    stray = [k for k in ex if k not in COMMON_KEYS | TYPE_KEYS[kind]]
    if stray:
        raise DataError([f"{where(node, k)}: key '{k}' is not used by a {kind} exercise; it may use: "
                         f"{', '.join(sorted(COMMON_KEYS | TYPE_KEYS[kind]))}" for k in stray])
    common = dict(id=ex["id"], lesson=lesson, type=kind, prompt=ex["prompt"], explanation=ex.get("explanation"),
                  title=ex.get("title"), source=where(node), case=ex.get("case"))
    if kind not in ("multiple_choice", "argue") and "explanation" not in ex:
        raise DataError([f"{where(node)}: exercise '{ex['id']}' needs an 'explanation' (the feedback shown "
                         "with a right answer)"])
    if kind == "multiple_choice":
        if "choices" not in ex:
            raise DataError([f"{where(node)}: exercise '{ex['id']}' needs 'choices'"])
        choices, problems = [], []
        for i, cnode in enumerate(ex["choices"]):
            try:
                c = check_mapping(cnode, CHOICE_FIELDS, f"a choice of exercise '{ex['id']}'")
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
        return _build_new_kind(node, ex, kind, folder, common, course), False
    facts = _facts_for(node, ex, folder, need_circuit=kind != "which_circuits", course=course)
    choices = engine_choices(kind, facts, ex, node, course)
    if "expect" in ex:
        problems = _check_expect(kind, ex, node, choices)
        if problems:
            raise DataError(problems)
    select = "one" if kind == "clearly_established_on" else "many"
    known = not ("case" in ex and law().precedents[ex["case"]].conduct is None
                 and "conduct_date" not in (ex.get("changes") or {}))
    return Exercise(choices=choices, select=select, facts=facts, conduct_known=known, ask=ex.get("ask", "violation"),
                    theory=ex.get("theory", "state_created_danger"), **common), "expect" in ex


def _known_cases(node: dict, ex: dict, key: str) -> list[str]:
    ids = list(ex.get(key) or [])
    L = law()
    bad = [i for i in ids if i not in L.precedents]
    if bad:
        raise DataError([f"{where(node, key)}: exercise '{ex['id']}': unknown case(s) {', '.join(bad)}; use precedent "
                         "ids from data/precedents/"])
    return ids


def _build_new_kind(node: dict, ex: dict, kind: str, folder: Path, common: dict, course: dict) -> Exercise:
    """The argument, characterisation and prediction exercises: keys from the engine's comparison."""
    if kind == "argue":
        facts = _facts_for(node, ex, folder, need_circuit=True, course=course)
        try:
            moves = plies(facts, _known_cases(node, ex, "cite") or None, _known_cases(node, ex, "counter") or None)
        except ArgumentError as exc:
            raise DataError([f"{where(node)}: exercise '{ex['id']}': {exc}"]) from None
        common["explanation"] = join_lines(common["explanation"], verdict(facts))
        return Exercise(choices=(), select="plies", facts=facts, plies=moves, **common)
    if kind == "characterise":
        if "case" not in ex or "set" not in ex or "narrative" not in ex:
            raise DataError([f"{where(node)}: exercise '{ex['id']}' needs 'case', 'narrative' and 'set' (the facts the "
                             "student sets)"])
        facts = _facts_for(node, ex, folder, need_circuit=True, course=course)
        vocab = vocabulary()
        bad = [f for f in ex["set"] if f not in vocab or vocab[f].kind not in ("flag", "choice") or vocab[f].option]
        if bad:
            raise DataError([f"{where(node, 'set')}: exercise '{ex['id']}': {', '.join(bad)} cannot be set by a "
                             "student; use facts of data/facts.yaml with yes/no or a list of values"])
        p = law().precedents[ex["case"]]
        unfound = [f for f in ex["set"] if f in p.not_found]
        if unfound:
            raise DataError([f"{where(node, 'set')}: exercise '{ex['id']}': the court made no finding on "
                             f"{', '.join(unfound)} ({p.short_name}'s entry lists it under not_found); leave it out "
                             "of 'set'"])
        others = tuple((o.author, p.fact_pattern(o.id)) for o in p.opinions  # the separate opinions
                       if o.id != "majority" and p.fact_pattern(o.id) is not None)
        return Exercise(choices=(), select="facts", facts=facts, narrative=ex["narrative"], asked=tuple(ex["set"]),
                        encodings=others, **common)
    facts = _facts_for(node, ex, folder, need_circuit=False, course=course)
    flip = plain(ex.get("flip") or {}) or None
    if flip:
        try:
            parse_facts({**facts.to_dict(), **flip})
        except FactError as exc:
            raise DataError([f"{where(node, 'flip')}: exercise '{ex['id']}': {p}" for p in exc.problems]) from None
    wanted = tuple(circuit_id(c) or str(c) for c in ex.get("circuits") or ())
    unknown = [c for c in wanted if c not in CIRCUITS]
    if unknown:
        raise DataError([f"{where(node, 'circuits')}: exercise '{ex['id']}': unknown circuits {', '.join(unknown)}"])
    ask = ex.get("ask", "violation")
    key = prediction_key(facts, ask, flip, wanted)
    said = ("its answer changes", "its answer does not change") if flip else \
        (f"{ASK_WORDS[ask]}", f"not {ASK_WORDS[ask]}")
    choices = tuple(either_way(Choice(cid, CIRCUIT_NAMES[cid], right, why), facts, cid,
                               lambda g, c=cid: to_tick(g, ask, flip, c), lambda v: said[0] if v else said[1], course)
                    for cid, right, why in key)
    return Exercise(choices=choices, select="many", facts=facts, ask=ask, flip=tuple((flip or {}).items()), **common)


@dataclass(frozen=True)
class CheckReport:
    banks: tuple[Bank, ...]
    problems: tuple[str, ...]
    expects_confirmed: int = 0


def _load(path: Path) -> tuple[Bank, int]:
    raw = _read_bank_file(path)
    top = check_mapping(raw, BANK_FIELDS, "an exercise bank")
    at_most(top["exercises"], where(raw, "exercises"))  # bound the work a bank may ask for, before any is built
    folder = path.parent
    problems: list[str] = []
    if path.name == BANK_FILE and folder.parent.resolve() == LESSONS_DIR.resolve() and top["lesson"] != folder.name:
        problems.append(f"{where(raw, 'lesson')}: lesson '{top['lesson']}' does not match its folder "
                        f"'{folder.name}'; they must be the same")
    exercises: list[Exercise] = []
    seen: dict[str, str] = {}
    confirmed = 0
    course = load_course(folder.parent)
    for i, node in enumerate(top["exercises"]):
        raw_id = node.get("id") if isinstance(node, dict) else None
        if isinstance(raw_id, str):
            if raw_id in seen:
                problems.append(f"{where(node, 'id')}: duplicate exercise id '{raw_id}' (first at {seen[raw_id]})")
                continue
            seen[raw_id] = where(node, "id")
        try:
            ex, had_expect = _build(node, top["lesson"], folder, course)
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

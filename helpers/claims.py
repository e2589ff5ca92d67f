"""Checked claims: every sentence in the teaching text that says what the lab or the engine does.

`docs/claims.yaml` lists each such sentence with the file it stands in, the fact pattern it is
about (in the contract's vocabulary, a capstone hypothetical, or a precedent's own facts), and the
answer the sentence says the engine gives. `check` runs the engine and reports every claim whose
sentence has gone from its file or whose answer the engine no longer gives, so teaching text
cannot drift from the tool (tests/data/test_claims.py runs it on every commit).

This module reads the engine; the engine never reads it.
"""
from __future__ import annotations

import sys

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .analogy import compare_facts
from .engine import compare
from .facts import CIRCUITS, FactError, circuit_id, parse_facts, vocabulary
from .law import law
from .loading import (one_line, DataError, Field, boolean, check_mapping, checked_entries, list_of, load_yaml_file, text,
                      where)

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_FILE = ROOT / "docs" / "claims.yaml"
HYPOTHETICALS = ROOT / "lessons" / "07_capstone" / "hypotheticals.yaml"
THEORIES = ("special_relationship", "state_created_danger", "direct_harm")


def _circuit(value: Any) -> str:
    cid = circuit_id(value) if isinstance(value, str) else None
    if cid is None or cid == "scotus":
        raise ValueError(f"{value!r} is not a circuit; allowed: {', '.join(CIRCUITS)}")
    return cid


def _circuits(value: Any) -> list[str]:
    return list_of(_circuit)(value)


def _repo_file(value: Any) -> str:
    name = text(value)
    if not (ROOT / name).is_file():
        raise ValueError(f"no file '{name}' in the repository")
    return name


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of facts (field: value)")
    return dict(value)


@dataclass(frozen=True)
class Sentence:
    file: str
    quote: str
    where: str


@dataclass(frozen=True)
class ElementClaim:
    id: str
    met: bool
    theory: str | None


@dataclass(frozen=True)
class Claim:
    id: str
    where: str
    sentences: tuple[Sentence, ...]
    facts: dict | None
    hypothetical: str | None
    case: str | None
    opinion: str | None
    changes: dict
    circuits: tuple[str, ...]
    expect: dict
    note: str | None


_SENTENCE = {"file": Field(True, _repo_file), "quote": Field(True, text)}
_ELEMENT = {"id": Field(True, text), "met": Field(True, boolean),
            "theory": Field(check=lambda v: _one(v, THEORIES))}
_ANALOGY = {"case": Field(True, text), "analogous": Field(True, boolean)}
_EXPECT = {
    "violation": Field(check=boolean), "clearly_established": Field(check=boolean),
    "qualified_immunity": Field(check=boolean),
    "violation_in": Field(check=_circuits), "clearly_established_in": Field(check=_circuits),
    "immunity_denied_in": Field(check=_circuits),
    "violation_count": Field(check=lambda v: _count(v)),
    "elements": Field(check=list_of(lambda n: check_mapping(n, _ELEMENT, "element claim"))),
    "fact_exists": Field(check=text),
    "element_authority_not": Field(check=text),
    "generality": Field(check=lambda v: _one(v, ("general", "particularized"))),
    "recognized": Field(check=boolean), "no_element_labelled": Field(check=text),
    "analogy": Field(check=list_of(lambda n: check_mapping(n, _ANALOGY, "analogy claim"))),
}
_CLAIM = {
    "id": Field(True, text), "sentences": Field(True, list_of(lambda n: check_mapping(n, _SENTENCE, "sentence"))),
    "facts": Field(check=_mapping), "hypothetical": Field(check=text), "case": Field(check=text),
    "opinion": Field(check=text), "changes": Field(check=_mapping), "circuits": Field(check=_circuits),
    "expect": Field(True, lambda n: check_mapping(n, _EXPECT, "expect")), "note": Field(check=text),
}


def _one(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not allowed; allowed: {', '.join(allowed)}")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= len(CIRCUITS):
        raise ValueError(f"expected a number of circuits from 0 to {len(CIRCUITS)}, got {value!r}")
    return value


_SCOPE = {"file": Field(True, _repo_file), "quote": Field(True, text), "why": Field(True, text)}


def load_scope(path: Path | str | None = None) -> list[Sentence]:
    """The sentences about the lab that state no answer the engine could check (what it does not
    model, how a screen works), each with the reason it is not a claim."""
    data = load_yaml_file(Path(path or CLAIMS_FILE))
    problems: list[str] = []
    out = [Sentence(v["file"], v["quote"], where(node))
           for node, v in checked_entries(data.get("scope", []), _SCOPE, "scope statement", problems)]
    if problems:
        raise DataError(problems)
    return out


def load_claims(path: Path | str | None = None) -> list[Claim]:
    """Read and check the claims file; raise DataError naming file and line for every problem."""
    data = load_yaml_file(Path(path or CLAIMS_FILE))
    problems: list[str] = []
    claims: list[Claim] = []
    seen: dict[str, str] = {}
    for node, v in checked_entries(data.get("claims", []), _CLAIM, "claim", problems):
        here = where(node)
        sources = [k for k in ("facts", "hypothetical", "case") if k in v]
        needs_facts = set(v["expect"]) - {"fact_exists"}
        if len(sources) > 1:
            problems.append(f"{here}: claim '{v['id']}' gives {' and '.join(sources)}; give one fact source")
        elif needs_facts and not sources:
            problems.append(f"{here}: claim '{v['id']}' needs facts, hypothetical or case for {sorted(needs_facts)}")
        if not v["expect"]:
            problems.append(f"{here}: claim '{v['id']}' expects nothing; say what the engine answers")
        if v["id"] in seen:
            problems.append(f"{here}: duplicate claim id '{v['id']}' (first at {seen[v['id']]})")
        seen[v["id"]] = here
        sentences = tuple(Sentence(s["file"], s["quote"], where(node["sentences"], i))
                          for i, s in enumerate(v["sentences"]))
        claims.append(Claim(v["id"], here, sentences, v.get("facts"), v.get("hypothetical"), v.get("case"),
                            v.get("opinion"), v.get("changes") or {}, tuple(v.get("circuits") or ()),
                            v["expect"], v.get("note")))
    if problems:
        raise DataError(problems)
    return claims


# --- the text a sentence must still stand in -------------------------------------------------

def normalise(s: str) -> str:
    """Whitespace and YAML line folding do not matter; words and punctuation do."""
    return re.sub(r"\s+", " ", s).strip()


@lru_cache(maxsize=None)
def readable_text(file: str) -> str:
    """The prose of a file as a reader sees it: a notebook's markdown cells, any other file whole."""
    path = ROOT / file
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(raw)["cells"]
        raw = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return normalise(raw)


# --- the engine's answer ------------------------------------------------------------------------

def _hypothetical(hid: str) -> dict:
    data = load_yaml_file(HYPOTHETICALS)
    for h in data.get("hypotheticals", []):
        if h.get("id") == hid:
            return dict(h["facts"])
    raise KeyError(f"no hypothetical '{hid}' in {HYPOTHETICALS.relative_to(ROOT)}")


def facts_of(claim: Claim) -> dict:
    """The claim's fact pattern, as a contract mapping (changes applied)."""
    if claim.hypothetical:
        base = _hypothetical(claim.hypothetical)
    elif claim.case:
        prec = law().precedents.get(claim.case)
        if prec is None:
            raise KeyError(f"no precedent '{claim.case}'")
        pattern = prec.fact_pattern(claim.opinion)
        if pattern is None:
            raise KeyError(f"precedent '{claim.case}' has no fact pattern")
        base = pattern.to_dict()
    else:
        base = dict(claim.facts or {})
    base.update(claim.changes)
    base.pop("circuit", None)
    return base


def check(claim: Claim) -> list[str]:
    """Every way the claim no longer holds: a quote gone from its file, or an answer the engine
    does not give. Empty when the claim holds."""
    problems = [f"{s.where}: the sentence is no longer in {s.file}: \"{s.quote}\""
                for s in claim.sentences if normalise(s.quote) not in readable_text(s.file)]
    exp = claim.expect
    if "fact_exists" in exp:
        if exp["fact_exists"] not in vocabulary():
            problems.append(f"{claim.where}: {claim.id}: the fact vocabulary has no '{exp['fact_exists']}'")
    if set(exp) <= {"fact_exists"}:
        return problems
    try:
        raw = facts_of(claim)
        parse_facts(raw)
        results = {a.circuit: a for a in compare(raw).results}
    except (FactError, DataError, KeyError) as exc:
        return problems + [f"{claim.where}: {claim.id}: its facts do not run: {exc}"]
    wanted = claim.circuits or tuple(CIRCUITS)
    for flag in ("violation", "clearly_established", "qualified_immunity"):
        if flag in exp:
            wrong = [c for c in wanted if getattr(results[c], flag) != exp[flag]]
            if wrong:
                problems.append(f"{claim.where}: {claim.id}: expected {flag} {str(exp[flag]).lower()} in "
                                f"{', '.join(wanted)}; the engine says otherwise in {', '.join(wrong)}")
    sets = {"violation_in": lambda a: a.violation, "clearly_established_in": lambda a: a.clearly_established,
            "immunity_denied_in": lambda a: not a.qualified_immunity}
    for key, test in sets.items():
        if key in exp:
            got = [c for c in wanted if test(results[c])]
            if set(got) != set(exp[key]):
                problems.append(f"{claim.where}: {claim.id}: expected {key} {sorted(exp[key])}; "
                                f"the engine gives {got}")
    if "violation_count" in exp:
        got = sum(results[c].violation for c in wanted)
        if got != exp["violation_count"]:
            problems.append(f"{claim.where}: {claim.id}: expected {exp['violation_count']} circuits with a "
                            f"violation; the engine finds {got}")
    for el in exp.get("elements", []):
        for c in wanted:
            found = [e for t, e in results[c].elements() if e.id == el["id"] and t == (el.get("theory") or t)]
            if not found:
                problems.append(f"{claim.where}: {claim.id}: {c} has no element '{el['id']}' on these facts")
            elif any(e.met != el["met"] for e in found):
                problems.append(f"{claim.where}: {claim.id}: expected element '{el['id']}' "
                                f"{'met' if el['met'] else 'not met'} in {c}; the engine says otherwise")
    if "element_authority_not" in exp:
        bad = exp["element_authority_not"]
        for c in wanted:
            hits = [e.id for _, e in results[c].elements() if bad in e.authority]
            if hits:
                problems.append(f"{claim.where}: {claim.id}: {c} still cites {bad} for {', '.join(hits)}")
    if "recognized" in exp:
        wrong = [c for c in wanted if results[c].state_created_danger.recognized != exp["recognized"]]
        if wrong:
            problems.append(f"{claim.where}: {claim.id}: expected state-created danger "
                            f"{'' if exp['recognized'] else 'not '}recognised; the engine says otherwise in "
                            f"{', '.join(wrong)}")
    if "no_element_labelled" in exp:
        word = exp["no_element_labelled"].lower()
        for c in wanted:
            hits = [e.id for t, e in results[c].elements() if t == "state_created_danger" and word in e.label.lower()]
            if hits:
                problems.append(f"{claim.where}: {claim.id}: {c} has an element about '{word}': {', '.join(hits)}")
    if "generality" in exp:
        wrong = [c for c in wanted if results[c].clearly_established_basis.generality != exp["generality"]]
        if wrong:
            problems.append(f"{claim.where}: {claim.id}: expected prong two judged at the {exp['generality']} "
                            f"level; the engine judges otherwise in {', '.join(wrong)}")
    for an in exp.get("analogy", []):
        prec = law().precedents.get(an["case"])
        old = prec.fact_pattern() if prec else None
        if old is None:
            problems.append(f"{claim.where}: {claim.id}: no precedent with facts '{an['case']}'")
            continue
        got = compare_facts(old, parse_facts(raw)).analogous
        if got != an["analogous"]:
            problems.append(f"{claim.where}: {claim.id}: expected {an['case']} "
                            f"{'' if an['analogous'] else 'not '}analogous; the engine says otherwise")
    return problems


def check_all(path: Path | str | None = None) -> list[str]:
    return [p for claim in load_claims(path) for p in check(claim)]


# --- the sweep: every sentence saying what the lab does is claimed or listed ---------------------

#: A sentence that says what the lab, the engine or the workbook does with facts.
ABOUT_THE_TOOL = re.compile(
    r"\b(?:the lab|the engine|the workbook)(?:'s)?\s+(?:\w+\s+){0,2}?(?:finds|find|says|answers|applies|counts|"
    r"reads|judges|keeps|treats|requires|accepts|models|encodes|has no|cannot|does not|lands|grades|"
    r"reproduces|compares|follows|shows (?:this|other|no|the same))\b", re.I)
#: Outside the exercise banks (whose engine-keyed answers are computed), a sentence stating which
#: circuits find a violation.
CIRCUIT_ANSWER = re.compile(r"\b(?:no circuit|circuits?) (?:still |would )?finds? (?:a |no )?violation", re.I)
TEACHING = ("notebooks/*.ipynb", "lessons/*/guide.md", "lessons/*/*.yaml", "README.md")


def teaching_files() -> list[str]:
    return [str(p.relative_to(ROOT)) for pattern in TEACHING for p in sorted(ROOT.glob(pattern))
            if "TEMPLATE" not in p.name]


def _spans(t: str, quote: str) -> list[tuple[int, int]]:
    q, out, i = normalise(quote), [], 0
    while (i := t.find(q, i)) >= 0:
        out.append((i, i + len(q)))
        i += 1
    return out


def uncovered(claims: list[Claim], scope: list[Sentence]) -> list[str]:
    """Sentences in the teaching text that say what the lab does and are neither a checked claim's
    quote nor a listed scope statement: each as 'file: the sentence'."""
    quotes: dict[str, list[str]] = {}
    for s in [s for c in claims for s in c.sentences] + list(scope):
        quotes.setdefault(s.file, []).append(s.quote)
    out = []
    for f in teaching_files():
        t = readable_text(f)
        spans = [sp for q in quotes.get(f, []) for sp in _spans(t, q)]
        matches = list(ABOUT_THE_TOOL.finditer(t))
        if not f.endswith("exercises.yaml"):
            matches += list(CIRCUIT_ANSWER.finditer(t))
        for m in sorted(matches, key=lambda m: m.start()):
            start = max(t.rfind(". ", 0, m.start()) + 2, 0)
            end = t.find(". ", m.end())
            end = len(t) if end < 0 else end
            if not any(a < end and b > start for a, b in spans):
                out.append(f"{f}: {t[start:end + 1][:240]}")
    return out


# --- the command ---------------------------------------------------------------------------------

def problems_all(path: Path | str | None = None) -> list[str]:
    """Every stale claim, stale scope statement and unclaimed sentence about the lab."""
    claims, scope = load_claims(path), load_scope(path)
    out = [p for claim in claims for p in check(claim)]
    out += [f"{s.where}: the scope statement is no longer in {s.file}: \"{s.quote}\"" for s in scope
            if normalise(s.quote) not in readable_text(s.file)]
    out += [f"{line} - says what the lab does but is neither a claim nor a scope statement in docs/claims.yaml"
            for line in uncovered(claims, scope)]
    return out


def _run(args) -> int:
    problems = problems_all()
    if problems:
        for line in dict.fromkeys(one_line(p) for p in problems):
            print(line, file=sys.stderr)
        return 1
    claims = load_claims()
    print(f"ok: {len(claims)} claims backing {sum(len(c.sentences) for c in claims)} sentences, "
          f"{len(load_scope())} scope statements; every sentence about the lab is covered")
    return 0


#: (name, help, run, add_arguments), registered by `helpers.cli`.
CLI_COMMANDS = (
    ("check-claims", "check every sentence about the lab against the engine (docs/claims.yaml)", _run, None),
)

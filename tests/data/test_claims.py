"""Every sentence about what the lab does is a checked claim (docs/claims.yaml), and holds.

Each claim is run against the engine's public API; a claim fails when its sentence has left its
file or the engine no longer gives the answer the sentence states. The custody-settings table in
docs/custody-authorities.md is computed from the engine and must match what is committed.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import claims as C
from helpers import custody_table
from helpers.loading import DataError

CLAIMS = C.load_claims()


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_holds(claim):
    assert C.check(claim) == []


def test_claims_cover_the_stale_sentences_the_review_found():
    """The sentences the second review found describing a lab that no longer exists are gone
    from the teaching text, and no teaching file says the lab has no chase fact."""
    stale = ["The lab finds a violation there", "The lab finds a violation in the Tenth",
             'has no "chase" fact', "It has no chase fact", "applies deliberate indifference to every kind of custody",
             "cannot make the Kennedy majority's Grubbs analogy", "shows the same answer for all twelve circuits"]
    teaching = sorted(Path(C.ROOT, "notebooks").glob("*.ipynb")) + sorted(Path(C.ROOT, "lessons").glob("*/*"))
    teaching.append(Path(C.ROOT, "README.md"))
    found = [(p.name, s) for p in teaching if p.is_file()
             for s in stale if C.normalise(s) in C.readable_text(str(p.relative_to(C.ROOT)))]
    assert found == []


def test_a_stale_claim_fails(tmp_path):
    """The mechanism can fail: a wrong answer, and a sentence no longer in its file, are both reported."""
    bad = tmp_path / "claims.yaml"
    bad.write_text(
        "claims:\n"
        "  - id: wrong_answer\n"
        "    sentences: [{file: README.md, quote: a sentence that is not in the README at all}]\n"
        "    hypothetical: winter_roadside\n"
        "    circuits: [ca10]\n"
        "    expect: {violation: true}\n")
    (claim,) = C.load_claims(bad)
    problems = C.check(claim)
    assert any("no longer in README.md" in p for p in problems)
    assert any("expected violation true in ca10" in p for p in problems)
    assert all(re.match(r"^\S*claims\.yaml:\d+: ", p) for p in problems), problems


@pytest.mark.parametrize("text, message", [
    ("claims:\n  - id: x\n    sentences: [{file: no/such/file.md, quote: q}]\n    facts: {}\n"
     "    expect: {violation: true}\n", "no file 'no/such/file.md'"),
    ("claims:\n  - id: x\n    sentences: [{file: README.md, quote: q}]\n    facts: {}\n"
     "    expect: {violation_in: [ca99]}\n", "is not a circuit"),
    ("claims:\n  - id: x\n    sentences: [{file: README.md, quote: q}]\n    facts: {}\n"
     "    expect: {verdict: true}\n", "unknown key 'verdict'"),
    ("claims:\n  - id: x\n    sentences: [{file: README.md, quote: q}]\n"
     "    expect: {violation: true}\n", "needs facts, hypothetical or case"),
    ("claims:\n  - id: x\n    sentences: [{file: README.md, quote: q}]\n    facts: {}\n    case: y\n"
     "    expect: {violation: true}\n", "give one fact source"),
])
def test_bad_claims_file_names_file_and_line(tmp_path, text, message):
    bad = tmp_path / "claims.yaml"
    bad.write_text(text)
    with pytest.raises(DataError) as err:
        C.load_claims(bad)
    problems = err.value.problems
    assert any(message in p for p in problems), problems
    assert all(re.match(r"^\S*claims\.yaml:\d+: ", p) for p in problems), problems


def test_bad_facts_in_a_claim_are_reported_not_raised(tmp_path):
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims:\n  - id: x\n    sentences: [{file: README.md, quote: DeShaney}]\n"
                   "    facts: {conduct_date: 2020-01-01, custody: dungeon}\n    expect: {violation: true}\n")
    (claim,) = C.load_claims(bad)
    problems = C.check(claim)
    assert len(problems) == 1 and "its facts do not run" in problems[0] and "custody" in problems[0]


def test_notebook_quotes_are_read_from_markdown_cells_only():
    nb = json.loads(Path(C.ROOT, "notebooks/04_culpability.ipynb").read_text())
    code = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip())
    line = next(ln for ln in code.splitlines() if len(ln.strip()) > 12)
    assert C.normalise(line) not in C.readable_text("notebooks/04_culpability.ipynb")


def test_custody_settings_table_is_current():
    text = custody_table.DOC.read_text(encoding="utf-8")
    assert custody_table.current(text) == custody_table.section(), (
        "docs/custody-authorities.md: the custody-settings table differs from the data; "
        "run `python -m helpers.custody_table`")


def test_every_sentence_about_the_tool_is_claimed_or_listed():
    """A sentence in a notebook, guide, bank or the README that says what the lab, the engine or
    the workbook does is either a checked claim's quote or a listed scope statement."""
    assert C.uncovered(CLAIMS, C.load_scope()) == []


def test_scope_statements_are_still_in_their_files():
    stale = [f"{s.where}: {s.file}: {s.quote}" for s in C.load_scope()
             if C.normalise(s.quote) not in C.readable_text(s.file)]
    assert stale == []


def test_the_sweep_sees_a_new_sentence(tmp_path, monkeypatch):
    """The sweep fails on a sentence about the lab that no claim quotes."""
    monkeypatch.setattr(C, "readable_text", lambda f: "Intro. The lab finds a violation in every circuit. End."
                        if f == "README.md" else "")
    monkeypatch.setattr(C, "teaching_files", lambda: ["README.md"])
    assert C.uncovered([], []) == ["README.md: The lab finds a violation in every circuit."]


def test_check_claims_command(capsys, tmp_path, monkeypatch):
    from helpers.cli import main

    assert main(["check-claims"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims:\n  - id: x\n    sentences: [{file: README.md, quote: not in the readme}]\n"
                   "    hypothetical: winter_roadside\n    circuits: [ca10]\n    expect: {violation: true}\n")
    monkeypatch.setattr(C, "CLAIMS_FILE", bad)
    assert main(["check-claims"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"claims\.yaml:\d+: .*no longer in README\.md", err)
    assert "Traceback" not in err

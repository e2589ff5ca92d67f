"""A count in the lesson text is the count of what it counts (issue 20: "every count in the text is
computed"). Counts of circuits finding a violation are engine claims (docs/claims.yaml,
`violation_count`); the count of questions above an exercise set is tests/unit/test_predict_first.py.
Here: the capstone's hypotheticals, wherever the text counts them."""
from __future__ import annotations

import re
from pathlib import Path

from helpers.claims import readable_text
from helpers.exercises import load_hypotheticals

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
COUNTED = re.compile(r"\b(\w+)\s+(?:new\s+|invented\s+)?(?:hypotheticals|fact patterns)\b", re.I)


def counts(text: str) -> list[tuple[str, int]]:
    out = []
    for m in COUNTED.finditer(text):
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else NUMBERS.get(word)
        if n is not None:
            out.append((m.group(0), n))
    return out


def test_the_text_counts_the_capstones_hypotheticals_right():
    have = len(load_hypotheticals("07_capstone"))
    files = [ROOT / "notebooks" / "07_capstone.ipynb", ROOT / "lessons" / "07_capstone" / "guide.md",
             ROOT / "lessons" / "07_capstone" / "exercises.yaml", ROOT / "README.md"]
    seen = []
    for f in files:
        for said, n in counts(readable_text(str(f.relative_to(ROOT)))):
            seen.append(said)
            assert n == have, f"{f.relative_to(ROOT)} says {said!r}; lessons/07_capstone/hypotheticals.yaml has {have}"
    assert seen, "the capstone's text counts its hypotheticals somewhere"


def test_the_count_is_read_as_a_reader_reads_it():
    assert counts("Six fact patterns no court has decided") == [("Six fact patterns", 6)]
    assert counts("Six invented hypotheticals in hypotheticals.yaml") == [("Six invented hypotheticals", 6)]
    assert counts("the hypotheticals above") == []

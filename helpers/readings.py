"""The workbook's own readings where the law is open, each with the other reading a court or a
careful professor could take (`data/readings.yaml`).

A reading is named where the data uses it: an element's rule may be
`{reading: ID, ours: RULE, other: RULE}`, a recognition status or a culpability regime may carry
`reading: ID` with what changes under the other reading, and prong two reads a few by id (the
al-Kidd switch, the consensus threshold). A fact pattern takes the other reading of each id in its
`readings` option; by default every reading is the workbook's own. The grader evaluates an answer
under both readings of each one and accepts either answer where the choice of reading decides it
(`helpers/exercises/grading.py`); a course may fix a reading for its students (`lessons/course.yaml`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .loading import (DATA_DIR, DataError, Field, check_mapping, checked_entries, list_of, load_yaml_file, one_of, text,
                      where)

READINGS_FILE = DATA_DIR / "readings.yaml"
#: Where a reading is used: an element's rule, a circuit's recognition, a culpability regime, or prong two.
PLACES = ("element", "recognition", "culpability", "prong_two")


@dataclass(frozen=True)
class Reading:
    id: str
    circuits: tuple[str, ...]  # the circuits whose answers it can decide; () = every circuit
    place: str
    topic: str  # a few words: what the question is
    ours: str  # the workbook's reading, in a sentence
    other: str  # the other reading, in a sentence
    cases: tuple[str, ...]  # ids in data/precedents/: the cases on each side (checked by law._check_references)
    source: str = ""

    def applies_to(self, circuit: str | None) -> bool:
        return not self.circuits or circuit in self.circuits


def _circuits(value) -> tuple[str, ...]:
    """'all', or a list of circuit ids (that each is a circuit of the law is checked with the law)."""
    if value == "all":
        return ()
    if not isinstance(value, list) or not value or any(not isinstance(v, str) for v in value):
        raise ValueError(f"expected 'all' or a list of circuit ids (ca1 ... ca11, cadc), not {value!r}")
    return tuple(value)


_FIELDS = {
    "id": Field(True, text), "circuits": Field(True, _circuits), "place": Field(True, one_of(*PLACES)),
    "topic": Field(True, text), "ours": Field(True, text), "other": Field(True, text),
    "cases": Field(True, lambda v: tuple(list_of(text)(v))),
}


@lru_cache(maxsize=1)
def readings() -> dict[str, Reading]:
    """Every reading, by id (loaded once; a bad entry is a DataError naming file and line)."""
    raw = load_yaml_file(READINGS_FILE)
    entries = check_mapping(raw, {"readings": Field(True, lambda v: v)}, "the readings file")["readings"]
    out: dict[str, Reading] = {}
    problems: list[str] = []
    for node, v in checked_entries(entries, _FIELDS, "a reading", problems):
        if v["id"] in out:
            problems.append(f"{where(node, 'id')}: reading '{v['id']}' is listed twice")
            continue
        out[v["id"]] = Reading(v["id"], v["circuits"], v["place"], v["topic"], v["ours"], v["other"],
                               v["cases"], where(node))
    if problems:
        raise DataError(problems)
    return out


def check_reading_id(value, node=None) -> str:
    """A reading id the data names: known, or a DataError naming the file and line."""
    if not isinstance(value, str) or value not in readings():
        raise DataError([f"{where(node)}: '{value}' is not a reading of data/readings.yaml; allowed: "
                         + ", ".join(readings())])
    return value


def relevant(circuit: str | None, place: str | None = None) -> tuple[Reading, ...]:
    """The readings that can decide an answer in `circuit` (all circuits when None)."""
    return tuple(r for r in readings().values()
                 if (circuit is None or r.applies_to(circuit)) and (place is None or r.place == place))

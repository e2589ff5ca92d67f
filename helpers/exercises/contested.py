"""Where one of the workbook's own readings decides an answer (data/readings.yaml).

For an engine-keyed answer (which circuits find a violation, whether a right was clearly
established, which elements are met, what a prediction should say) the key is worked out twice:
on the workbook's readings, and with the other side of each reading that can touch the circuit
(one at a time, then all together). Where the other side gives the other answer, the answer is
contested: the grader accepts either and says which reading each follows. A course may fix a
reading (`lessons/course.yaml`); the key then follows the course and that reading is no longer
contested.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..facts import Facts
from ..loading import DataError, Field, check_mapping, load_yaml_file, one_of, where
from ..readings import Reading, readings, relevant

COURSE_FILE = "course.yaml"


@dataclass(frozen=True)
class Contest:
    """The readings whose other side turns the answer from `ours` to `other`."""

    readings: tuple[Reading, ...]
    ours: Any
    other: Any

    def sentence(self, words: Callable[[Any], str]) -> str:
        """'Either answer is accepted: ...', naming each reading and what each side gives."""
        if len(self.readings) == 1:
            r = self.readings[0]
            return (f"Either answer is accepted here: it turns on the workbook's own reading of {r.topic}. "
                    f"On the workbook's reading ({_clause(r.ours)}), {words(self.ours)}; on the other reading "
                    f"({_clause(r.other)}), {words(self.other)}.")
        topics = "; ".join(r.topic for r in self.readings)
        return (f"Either answer is accepted here: it turns on the workbook's own readings ({topics}). On the "
                f"workbook's readings, {words(self.ours)}; on the other side of them, {words(self.other)}.")


def _clause(text: str) -> str:
    """A reading's sentence as a clause: no final stop, a lower-case start ('The Ninth' stays)."""
    text = text.strip().rstrip(".")
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first in ("The", "A", "An", "Only", "Not", "Counted", "Excluded", "Admitted") \
        else text


def with_readings(facts: Facts, ids) -> Facts:
    """`facts` with the other side of each reading in `ids` (added to any it already takes)."""
    return facts.with_(readings=tuple(sorted(set(facts.readings) | set(ids))))


def contest(facts: Facts, circuit: str | None, value: Callable[[Facts], Any],
            fixed: frozenset = frozenset()) -> Contest | None:
    """Whether an answer (`value(facts)`) turns on a reading that can touch `circuit`: the first
    reading (or, failing any one, all of them together) whose other side changes it. Readings
    `fixed` by the course, and those the facts already take the other way, are not contested."""
    base = value(facts)
    free = [r for r in relevant(circuit) if r.id not in fixed and r.id not in facts.readings]
    combos = [(r,) for r in free] + ([tuple(free)] if len(free) > 1 else [])
    for combo in combos:
        alt = value(with_readings(facts, [r.id for r in combo]))
        if alt != base:
            return Contest(combo, base, alt)
    return None


# --- a course's own choice of readings ------------------------------------------------------

def load_course(lessons_dir: Path) -> dict[str, str]:
    """`lessons/course.yaml`: {reading id: 'ours' | 'other'} for the readings a course fixes. No
    file, or no `readings`, is a course that fixes none (both answers accepted where one decides)."""
    path = Path(lessons_dir) / COURSE_FILE
    if not path.is_file():
        return {}
    raw = load_yaml_file(path)
    v = check_mapping(raw, {"readings": Field(check=lambda n: n), "title": Field(check=lambda n: n)}, "the course file")
    node = v.get("readings") or {}
    if not isinstance(node, dict):
        raise DataError([f"{where(raw, 'readings')}: 'readings' must map reading ids to ours or other"])
    known = readings()
    problems = [f"{where(node, k)}: '{k}' is not a reading of data/readings.yaml; allowed: {', '.join(known)}"
                for k in node if k not in known]
    if problems:
        raise DataError(problems)
    side = one_of("ours", "other")
    out = {}
    for k, value in node.items():
        try:
            out[k] = side(value)
        except ValueError as exc:
            problems.append(f"{where(node, k)}: reading '{k}': {exc}")
    if problems:
        raise DataError(problems)
    return out


def course_facts(facts: Facts, course: dict[str, str]) -> Facts:
    """The facts as the course reads the law: the other side of each reading it fixes as 'other'."""
    others = [k for k, side in course.items() if side == "other"]
    return with_readings(facts, others) if others else facts


def course_sentence(facts: Facts, course: dict[str, str], circuit: str | None,
                    value: Callable[[Facts], Any], words: Callable[[Any], str]) -> str:
    """Where the course fixed a reading that decides this answer, say so (the key follows the course)."""
    fixed = [readings()[k] for k in course if readings()[k].applies_to(circuit)]
    out = []
    for r in fixed:
        flipped = facts.with_(readings=tuple(x for x in facts.readings if x != r.id)) if r.id in facts.readings \
            else with_readings(facts, [r.id])
        if value(flipped) != value(facts):
            side = r.other if course[r.id] == "other" else r.ours
            out.append(f"Your course reads {r.topic} this way: {_clause(side)}; so {words(value(facts))}.")
    return " ".join(out)

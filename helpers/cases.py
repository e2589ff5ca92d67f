"""The "load a real case" list: every precedent with a fact pattern, and each opinion's
version of the facts where the opinions disagree (the Kennedy majority against Judge Bybee).
An opinion later withdrawn, vacated, superseded, overruled, abrogated or reversed stays in the
list (its facts are worth loading) but says so in its label, and names what replaced it when the
data has that opinion: 'Kennedy v. City of Ridgefield (9th Cir. 2005) - withdrawn 2006 (see
the 2006 opinion)'.
Where the data has no conduct date, the decision date stands in and the case says so
(`conduct_known`, `conduct_note`): a lab shows the date as unknown, never as the decision date.

    >>> from helpers.cases import cases, find_case
    >>> find_case("kennedy_v_ridgefield_2006:bybee_dissent").label
    'Kennedy v. City of Ridgefield (9th Cir. 2006) - Bybee, J., dissenting'
    >>> find_case("kennedy_v_ridgefield_2005").label
    'Kennedy v. City of Ridgefield (9th Cir. 2005) - withdrawn 2006 (see the 2006 opinion)'
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .facts import CIRCUIT_ABBREVIATIONS, Facts
from .law import caption as _caption, later_history, law, short_caption  # noqa: F401 - short_caption is the module's too
from .rendering import student_text


@dataclass(frozen=True)
class Case:
    """One loadable version of a case's facts, with the analysis options its opinion used."""

    id: str  # precedent id, or "precedent_id:opinion_id" for an opinion's version
    precedent: str
    opinion: str | None
    label: str
    facts: Facts
    conduct_known: bool = True  # False: the data has no conduct date; the decision date stands in

    @property
    def conduct_note(self) -> str | None:
        """What a student is told when the conduct date is not known, or None."""
        if self.conduct_known:
            return None
        return (f"The date of the conduct in {self.label} is not in the workbook's data: it is shown as "
                f"unknown, and the decision date ({self.facts.decision_date.isoformat()}) stands in for it "
                "in the analysis. Set the real date if you know it.")


@lru_cache(maxsize=1)
def cases() -> tuple[Case, ...]:
    """Every loadable case, by court (the twelve circuits in order, then the Supreme Court) and date."""
    order = {c: i for i, c in enumerate(CIRCUIT_ABBREVIATIONS)}
    found: list[Case] = []
    precedents = sorted(law().precedents.values(), key=lambda p: (order[p.court], p.decided, p.id))
    for p in precedents:
        base = p.fact_pattern()
        if base is None:
            continue
        caption = _caption(p)
        undone = later_history(p, precedents)
        if undone:
            caption = f"{caption} - {undone}"
        known = p.conduct is not None
        found.append(Case(p.id, p.id, None, caption, base, known))
        for op in p.opinions:
            version = p.fact_pattern(op.id)
            if version != base:
                found.append(Case(f"{p.id}:{op.id}", p.id, op.id, f"{caption} - {student_text(op.author)}", version,
                                  known))
    seen: dict[str, int] = {}
    unique = []
    for c in found:  # two cases with one caption and year get their ids to tell them apart
        n = seen.get(c.label, 0)
        seen[c.label] = n + 1
        unique.append(c if n == 0 else Case(c.id, c.precedent, c.opinion, f"{c.label} [{c.id}]", c.facts,
                                            c.conduct_known))
    return tuple(unique)


def find_case(label_or_id: str) -> Case:
    """A case by its id ('kennedy_v_ridgefield_2006', '...:bybee_dissent') or its menu label."""
    for c in cases():
        if label_or_id in (c.id, c.label):
            return c
    wanted = label_or_id.strip().lower()
    for c in cases():
        if wanted in (c.id.lower(), c.label.lower()):
            return c
    raise KeyError(f"no case {label_or_id!r}; try one of: " + ", ".join(c.id for c in cases()[:5]) + ", ...")

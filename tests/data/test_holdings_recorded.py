"""Every decided holding recorded as decided (issue 19): no precedent whose rule or summary says the
court held a prong may leave that prong's holding null.

The rule and summary are the workbook's own words for what the court did. A sentence there that
asserts a holding on a prong ("the right was not clearly established in 1991", "a jury could find
the county's policies caused it") must be matched by the holding in `held`; a sentence that only
states a test ("whether the right was clearly established", "can be liable ... if") asserts nothing.
"""
import re

import pytest

from helpers.law import law

PRECEDENTS = law().precedents

ASSERTS = {
    "clearly_established": re.compile("|".join([
        r"\b(?:was|were|is|been) (?:held )?(?:not )?clearly established\b",
        r"\bheld (?:the right |that the right |it )?(?:was )?(?:not )?clearly established\b",
        r"\b(?:did|does|do) not violate (?:any )?clearly established\b",
        r"\bviolat\w* (?:no|any) clearly established\b",
        r"\bviolat\w* (?:his|her|their|an? \w+'s|the \w+'s) clearly established right\b",
        r"\bclearly established (?:by|in|during|at the time)\b",
        r"\bno clearly established law\b",
    ]), re.I),
    "violation": re.compile("|".join([
        r"\b(?:may|could|can) be (?:found )?(?:liable|deliberately indifferent)\b",
        r"\bplausibly (?:were |was )?(?:deliberately indifferent|violat)",
        r"\b(?:a|the) jury could find\b",
        r"\bno (?:due-process |constitutional )?violation\b",
        r"\bowed (?:an? |the )?\w+ no (?:due-process )?duty\b",
        r"\bdid not violate (?:due process|the constitution|the fourteenth)\b",
    ]), re.I),
}
#: Words that make a clause a statement of the test, not of what the court held.
CONDITIONAL = re.compile(r"\b(?:whether|if|unless|must|should|clear that)\b", re.I)
CLAUSE = re.compile(r"[^.;:()]+")

def asserted_holdings(text: str) -> set[str]:
    """The prongs a rule or summary says the court decided."""
    found = set()
    for clause in CLAUSE.findall(text or ""):
        if CONDITIONAL.search(clause):
            continue
        found |= {prong for prong, rx in ASSERTS.items() if rx.search(clause)}
    return found


@pytest.mark.parametrize("text,prongs", [
    ("In 1991 the right was not clearly established, so he was immune.", {"clearly_established"}),
    ("Prison officials cut his hair; the right was held not clearly established.", {"clearly_established"}),
    ("A pretrial detainee suffered seizures; a jury could find the county's policies caused it.", {"violation"}),
    ("Courts ask whether the right was clearly established in the specific context.", set()),
    ("An agency can be liable for abuse in the foster home if it was deliberately indifferent.", set()),
    ("Prior case law did not make clear that a caseworker could be liable on facts like these.", set()),
    ("The right must be clearly established in a particularised sense.", set()),
])
def test_the_reader_tells_a_holding_from_a_test(text, prongs):
    assert asserted_holdings(text) == prongs


def test_no_entry_says_the_court_held_a_prong_and_records_it_null():
    missing = sorted((p.id, prong) for p in PRECEDENTS.values()
                     for prong in asserted_holdings(" ".join(filter(None, [p.rule, p.summary])))
                     if getattr(p, prong) is None)
    assert missing == [], missing

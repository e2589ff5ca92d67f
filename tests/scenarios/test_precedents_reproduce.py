"""Every encoded holding, and every opinion's, comes out of its facts - or its divergence is named.

Majorities are run with the defaults a student gets (no `generality`); dissents and
concurrences with their own options. Where the engine and an encoded holding part company
the reason is written down here; the test fails if a new divergence appears or a listed one
goes away, so the list is always the truth (`python -m helpers fidelity` prints it).
"""
import pytest

from helpers.fidelity import report
from helpers.law import law

KNOWN_DIVERGENCES = {
    ("hemphill_v_schott_1998", None, "violation"):
        "the opinion frames the claim as excessive force; no state of mind was encoded",
    ("estate_of_reat_v_rodriguez_2016", None, "clearly_established"):
        "the court found the exposure cases too distinct for a 911 operator who dealt with the callers "
        "only by telephone; the vocabulary has no fact for remote dealing",
    ("burton_v_richmond_2002", None, "clearly_established"):
        "foster care clearly established for 1985 conduct; the data dates the Eighth Circuit's duty from "
        "Norfleet (1993) (issue 13: foster-care dates)",
    ("polanco_v_diaz_2023", "r_nelson_dissent", "clearly_established"):
        "the dissent would not combine two precedents neither of which involved an infectious disease; "
        "the workbook's comparison finds Pauluk on point",
    ("smith_v_district_of_columbia_2005", "ginsburg_dissent", "violation"):
        "the dissent disputes the majority's law, not only its facts",
}

REPORT = report()


def test_every_holding_reproduces_or_is_a_known_divergence():
    found = {(o.precedent, o.opinion, o.prong) for o in REPORT.majority + REPORT.opinions if not o.agrees}
    assert found == set(KNOWN_DIVERGENCES)


def test_most_of_the_base_reproduces():
    total = len(REPORT.majority) + len(REPORT.opinions)
    assert total >= 120
    assert len(KNOWN_DIVERGENCES) <= total // 10


@pytest.mark.parametrize("court", ["ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7", "ca8", "ca9", "ca10", "ca11", "cadc"])
def test_every_circuit_has_encoded_precedents(court):
    assert any(p.court == court and p.facts_raw for p in law().precedents.values())

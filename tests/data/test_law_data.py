"""The law is data, and checked like code."""
import re
from datetime import date

import pytest
from eyecite import get_citations
from eyecite.models import FullCaseCitation

from helpers.facts import CIRCUITS, vocabulary
from helpers.law import DEAD_EVENTS, in_force, law
from helpers.rules import rule_facts

LAW = law()
PRECEDENTS = LAW.precedents


def test_every_circuit_and_precedent_loads():
    assert set(LAW.circuits) == set(CIRCUITS)
    assert len(PRECEDENTS) >= 100


@pytest.mark.parametrize("pid", sorted(PRECEDENTS))
def test_citation_parses_as_a_reporter_citation(pid):
    cites = [c for c in get_citations(PRECEDENTS[pid].citation) if isinstance(c, FullCaseCitation)]
    assert cites, f"{pid}: '{PRECEDENTS[pid].citation}' is not a reporter citation eyecite recognises"


def test_ids_read_like_the_case_and_end_with_the_year():
    for pid, p in PRECEDENTS.items():
        assert re.fullmatch(r"[a-z0-9_]+_v_[a-z0-9_]+_\d{4}|[a-z0-9_]+_\d{4}", pid), pid
        assert pid.endswith(str(p.decided.year))


def test_dates_are_plausible():
    for p in PRECEDENTS.values():
        assert date(1970, 1, 1) <= p.decided <= date(2026, 12, 31), p.id
        if p.conduct:
            assert p.conduct <= p.decided, p.id
        for h in p.history:
            assert h.day >= p.decided, (p.id, h)


def test_every_cited_precedent_exists():
    for p in PRECEDENTS.values():
        for other in p.cited_in:
            assert other in PRECEDENTS, f"{p.id}: cited_in names unknown '{other}'"


def test_quotations_are_short_and_pinned():
    for p in PRECEDENTS.values():
        if p.quote:
            assert len(p.quote.split()) <= 40, p.id
    for circuit in LAW.circuits.values():
        for version in circuit.tests + circuit.special_relationship:
            for e in version.elements:
                if e.quote:
                    assert len(e.quote.split()) <= 30, (circuit.id, e.id)


def test_every_element_cites_an_authority_and_reads_only_contract_facts():
    vocab = vocabulary()
    for circuit in LAW.circuits.values():
        for version in circuit.tests + circuit.special_relationship:
            for e in version.elements:
                assert e.authority.case in PRECEDENTS
                assert rule_facts(e.rule) <= set(vocab), (circuit.id, e.id)
                assert re.fullmatch(r"[a-z][a-z_]+", e.id)


def test_element_ids_are_stable_across_versions_of_one_test():
    """A student tracking 'affirmative_act' through the years sees the same id."""
    for circuit in LAW.circuits.values():
        labels = {}
        for version in circuit.tests:
            for e in version.elements:
                labels.setdefault(e.id, set()).add(e.id)
        assert labels


def test_dated_entries_start_when_their_authority_was_decided():
    """A test version or a recognition dates from the case that made it (DeShaney-era defaults aside)."""
    for circuit in LAW.circuits.values():
        # The Fifth Circuit's test is hypothetical (never law), so it has no start of its own.
        tests = [t for t in circuit.tests if circuit.recognizes(t.start)]
        entries = list(circuit.status) + tests + list(circuit.culpability)
        for entry in entries:
            p = PRECEDENTS[entry.authority.case]
            if p.court == circuit.id:
                assert entry.start == p.decided, (circuit.id, entry.authority.case, entry.start, p.decided)


def test_recognition_matches_what_the_opinions_count():
    """McClendon counted six circuits by July 1993 (2d, 6th, 7th, 8th, 9th, 11th); Irish made the First
    the tenth; the Fifth never; the Eleventh gave it up in 1999."""
    july_1993 = {c for c in CIRCUITS if LAW.circuits[c].recognizes(date(1993, 7, 1))}
    assert july_1993 == {"ca2", "ca6", "ca7", "ca8", "ca9", "ca11"}
    after_irish = {c for c in CIRCUITS if LAW.circuits[c].recognizes(date(2020, 11, 5))}
    assert len(after_irish) == 10 and "ca5" not in after_irish and "ca11" not in after_irish
    assert not any(LAW.circuits["ca5"].recognizes(date(y, 1, 1)) for y in range(1980, 2027))
    assert LAW.circuits["ca11"].recognizes(date(1999, 8, 9)) and not LAW.circuits["ca11"].recognizes(date(1999, 8, 10))


def test_kennedy_footnote_one_count_in_2006():
    """Kennedy n.1: 'well established law in seven of our sister circuits' - D.C., 2d, 3d, 6th, 7th, 8th, 10th."""
    march_2006 = {c for c in CIRCUITS if LAW.circuits[c].recognizes(date(2006, 3, 7))} - {"ca9"}
    assert {"cadc", "ca2", "ca3", "ca6", "ca7", "ca8", "ca10"} <= march_2006


def test_withdrawn_and_vacated_opinions_are_not_good_law_after():
    for pid in ("kennedy_v_ridgefield_2005", "mcclendon_v_city_of_columbia_2001", "pinder_v_johnson_1994"):
        p = PRECEDENTS[pid]
        dead = [h for h in p.history if h.event in DEAD_EVENTS]
        assert dead, pid
        assert not p.good_law_on(dead[0].day)


def test_the_qi_method_is_dated_and_cited():
    m = LAW.method
    assert in_force(m.generality, date(2006, 3, 7)).level == "general"
    assert in_force(m.generality, date(2019, 12, 4)).authority.case == "ashcroft_v_al_kidd_2011"
    assert all(g.note and "nterpretive" in g.note for g in m.generality[1:])
    assert in_force(m.consensus_size, date(2012, 1, 1)).authority.case == "ashcroft_v_al_kidd_2011"
    assert m.order[-1][1] == "discretionary" and m.order[-1][2].case == "pearson_v_callahan_2009"


def test_every_simplification_carries_a_note():
    """Rules marked interpretive in prose must say so next to the rule."""
    for circuit in LAW.circuits.values():
        for version in circuit.tests:
            for e in version.elements:
                if e.id.endswith(("act", "authority", "interaction")):
                    assert e.note, (circuit.id, e.id)

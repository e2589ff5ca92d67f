"""The "load a real case" list: every precedent with a fact pattern, and every opinion's
version of the facts where the opinions disagree."""
from __future__ import annotations

import pytest

from helpers.cases import cases, find_case, short_caption
from helpers.law import law


def test_every_precedent_with_a_fact_pattern_is_listed():
    listed = {c.precedent for c in cases() if c.opinion is None}
    expected = {p.id for p in law().precedents.values() if p.fact_pattern() is not None}
    assert listed == expected


def test_every_disagreeing_opinion_has_its_own_version():
    listed = {(c.precedent, c.opinion) for c in cases() if c.opinion}
    for p in law().precedents.values():
        base = p.fact_pattern()
        for op in p.opinions:
            if base is not None and p.fact_pattern(op.id) != base:
                assert (p.id, op.id) in listed
            else:
                assert (p.id, op.id) not in listed


def test_labels_are_unique_and_ids_are_unique():
    assert len({c.label for c in cases()}) == len(cases())
    assert len({c.id for c in cases()}) == len(cases())


@pytest.mark.parametrize("key,label,generality", [
    ("kennedy_v_ridgefield_2006", "Kennedy v. City of Ridgefield (9th Cir. 2006)", "default"),
    ("kennedy_v_ridgefield_2006:bybee_dissent",
     "Kennedy v. City of Ridgefield (9th Cir. 2006) - Bybee, J., dissenting", "particularized"),
    ("mcclendon_v_city_of_columbia_2002:parker_dissent",
     "McClendon v. City of Columbia (5th Cir. 2002) - Parker, J., dissenting", "general"),
])
def test_known_labels_and_their_options(key, label, generality):
    c = find_case(key)
    assert c.label == label
    assert find_case(label) is c
    assert c.facts.generality == generality


def test_opinion_version_carries_the_opinions_facts():
    bybee = find_case("kennedy_v_ridgefield_2006:bybee_dissent").facts
    assert bybee.danger_effect == "none" and bybee.culpability == "negligence"
    assert bybee.circuit == "ca9" and bybee.conduct_date.isoformat() == "1998-09-24"


def test_unknown_case_is_a_clear_error():
    with pytest.raises(KeyError, match="no case"):
        find_case("roe_v_nobody_1999")


def test_short_caption_drops_ex_rel():
    assert short_caption("Kennedy ex rel. Gorton v. City of Ridgefield") == "Kennedy v. City of Ridgefield"
    assert short_caption("Wood v. Ostrander") == "Wood v. Ostrander"


def test_a_case_knows_when_its_conduct_date_is_not_in_the_data():
    for c in cases():
        p = law().precedents[c.precedent]
        assert c.conduct_known == (p.conduct is not None), c.id
        if not c.conduct_known:
            assert c.facts.conduct_date == c.facts.decision_date  # the stand-in the engine needs
            assert "not in the workbook's data" in c.conduct_note and "unknown" in c.conduct_note
        else:
            assert c.conduct_note is None
    assert any(not c.conduct_known for c in cases())


def test_labels_carry_no_notes_for_maintainers():
    c = find_case("mcclendon_v_city_of_columbia_2002:bodily_integrity_dissent")
    assert c.label == "McClendon v. City of Columbia (5th Cir. 2002) - Dissenting, joining Judge Parker's dissent"
    assert find_case(c.label) is c


def _base(label: str) -> str:
    """'Kennedy v. City of Ridgefield (9th Cir. 2005) - withdrawn 2006 ...' -> 'Kennedy v. City of Ridgefield (9th Cir.'"""
    return label.split(" - ")[0].rsplit(" ", 1)[0]


def test_an_opinion_later_undone_says_so_and_what_replaced_it():
    from helpers.law import DEAD_EVENTS

    undone = 0
    for c in cases():
        p = law().precedents[c.precedent]
        events = {h.event for h in p.dead_events()}
        words = {w for w in DEAD_EVENTS if f" - {w} " in c.label}
        assert bool(events) == bool(words), f"{c.label}: its history has {sorted(events) or 'no undoing'}"
        assert words <= events, c.label
        if events:
            undone += 1
            if "(see the " in c.label:  # the replacement is in the list too, under the same caption
                year = c.label.split("(see the ")[1].split(" ")[0]
                assert any(_base(o.label) == _base(c.label) and o.label.startswith(f"{_base(c.label)} {year})")
                           and not law().precedents[o.precedent].dead_events() for o in cases()), c.label
    assert undone >= 5  # Pinder, McClendon, Keller, Wood, Kennedy 2005 at least


def test_two_listings_of_one_caption_in_one_court_never_stand_without_a_word():
    """A case listed twice (an opinion and the one that replaced it): at most one reads as standing."""
    by_caption: dict[str, list] = {}
    for c in cases():
        if c.opinion is None:
            by_caption.setdefault(_base(c.label), []).append(c)
    twice = {k: v for k, v in by_caption.items() if len(v) > 1}
    assert twice, "the data lists some cases twice (Kennedy 2005 and 2006)"
    for caption, listed in twice.items():
        standing = [c.label for c in listed if " - " not in c.label]
        dead = [c for c in listed if law().precedents[c.precedent].dead_events()]
        if dead:
            assert len(standing) <= 1, f"{caption}: {standing}"
            assert all(" - " in c.label for c in dead)


def test_kennedy_2005_names_the_2006_opinion():
    assert find_case("kennedy_v_ridgefield_2005").label.endswith("- withdrawn 2006 (see the 2006 opinion)")
    assert find_case("kennedy_v_ridgefield_2006").label == "Kennedy v. City of Ridgefield (9th Cir. 2006)"

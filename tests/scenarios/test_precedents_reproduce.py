"""Every encoded precedent's holding, and every opinion's, comes out of its facts.

Where the engine and an encoded holding part company the reason is written down here;
the test fails if a new divergence appears or a listed one disappears.
"""
import pytest

from helpers import evaluate
from helpers.law import law

KNOWN_DIVERGENCES = {
    ("currier_v_doran_2001", None):
        "facts and holding encoded from memory (verification: memory); not taught as law",
    ("hemphill_v_schott_1998", None):
        "the opinion frames the claim as excessive force; no state of mind was encoded",
    ("doe_v_south_carolina_department_of_social_services_2010", None):
        "holding known only from a summary; the engine finds a consensus on foster care by 2003",
    ("mcclendon_v_city_of_columbia_2001", None):
        "the vacated panel counted out-of-circuit cases that Shipp (2000) said not to count; "
        "McClendon en banc resolved that conflict",
    ("wood_v_ostrander_1988", None):
        "superseded panel opinion decided before the data dates the Ninth Circuit's recognition (1989)",
    ("wood_v_ostrander_1989", None):
        "held the right clearly established for 1984 conduct; the data has no controlling or "
        "consensus authority that early",
    ("smith_v_district_of_columbia_2005", "ginsburg_dissent"):
        "the dissent disputes the majority's law, not only its facts",
}


def _expectations():
    for p in sorted(law().precedents.values(), key=lambda p: (p.court, p.decided)):
        if p.court == "scotus" or p.facts_raw is None:
            continue
        yield p, None, p.violation, p.clearly_established
        for op in p.opinions:
            yield p, op.id, op.concludes.get("violation"), op.concludes.get("clearly_established")


def _diverges(p, opinion, violation, established):
    answer = evaluate(p.fact_pattern(opinion))
    return ((violation is not None and answer.violation is not violation)
            or (established is not None and answer.clearly_established is not established))


def test_every_precedent_reproduces_or_is_a_known_divergence():
    found = {(p.id, op) for p, op, v, ce in _expectations() if _diverges(p, op, v, ce)}
    assert found == set(KNOWN_DIVERGENCES)


def test_most_of_the_base_reproduces():
    total = sum(1 for _ in _expectations())
    assert total >= 80
    assert len(KNOWN_DIVERGENCES) <= total // 10


@pytest.mark.parametrize("court", ["ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7", "ca8", "ca9", "ca10", "ca11", "cadc"])
def test_every_circuit_has_encoded_precedents(court):
    assert any(p.court == court and p.facts_raw for p in law().precedents.values())

"""Every measured prong-two holding says how its reasoning was read, and one read in the opinion
names the authority it rested on (issue 19: "relied_on and pins filled where the opinion was reached")."""

from helpers.fidelity import report
from helpers.law import law

PRECEDENTS = law().precedents
MEASURED = sorted({o.precedent for o in report().majority if o.prong == "clearly_established"})
#: Styles that rest on named cases: a passage read in the opinion must name them.
RESTS_ON_CASES = ("analogy", "consensus", "contrary_authority")


def test_every_prong_two_holding_says_how_its_reasoning_was_read():
    decided = [p for p in PRECEDENTS.values() if p.clearly_established is not None]
    assert len(decided) >= len(MEASURED) >= 80
    missing = [p.id for p in decided if not (p.prong_two or {}).get("read")]
    assert missing == [], f"prong_two.read missing for {missing}"


def test_a_pin_is_given_only_for_a_passage_read():
    # a pin without the passage read would claim a page nobody saw (Butera's 652 was such a pin)
    unseen = [p.id for p in PRECEDENTS.values() if (p.prong_two or {}).get("pin")
              and (p.prong_two or {}).get("read") != "passage"]
    assert unseen == [], unseen


def test_a_passage_read_names_the_cases_it_rested_on():
    bare = [pid for pid in MEASURED
            for p2 in [PRECEDENTS[pid].prong_two or {}]
            if p2.get("read") == "passage" and p2.get("style") in RESTS_ON_CASES
            and not (p2.get("relied_on") or p2.get("other_authority"))]
    assert bare == [], f"a passage read, resting on cases, names none: {bare}"
